/**
 * The checks of a .blend in plain words: what Blender reported about the file (blender/
 * inspectBlend) turned into problems a person can act on — a missing texture with its
 * material, a file outside the .blend's folder, an unbaked simulation, an engine other than
 * Cycles, a scene that needs Python — and the summary the CLI and the UI show.
 */
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, relative, isAbsolute } from 'node:path';
import type { SceneProblem } from '../../../shared/api/scenes';
import type { BlendInfo } from '../blender';

/** An external file of a .blend, as the summary shows it. */
export interface BlendFileEntry {
  kind: string;
  /** The data-block's name in the file. */
  name: string;
  path: string;
  present: boolean;
  packed: boolean;
  /** Inside the .blend's folder (only such files are packed). */
  inside: boolean;
  usedBy: string[];
}

/** What a .blend holds, for `rayfarm scene` and the summary card. */
export interface BlendSummary {
  kind: 'blender';
  name: string;
  /** The Blender major.minor the file was saved with. */
  blenderVersion: string;
  /** The Blender that read it here. */
  checkedWith: string;
  engine: string;
  scene: string;
  frameStart: number;
  frameEnd: number;
  frameStep: number;
  fps: number;
  width: number;
  height: number;
  resolutionPercentage: number;
  samples: number;
  /** Cycles' seed in the file: a job keeps it, so its frames equal Blender's own render. */
  seed: number;
  cameras: string[];
  camera: string | null;
  outputFormat: string;
  externalFiles: BlendFileEntry[];
}

const ENGINE_NAMES: Record<string, string> = { BLENDER_EEVEE: 'Eevee', BLENDER_EEVEE_NEXT: 'Eevee', BLENDER_WORKBENCH: 'Workbench', CYCLES: 'Cycles' };

function insideFolder(folder: string, path: string): boolean {
  let real = path;
  try {
    // A link inside the folder that points out of it is outside.
    real = realpathSync(path);
  } catch {
    // Missing: judge the path as written.
  }
  const rel = relative(folder, real);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function err(code: string, message: string, subject?: SceneProblem['subject']): SceneProblem {
  return subject ? { severity: 'error', code, message, subject } : { severity: 'error', code, message };
}
function warn(code: string, message: string, subject?: SceneProblem['subject']): SceneProblem {
  return subject ? { severity: 'warning', code, message, subject } : { severity: 'warning', code, message };
}

function usedByText(f: { usedBy: string[] }): string {
  if (f.usedBy.length === 0) return '';
  const [first, ...rest] = f.usedBy;
  const named = first!.startsWith('world ') ? `the world "${first!.slice(6)}"` : `material "${first}"`;
  return ` used by ${named}${rest.length ? ` and ${rest.length} more` : ''}`;
}

/** Checks what Blender reported about `file` (the .blend on this disk); errors block the import. */
export function checkBlend(info: BlendInfo, file: string, checkedWith: string): { problems: SceneProblem[]; summary: BlendSummary } {
  const problems: SceneProblem[] = [];
  const folder = realpathSync(dirname(file));
  const entries: BlendFileEntry[] = info.externalFiles.map((f) => {
    const present = f.packed || existsSync(f.path);
    return { kind: f.kind, name: f.name, path: f.path, present, packed: f.packed, inside: f.packed || insideFolder(folder, f.path), usedBy: f.usedBy };
  });
  for (const [i, f] of entries.entries()) {
    const users = info.externalFiles[i]!.users;
    const what = f.kind === 'image' ? (f.usedBy.length ? 'texture' : 'image') : f.kind;
    const label = `the ${what} "${basename(f.path)}"${usedByText(f)}`;
    const subject = { kind: f.kind === 'image' ? ('texture' as const) : ('file' as const), name: basename(f.path) };
    if (f.packed) continue;
    if (users === 0) {
      if (!f.present) problems.push(warn('SCENE_UNUSED_MISSING_FILE', `${label} is missing, but nothing uses it.`, subject));
      continue;
    }
    if (f.kind === 'cache' || f.kind === 'movie') {
      problems.push(err('SCENE_BLEND_UNPACKABLE', `${label} (${f.path}) is a ${f.kind === 'cache' ? 'cache file (Alembic/USD)' : 'movie clip'}, which cannot be packed into the .blend yet.`, subject));
    } else if (!f.inside) {
      problems.push(err('SCENE_FILE_OUTSIDE', `${label} is at ${f.path}, outside the .blend's folder: move it into the folder or pack it in Blender (File → External Data → Pack Resources).`, subject));
    } else if (!f.present) {
      if (f.kind === 'sound') problems.push(warn('SCENE_MISSING_FILE', `${label} is missing (looked for ${f.path}); sounds are not rendered.`, subject));
      else problems.push(err('SCENE_MISSING_FILE', `${label} is missing (looked for ${f.path}).`, subject));
    }
  }
  const engine = ENGINE_NAMES[info.engine] ?? info.engine;
  if (info.engine === 'BLENDER_EEVEE' || info.engine === 'BLENDER_EEVEE_NEXT' || info.engine === 'BLENDER_WORKBENCH') {
    problems.push(err('SCENE_BLEND_ENGINE', `The scene renders with ${engine}, which needs a GPU with a display (an OpenGL context) that render nodes do not have: switch the render engine to Cycles (Render Properties → Render Engine).`, { kind: 'scene', name: info.scene }));
  } else if (info.engine !== 'CYCLES') {
    problems.push(err('SCENE_BLEND_ENGINE', `The scene renders with the engine "${info.engine}"; Rayfarm renders .blend files with Cycles only.`, { kind: 'scene', name: info.scene }));
  }
  if (!info.camera) problems.push(err('SCENE_NO_CAMERA', `The scene "${info.scene}" has no active camera to render from.`, { kind: 'camera', name: info.scene }));
  for (const s of info.simulations) {
    if (s.kind === 'fluid') problems.push(err('SCENE_BLEND_UNBAKED', `The fluid simulation on object "${s.object}" keeps its cache in a folder beside the .blend, which cannot be packed yet.`, { kind: 'mesh', name: s.object }));
    else if (!s.baked) problems.push(err('SCENE_BLEND_UNBAKED', `The ${s.kind} simulation on object "${s.object}" is not baked: bake it (Physics → Cache → Bake) so each frame can render on its own machine.`, { kind: 'mesh', name: s.object }));
    else if (s.diskCache) problems.push(err('SCENE_BLEND_UNBAKED', `The ${s.kind} simulation on object "${s.object}" is baked to files beside the .blend, which cannot be packed: bake it into the file (untick Disk Cache).`, { kind: 'mesh', name: s.object }));
  }
  if (info.scripts.length) {
    problems.push(err('SCENE_BLEND_SCRIPTS', `The scene needs Python scripts to run, and render nodes never run a file's scripts: ${info.scripts.slice(0, 3).join('; ')}${info.scripts.length > 3 ? ` (and ${info.scripts.length - 3} more)` : ''}.`, { kind: 'scene', name: info.scene }));
  }
  const [fm = 0, fn = 0] = info.savedWith.split('.').map(Number);
  const [bm = 0, bn = 0] = checkedWith.split('.').map(Number);
  if (fm * 1000 + fn > bm * 1000 + bn) {
    problems.push(warn('SCENE_BLEND_NEWER', `The file was saved with Blender ${info.savedWith}, newer than this machine's ${checkedWith}: what is new in it may be lost or render differently.`));
  }
  if (info.compositing) problems.push(warn('SCENE_BLEND_COMPOSITOR', 'The compositor nodes are not applied: frames are the rendered image before compositing.'));
  if (info.viewTransform !== 'Standard' && info.viewTransform !== 'Raw') {
    problems.push(warn('SCENE_BLEND_VIEW_TRANSFORM', `The scene's view transform is ${info.viewTransform}; frames are written linear (EXR) or with the standard sRGB curve (PNG).`));
  }
  const forced = [info.adaptiveSampling && 'adaptive sampling', info.denoising && 'denoising', info.timeLimit > 0 && 'the time limit', info.animatedSeed && 'the animated seed'].filter(Boolean);
  if (forced.length) problems.push(warn('SCENE_BLEND_SETTINGS', `Turned off for the network so every machine renders the same pixels: ${forced.join(', ')}.`));
  if (info.oslMaterials.length) problems.push(warn('SCENE_BLEND_OSL', `Materials with OSL script nodes (${info.oslMaterials.slice(0, 3).join(', ')}) render on the CPU only.`));
  const summary: BlendSummary = {
    kind: 'blender',
    name: basename(file),
    blenderVersion: info.savedWith,
    checkedWith,
    engine,
    scene: info.scene,
    frameStart: info.frameStart,
    frameEnd: info.frameEnd,
    frameStep: info.frameStep,
    fps: info.fps,
    width: info.width,
    height: info.height,
    resolutionPercentage: info.resolutionPercentage,
    samples: info.samples,
    seed: info.seed,
    cameras: info.cameras,
    camera: info.camera,
    outputFormat: info.outputFormat,
    externalFiles: entries,
  };
  return { problems, summary };
}
