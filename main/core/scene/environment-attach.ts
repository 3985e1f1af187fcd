/**
 * Adds an environment map the creator chose apart from the scene (a studio .hdr or .exr
 * beside a plain glTF) to a stored scene package. The file gets the checks a packed map gets
 * at import — its size before anything is read, its format by its bytes (not its name), a
 * header within bounds before pixels are allocated, a truncated body refused, an OpenEXR
 * converted to .hdr — and becomes one more image of the package, which is written again: a
 * new package with a new scene id, so every operator fetches the map with the scene. The old
 * package stays as it was (jobs that name it keep rendering it).
 */
import { createHash } from 'node:crypto';
import { MAX_ENVIRONMENT_BYTES } from '../../../shared/api/scenes';
import type { SceneProblem, SceneSummary } from '../../../shared/api/scenes';
import { HDR_MIME, RAYFARM_ENVIRONMENT, RayfarmEnvironment } from '../engine/environment-ext';
import type { EnvironmentMap } from '../engine/environment-ext';
import { createGltfIO, readGlb } from '../engine/gltf-io';
import { isHdr, readHdr } from '../engine/hdr';
import { exrToHdr, isExr } from './exr-environment';
import { summarizeScene } from './summary';

/** Largest environment map file a scene takes (shared, so the form can say so before uploading). */
export { MAX_ENVIRONMENT_BYTES };

/** What to attach: the scene's package, the map's bytes and the name the creator gave it. */
export interface AttachRequest {
  glb: Uint8Array;
  map: Uint8Array;
  fileName: string;
  sceneName: string;
  warnings: SceneProblem[];
}

/** The new package and its summary, with the map as the summary lists it; or why not. */
export type AttachResult =
  | { ok: false; problems: SceneProblem[] }
  | { ok: true; glb: Uint8Array; summary: SceneSummary; name: string; map: { name: string; sha256: string; width: number; height: number } };

function refuse(code: string, message: string, name: string): AttachResult {
  return { ok: false, problems: [{ severity: 'error', code, message, subject: { kind: 'file', name } }] };
}

/** A file name shown to people and kept in the package: a plain name, no folders, no control characters. */
export function plainMapName(name: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (!name || name.length > 255 || /[/\\\u0000-\u001f\u007f]/.test(name) || name === '.' || name === '..') return null;
  return name;
}

/** The map as the .hdr bytes the package keeps, or why it cannot be used (in words). */
export function environmentHdr(map: Uint8Array, label: string): { hdr: Uint8Array; width: number; height: number } | { problem: SceneProblem } {
  const problem = (code: string, message: string) => ({ problem: { severity: 'error' as const, code, message, subject: { kind: 'file' as const, name: label } } });
  if (map.byteLength > MAX_ENVIRONMENT_BYTES) return problem('ENV_TOO_LARGE', `\`${label}\` is ${(map.byteLength / 1024 ** 2).toFixed(0)} MiB; an environment map may be at most ${MAX_ENVIRONMENT_BYTES / 1024 ** 2} MiB.`);
  let hdr = map;
  if (isExr(map)) {
    try {
      hdr = exrToHdr(map);
    } catch (e) {
      return problem('ENV_BAD', `\`${label}\` cannot be used as an environment map: ${(e as Error).message}.`);
    }
  } else if (!isHdr(map)) {
    return problem('ENV_NOT_HDR', `\`${label}\` is not a Radiance .hdr or OpenEXR image (its contents say otherwise, whatever its name). Save the environment map as .hdr or .exr.`);
  }
  try {
    const img = readHdr(hdr);
    return { hdr, width: img.width, height: img.height };
  } catch (e) {
    return problem('ENV_BAD', `\`${label}\` ${(e as Error).message.replace(/^The environment map /, '')}`);
  }
}

/**
 * Adds the map to the package. It lights `auto` when the scene had no environment map of its
 * own; either way a job names it by its sha256. Attaching a map the package already holds
 * gives the same package back.
 */
export async function attachEnvironment(req: AttachRequest): Promise<AttachResult> {
  const label = plainMapName(req.fileName);
  if (!label) return refuse('ENV_BAD_NAME', 'The environment map’s file name is not a plain file name (it names a folder or holds control characters).', 'environment map');
  const checked = environmentHdr(req.map, label);
  if ('problem' in checked) return { ok: false, problems: [checked.problem] };
  const sha256 = createHash('sha256').update(checked.hdr).digest('hex');
  const doc = await readGlb(req.glb);
  const root = doc.getRoot();
  const name = label.replace(/\.exr$/i, '.hdr');
  const same = root.listTextures().find((t) => t.getMimeType() === HDR_MIME && createHash('sha256').update(t.getImage() ?? new Uint8Array()).digest('hex') === sha256);
  if (!same) {
    const tex = doc.createTexture(name).setImage(checked.hdr).setMimeType(HDR_MIME);
    const own = root.getExtension<EnvironmentMap>(RAYFARM_ENVIRONMENT);
    if (!own?.getImage()) root.setExtension(RAYFARM_ENVIRONMENT, doc.createExtension(RayfarmEnvironment).createEnvironmentMap().setImage(tex).setIntensity(1));
  }
  // Written as it is, not pruned again: a map no material uses must stay in the package.
  const glb = same ? req.glb : await createGltfIO().writeBinary(doc);
  const summary = summarizeScene(await readGlb(glb), { name: req.sceneName, bytes: glb.byteLength, warnings: req.warnings });
  const map = summary.environmentMaps?.find((m) => m.sha256 === sha256);
  if (!map) throw new Error('the attached environment map is missing from the new package');
  return { ok: true, glb, summary, name: req.sceneName, map };
}
