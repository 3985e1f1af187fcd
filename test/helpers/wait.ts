/**
 * The tests' one way to wait for work: poll a condition with a deadline (vitest's
 * vi.waitUntil), never sleep. On timeout the error names what was awaited.
 */
import { vi } from 'vitest';

/** Polls `fn` until it returns a truthy value (which it returns) or `timeoutMs` passes. */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs = 20_000, what = 'condition'): Promise<NonNullable<T>> {
  try {
    return (await vi.waitUntil(fn, { timeout: timeoutMs, interval: 20 })) as NonNullable<T>;
  } catch (err) {
    if (/timed out/i.test((err as Error).message)) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    throw err;
  }
}
