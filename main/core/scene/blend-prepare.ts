/**
 * A .blend made ready for the network: inspected and checked by Blender (blend-check.ts),
 * then packed into one self-contained file whose sha256 is its scene id, like a glTF
 * package. The package records which Blender major.minor rendered it: operators need the same.
 */
import { resolve } from 'node:path';
import type { SceneProblem } from '../../../shared/api/scenes';
import { blenderEngineId, findBlender, inspectBlend, packBlend } from '../blender';
import type { BlenderInstall, BlenderLimits, SandboxKind } from '../blender';
import { RayfarmError } from '../errors';
import { sha256Hex } from '../store';
import { validateJobSpec } from '../../../shared/job-spec';
import type { JobSpec } from '../../../shared/job-spec';
import { checkBlend } from './blend-check';
import type { BlendSummary } from './blend-check';

/** True for a path that names a .blend file. */
export function isBlendPath(path: string): boolean {
  return /\.blend$/i.test(path);
}

/** A .blend checked (and, when nothing blocks it, packed). */
export type PreparedBlend =
  | { ok: false; problems: SceneProblem[]; summary: BlendSummary; sandbox: SandboxKind }
  | { ok: true; problems: SceneProblem[]; summary: BlendSummary; sandbox: SandboxKind; blend: Uint8Array; sceneId: string; engine: string };

/** This machine's Blender, or a coded error that says how to get one. */
export async function requireBlender(given?: string): Promise<BlenderInstall> {
  const install = await findBlender(given);
  if (!install) {
    throw new RayfarmError('BLENDER_NOT_FOUND', 'Blender is not installed here: .blend scenes are checked, packed and verified with Blender on this machine. Install Blender 3.0 or newer (on Debian: apt-get install blender), or give its path with --blender PATH.');
  }
  return install;
}

/** Asks Blender what a .blend holds and checks it; nothing is written. */
export async function inspectAndCheckBlend(install: BlenderInstall, path: string, opts: BlenderLimits = {}): Promise<{ problems: SceneProblem[]; summary: BlendSummary; sandbox: SandboxKind }> {
  const file = resolve(path);
  const { info, sandbox } = await inspectBlend(install, file, opts);
  return { ...checkBlend(info, file, install.version), sandbox };
}

/** Checks a .blend with Blender and, when it can render, packs it. */
export async function prepareBlend(install: BlenderInstall, path: string, opts: BlenderLimits = {}): Promise<PreparedBlend> {
  const checked = await inspectAndCheckBlend(install, path, opts);
  if (checked.problems.some((p) => p.severity === 'error')) return { ok: false, ...checked };
  const blend = await packBlend(install, resolve(path), opts);
  return { ok: true, ...checked, blend, sceneId: sha256Hex(blend), engine: blenderEngineId(install.majorMinor) };
}

/** What a person may choose for a Blender job; the rest comes from the file. */
export interface BlendSpecChoices {
  frames?: { start: number; end: number; step: number };
  spp?: number;
  width?: number;
  height?: number;
  tiles?: { x: number; y: number };
  format?: string;
  seed?: number;
  tier?: string;
}

/** The job spec of a .blend: the file's own frames, size and samples unless the command line says otherwise. */
export function blendJobSpec(sceneId: string, engine: string, s: BlendSummary, a: BlendSpecChoices): JobSpec {
  const checked = validateJobSpec({
    sceneId,
    engine,
    width: a.width ?? s.width,
    height: a.height ?? s.height,
    spp: a.spp ?? Math.max(1, s.samples),
    frames: a.frames ?? { start: Math.max(0, s.frameStart), end: Math.max(0, s.frameEnd), step: Math.max(1, s.frameStep) },
    tiles: a.tiles ?? { x: 1, y: 1 },
    ...(a.tier !== undefined && { tier: a.tier }),
    output: a.format ?? 'png8',
    fps: Math.min(1000, Math.max(0.001, s.fps)),
    seed: a.seed ?? s.seed,
  });
  if (!checked.ok) throw new RayfarmError('SPEC_INVALID', checked.message);
  return checked.spec;
}
