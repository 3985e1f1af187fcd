/**
 * Whether the native engine is built here. Tests that need it skip with one line saying so
 * (a machine without a compiler still runs the rest of the suite).
 */
import { loadNativeAddon } from '../../main/core/engine/native';

function probe(): boolean {
  try {
    loadNativeAddon();
    return true;
  } catch {
    return false;
  }
}

/** True when the native addon loads. */
export const engineBuilt = probe();

/** Prints the one-line skip reason for `what` when the engine is not built. */
export function sayIfNoEngine(what: string): void {
  if (!engineBuilt) console.log(`native engine not built: ${what} skipped (npm run build:native)`);
}
