/**
 * The Blender an operator renders .blend jobs with: the path the person gave (`rayfarm node
 * --blender PATH`, the Operator view's setting) or blender on the PATH. Its absence is a line
 * in the log, not a failure: the node then takes no Blender jobs. A Blender that runs without
 * a sandbox (no bubblewrap here) is said in the log too.
 */
import { findBlender } from '../blender';
import type { BlenderInstall } from '../blender';

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
