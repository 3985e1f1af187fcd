/**
 * A .blend imported by the app (drop, picker, upload): the same check and package as
 * `rayfarm scene FILE.blend` (blend-prepare.ts) with the creator's own Blender, turned into
 * the library's summary — what Blender found, shown by the summary card and used as the job
 * form's defaults — plus a small preview rendered by that Blender.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import type { BlendSceneInfo, SceneProblem, SceneSummary } from '../../../shared/api/scenes';
import { blenderVersionOf, renderBlendRegions } from '../blender';
import { RayfarmError } from '../errors';
import type { BlenderInstall } from '../blender';
import { encodePng } from '../output/png';
import type { Store } from '../store';
import type { BlendSummary } from './blend-check';
import { isBlendPath, prepareBlend } from './blend-prepare';

/** Where a library import finds Blender: the creator's own, or null when this machine has none. */
export type CreatorBlender = () => Promise<BlenderInstall | null>;

/**
 * The creator's Blender for a Blender job, or a coded error in words: a creator submits,
 * prices and verifies a `blender-cycles/<major.minor>` job only with that Blender version.
 */
export async function creatorBlenderFor(blender: CreatorBlender | undefined, engine: string | undefined): Promise<BlenderInstall> {
  const wanted = blenderVersionOf(engine);
  let install: BlenderInstall | null = null;
  try {
    install = blender ? await blender() : null;
  } catch (err) {
    throw new RayfarmError('BLENDER_NOT_FOUND', `The Blender set for this computer cannot be used (${(err as Error).message}), and Blender jobs are priced and their results checked with your own Blender.`);
  }
  if (!install) throw new RayfarmError('BLENDER_NOT_FOUND', `Blender is not installed on this computer: a Blender job is priced and its results checked with your own Blender${wanted ? ` ${wanted}` : ''}. Install it so that \`blender\` is on the PATH (on Debian: apt-get install blender).`);
  if (wanted && wanted !== install.majorMinor) {
    throw new RayfarmError('BLENDER_VERSION_MISMATCH', `This job needs Blender ${wanted}, and this computer has Blender ${install.version}: its results are checked by rendering parts of them again with the same version. Import the .blend again to make a job for Blender ${install.majorMinor}.`);
  }
  return install;
}

/** The problem shown when this machine has no Blender to check a .blend with. */
export function noBlenderProblem(why?: string): SceneProblem {
  return {
    severity: 'error',
    code: 'BLENDER_NOT_FOUND',
    message: `${why ? `${why} ` : 'Blender is not installed on this computer. '}A .blend is read, packed and its results checked with your own Blender, the same version the operators render with: install Blender 3.0 or newer so that \`blender\` is on the PATH (on Debian: apt-get install blender).`,
  };
}

/**
 * The .blend a dropped path or staged upload stands for, or undefined when it is not a
 * Blender scene (a glTF, or no .blend at all). A folder counts when it holds exactly one .blend
 * (at its top or one folder down, as a dropped folder arrives) and no glTF.
 */
export function blendOf(path: string): string | { problem: SceneProblem } | undefined {
  if (isBlendPath(path)) return path;
  let top: string[];
  try {
    if (!statSync(path).isDirectory()) return undefined;
    top = readdirSync(path);
  } catch {
    return undefined;
  }
  const found: string[] = [];
  let gltf = false;
  const look = (dir: string, names: string[], depth: number) => {
    for (const n of names.slice(0, 1000)) {
      const p = join(dir, n);
      if (/\.(gltf|glb)$/i.test(n)) gltf = true;
      else if (isBlendPath(n)) found.push(p);
      else if (depth === 0) {
        try {
          if (statSync(p).isDirectory()) look(p, readdirSync(p), 1);
        } catch {
          // Unreadable: not part of the scene.
        }
      }
    }
  };
  look(path, top, 0);
  if (gltf || found.length === 0) return undefined;
  if (found.length > 1) {
    return { problem: { severity: 'error', code: 'SCENE_SEVERAL_BLENDS', message: `What you dropped holds ${found.length} .blend files (${found.slice(0, 3).map((f) => basename(f)).join(', ')}): drop one .blend, with the folder of its textures if it has any.` } };
  }
  return found[0]!;
}

/** The summary card's view of what Blender found. */
export function blendSceneInfo(s: BlendSummary, install: BlenderInstall, engineId?: string): BlendSceneInfo {
  return {
    kind: 'blender',
    blenderVersion: s.blenderVersion,
    checkedWith: s.checkedWith,
    ...(engineId ? { engineId } : {}),
    engine: s.engine,
    scene: s.scene,
    frameStart: s.frameStart,
    frameEnd: s.frameEnd,
    frameStep: s.frameStep,
    fps: s.fps,
    width: s.width,
    height: s.height,
    resolutionPercentage: s.resolutionPercentage,
    samples: s.samples,
    seed: s.seed,
    cameras: s.cameras,
    camera: s.camera,
    outputFormat: s.outputFormat,
    externalFiles: s.externalFiles.map((f) => ({ kind: f.kind, name: f.name, path: f.path, present: f.present, packed: f.packed, usedBy: f.usedBy })),
    denoiser: install.denoiser,
  };
}

/** A checked .blend: its packed bytes and summary, or its problems (and what Blender found, when it could read it). */
export type ImportedBlend =
  | { ok: false; problems: SceneProblem[]; blender?: BlendSceneInfo }
  | { ok: true; name: string; problems: SceneProblem[]; blend: Uint8Array; sceneId: string; summary: SceneSummary };

/** Paths under `folder` (a staged upload's random folder, meaningless to the person) written relative to it. */
function hideFolder(r: ImportedBlend, folder: string | undefined): ImportedBlend {
  if (!folder) return r;
  const prefix = folder.endsWith(sep) ? folder : folder + sep;
  const strip = (text: string) => text.split(prefix).join('');
  for (const p of r.problems) p.message = strip(p.message);
  const info = r.ok ? r.summary.blender : r.blender;
  for (const f of info?.externalFiles ?? []) f.path = strip(f.path);
  if (r.ok) for (const w of r.summary.warnings) w.message = strip(w.message);
  return r;
}

/** Checks and packs a .blend with the creator's Blender; nothing is stored. `upload`: the staged upload's folder, hidden in what is shown. */
export async function checkBlendImport(blender: CreatorBlender, file: string, log?: (line: string) => void, upload?: string): Promise<ImportedBlend> {
  return hideFolder(await checkBlend(blender, file, log), upload);
}

async function checkBlend(blender: CreatorBlender, file: string, log?: (line: string) => void): Promise<ImportedBlend> {
  let install: BlenderInstall | null;
  try {
    install = await blender();
  } catch (err) {
    return { ok: false, problems: [noBlenderProblem(`The Blender set for this computer cannot be used: ${(err as Error).message}`)] };
  }
  if (!install) return { ok: false, problems: [noBlenderProblem()] };
  let r: Awaited<ReturnType<typeof prepareBlend>>;
  try {
    r = await prepareBlend(install, file);
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'BLENDER_FAILED';
    return { ok: false, problems: [{ severity: 'error', code, message: `${basename(file)} could not be read by Blender ${install.version}: ${(err as Error).message}`, subject: { kind: 'file', name: basename(file) } }] };
  }
  if (r.sandbox === 'none') log?.('rayfarm: bubblewrap is not installed: Blender read the .blend without a sandbox (its scripts still off).');
  if (!r.ok) return { ok: false, problems: r.problems, blender: blendSceneInfo(r.summary, install) };
  const name = r.summary.name.replace(/\.blend$/i, '');
  const summary: SceneSummary = {
    name,
    triangles: 0,
    meshes: 0,
    materials: 0,
    textures: [],
    lights: [],
    cameras: r.summary.cameras.map((c) => ({ name: c, type: 'blender' })),
    animations: [],
    bounds: { min: [0, 0, 0], max: [0, 0, 0] },
    bytes: r.blend.byteLength,
    usesDefaultEnvironment: false,
    previewHash: null,
    warnings: r.problems.filter((p) => p.severity === 'warning'),
    blender: blendSceneInfo(r.summary, install, r.engine),
  };
  return { ok: true, name, problems: r.problems, blend: r.blend, sceneId: r.sceneId, summary };
}

/** Longest side of the preview Blender renders at import. */
const PREVIEW_SIDE = 320;

/**
 * A small preview of a stored .blend's first frame by the creator's Blender (few samples,
 * the file's seed); a warning instead when it cannot render one.
 */
export async function blendPreview(store: Store, install: BlenderInstall, sceneId: string, info: BlendSceneInfo): Promise<{ hash?: string; problem?: SceneProblem }> {
  // Small files are rendered larger than their own size: a sharper picture for a few more pixels.
  const scale = PREVIEW_SIDE / Math.max(info.width, info.height);
  const width = Math.max(16, Math.round(info.width * scale));
  const height = Math.max(16, Math.round(info.height * scale));
  try {
    const r = await renderBlendRegions(install, store.blobs.pathOf(sceneId), { frame: info.frameStart, width, height, rects: [{ x: 0, y: 0, width, height }], spp: Math.max(1, Math.min(16, info.samples)), seed: info.seed % 2 ** 31 }, { timeoutMs: 120_000 });
    return { hash: store.blobs.put(encodePng(r.pixels[0]!, width, height)) };
  } catch (err) {
    return { problem: { severity: 'warning', code: 'SCENE_NO_PREVIEW', message: `No preview: Blender could not render one (${(err as Error).message}).` } };
  }
}
