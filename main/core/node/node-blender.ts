/**
 * The Blender an operator renders .blend jobs with: the path the person gave (`rayfarm node
 * --blender PATH`, the Operator view's setting) or blender on the PATH. Its absence is a line
 * in the log, not a failure: the node then takes no Blender jobs. A Blender that runs without
 * a sandbox (no bubblewrap here) is said in the log too.
 */
import { cyclesBenchmark, findBlender } from '../blender';
import type { BlenderInstall, CyclesBenchmark, CyclesBenchmarkStore } from '../blender';

/** Finds and probes this machine's Blender for the worker; null (with a log line) when there is none. */
export async function operatorBlender(given: string | undefined, log: (line: string) => void): Promise<BlenderInstall | null> {
  let install: BlenderInstall | null;
  try {
    install = await findBlender(given);
  } catch (err) {
    log(`Blender${given ? ` at ${given}` : ''} cannot be used: ${(err as Error).message} Blender jobs are not taken.`);
    return null;
  }
  if (!install) {
    log('no Blender found (install it or pass --blender PATH): Blender jobs are not taken.');
    return null;
  }
  const devices = install.devices.map((d) => (d.type === 'CPU' ? 'CPU' : `${d.type} ${d.name}`)).join(', ');
  log(`Blender ${install.version} (${install.path}) renders blender-cycles/${install.majorMinor} jobs on ${devices}.`);
  if (install.sandbox === 'none') log('bubblewrap is not installed: Blender renders .blend files without a sandbox (scripts stay off). Install bubblewrap to sandbox them.');
  return install;
}

/** What the Cycles benchmark measured and what it could not, in words (the hardware card). */
export function cyclesBenchNote(install: BlenderInstall, b: CyclesBenchmark | null, failure?: string): string {
  const gpus = install.devices.filter((d) => d.type !== 'CPU').map((d) => `${d.type} ${d.name}`);
  const measured = b ? `Cycles score ${b.score.toFixed(1)} on the CPU (${b.threads} threads, Blender ${b.blenderVersion}); it prices this node's Blender work.` : `The Cycles benchmark failed: ${failure ?? 'no result'}. Blender work is priced at the reference score until it runs.`;
  return `${measured} ${gpus.length ? `Only the CPU is benchmarked: ${gpus.join(', ')} ${gpus.length === 1 ? 'is' : 'are'} listed but not measured.` : 'Blender lists no GPU backend here (CUDA, OptiX, HIP…): only the CPU is measured.'}`;
}

/** The node's Cycles benchmark (kept per Blender version in the settings, else run now, sandboxed), shown and used by `operator`. */
export async function benchOperatorBlender(settings: CyclesBenchmarkStore, install: BlenderInstall, operator: { setCyclesBenchmark(b: CyclesBenchmark | null, note: string): void }, log: (line: string) => void): Promise<void> {
  try {
    const b = await cyclesBenchmark(settings, install);
    operator.setCyclesBenchmark(b, cyclesBenchNote(install, b));
    log(`Blender ${install.version}: Cycles score ${b.score.toFixed(1)} (CPU).`);
  } catch (err) {
    operator.setCyclesBenchmark(null, cyclesBenchNote(install, null, (err as Error).message));
    log(`Blender ${install.version}: the Cycles benchmark failed: ${(err as Error).message}`);
  }
}
