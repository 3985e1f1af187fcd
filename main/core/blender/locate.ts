/**
 * Finds Blender on this machine — a path given by the person (the Operator view's setting,
 * `rayfarm node --blender PATH`), else `blender` on the PATH, else the usual install places —
 * and asks it, inside the sandbox, for its version and the Cycles devices it can use.
 */
import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { RayfarmError } from '../errors';
import { PROBE_PY } from './py';
import { runBlender } from './sandbox';
import type { SandboxKind } from './sandbox';

/** A Cycles device Blender reported. */
export interface BlenderDevice {
  /** CPU, CUDA, OPTIX, HIP, ONEAPI or METAL. */
  type: string;
  name: string;
}

/** A Blender that answered: where it is, its version and what it renders on. */
export interface BlenderInstall {
  path: string;
  /** e.g. `3.4.1`. */
  version: string;
  /** e.g. `3.4`: what a job needs (Cycles' output changes between minor versions). */
  majorMinor: string;
  devices: BlenderDevice[];
  /** Built with OpenImageDenoise (`bpy.app.build_options.openimagedenoise`): it can denoise frames. */
  denoiser: boolean;
  /** Whether runs on this machine are sandboxed. */
  sandbox: SandboxKind;
}

/** The engine id of a job for Blender `majorMinor` (e.g. `blender-cycles/3.4`). */
export function blenderEngineId(majorMinor: string): string {
  return `blender-cycles/${majorMinor}`;
}

/** The Blender major.minor an engine id asks for, or undefined when it is not a Blender engine id. */
export function blenderVersionOf(engine: string | undefined): string | undefined {
  return engine ? /^blender-cycles\/(\d+\.\d+)$/.exec(engine)?.[1] : undefined;
}

/** Where Blender usually lives when it is not on the PATH. */
const USUAL_PLACES = ['/usr/bin/blender', '/usr/local/bin/blender', '/snap/bin/blender', '/opt/blender/blender', '/Applications/Blender.app/Contents/MacOS/Blender'];

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The Blender executable to use: the given path (which must work), else PATH, else the usual places; null when none. */
export function locateBlender(given?: string): string | null {
  if (given) {
    const p = resolve(given);
    if (!existsSync(p)) throw new RayfarmError('BLENDER_NOT_FOUND', `There is no Blender at ${p}.`);
    if (!executable(p)) throw new RayfarmError('BLENDER_NOT_FOUND', `${p} is not a program this user can run.`);
    return realpathSync(p);
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const p = join(dir, process.platform === 'win32' ? 'blender.exe' : 'blender');
    if (executable(p)) return realpathSync(p);
  }
  const found = USUAL_PLACES.find(executable);
  return found ? realpathSync(found) : null;
}

const probes = new Map<string, Promise<BlenderInstall>>();

/** Asks the Blender at `path` for its version and devices (once per path per process). */
export function probeBlender(path: string): Promise<BlenderInstall> {
  let p = probes.get(path);
  if (!p) {
    p = probe(path);
    probes.set(path, p);
    // A failed probe may succeed later (the person fixes the install): do not keep the failure.
    p.catch(() => probes.delete(path));
  }
  return p;
}

async function probe(path: string): Promise<BlenderInstall> {
  const work = mkdtempSync(join(tmpdir(), 'rayfarm-blender-probe-'));
  try {
    const r = await runBlender<{ version: string; versionTuple: number[]; devices: BlenderDevice[]; oidn?: boolean }>({
      blender: path,
      script: PROBE_PY,
      config: {},
      readOnly: [],
      writable: work,
      timeoutMs: 60_000,
      memoryBytes: 4 * 2 ** 30,
    });
    const [major, minor] = r.result.versionTuple;
    if (!Number.isInteger(major) || !Number.isInteger(minor)) throw new RayfarmError('BLENDER_FAILED', `${path} did not say which Blender version it is.`);
    if (major! < 3) throw new RayfarmError('BLENDER_TOO_OLD', `Blender ${r.result.version} at ${path} is too old: Rayfarm needs Blender 3.0 or newer.`);
    const devices = Array.isArray(r.result.devices) ? r.result.devices.filter((d) => typeof d?.type === 'string' && typeof d?.name === 'string').slice(0, 32) : [];
    return { path, version: String(r.result.version).slice(0, 32), majorMinor: `${major}.${minor}`, devices, denoiser: r.result.oidn === true, sandbox: r.sandbox };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Finds and probes Blender; null when none is installed (a given path that fails is an error). */
export async function findBlender(given?: string): Promise<BlenderInstall | null> {
  const path = locateBlender(given);
  return path ? probeBlender(path) : null;
}
