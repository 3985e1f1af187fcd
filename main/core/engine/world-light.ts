/**
 * The world light rule: what lights a scene besides its own lights, from the job's
 * `environment`. `auto` picks, in order: the scene's own environment map (RAYFARM_environment);
 * nothing, when the scene has a punctual light; nothing, when its emissive surfaces alone
 * would give a frame a person can see; else the neutral studio. "Can see" is the preview's
 * exposure measure (shared/exposure.ts: mean sRGB luminance of at least DARK_MEAN of 255),
 * predicted here from the emissive power rather than rendered, because every operator must
 * reach the same choice for every frame from the package alone, quickly and bit-for-bit.
 */
import { createHash } from 'node:crypto';
import type { Document, Texture } from '@gltf-transform/core';
import { DARK_MEAN } from '../../../shared/exposure';
import { linearToSrgb, srgbToLinear } from '../../../shared/srgb';
import { RayfarmError } from '../errors';
import { HDR_MIME, RAYFARM_ENVIRONMENT } from './environment-ext';
import type { EnvironmentMap } from './environment-ext';
import { readHdr } from './hdr';
import type { HdrImage } from './hdr';
import type { BackgroundDesc, MaterialDesc, TextureDesc } from './types';

/** What lights the scene besides its own lights (the job spec's `environment`). */
export type EnvironmentOption = 'auto' | 'default' | 'none' | { color: readonly [number, number, number] } | { hdri: string; intensity?: number };

/** The world light chosen, and why, in words for the scene summary. */
export interface EnvironmentChoice {
  kind: 'studio' | 'none' | 'color' | 'hdri';
  reason: string;
  /** sha256 of the .hdr used (kind 'hdri'). */
  hdri?: string;
  /** Predicted preview brightness from emissive light alone (0–255), when the rule needed it. */
  emissiveBrightness?: number;
}

/** The neutral studio's radiance (linear grey): overhead, horizon, floor. */
const STUDIO = { top: 1.0, horizon: 0.7, floor: 0.25 } as const;

/** A neutral studio: a bright, even overhead, a softer horizon and a dark floor; 8 × 64 equirect, sRGB RGBA8. */
export function studioEnvironment(): TextureDesc {
  const w = 8, h = 64;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const elev = 1 - (2 * (y + 0.5)) / h; // 1 up, 0 horizon, -1 down
    const g = elev >= 0 ? STUDIO.horizon + (STUDIO.top - STUDIO.horizon) * Math.pow(elev, 0.6) : STUDIO.horizon + (STUDIO.floor - STUDIO.horizon) * Math.min(1, -elev * 6);
    const v = Math.round(255 * linearToSrgb(g));
    for (let x = 0; x < w; x++) data.set([v, v, v, 255], (y * w + x) * 4);
  }
  return { width: w, height: h, data, wrapS: 'repeat', wrapT: 'clamp', srgb: true };
}

/** Mean linear luminance of a texture (its emissive contribution on average). */
function textureMeanLuminance(t: TextureDesc): number {
  let s = 0;
  const dec = (b: number) => (t.srgb ? srgbToLinear(b / 255) : b / 255);
  for (let i = 0; i < t.width * t.height; i++) s += 0.2126 * dec(t.data[i * 4]!) + 0.7152 * dec(t.data[i * 4 + 1]!) + 0.0722 * dec(t.data[i * 4 + 2]!);
  return s / Math.max(1, t.width * t.height);
}

/**
 * The preview brightness (0–255) that the scene's emissive surfaces alone would give, assuming
 * the camera sees the scene's surfaces in proportion to their area, the rest grey (albedo 0.5)
 * and lit evenly by the emitted power: mean radiance M = ΣAᵢLᵢ/S + ½·Φ/(πS), Φ = Σ sidesᵢ·π·Aᵢ·Lᵢ.
 */
export function emissiveBrightness(positions: Float32Array, indices: Uint32Array, materialIndex: Uint32Array, materials: MaterialDesc[], textures: TextureDesc[]): number {
  const texMean = new Map<number, number>();
  const radiance = materials.map((m) => {
    let l = 0.2126 * m.emissive[0] + 0.7152 * m.emissive[1] + 0.0722 * m.emissive[2];
    if (l > 0 && m.emissiveTexture >= 0 && textures[m.emissiveTexture]) {
      if (!texMean.has(m.emissiveTexture)) texMean.set(m.emissiveTexture, textureMeanLuminance(textures[m.emissiveTexture]!));
      l *= texMean.get(m.emissiveTexture)!;
    }
    return Number.isFinite(l) && l > 0 ? l : 0;
  });
  let area = 0, seen = 0, power = 0;
  for (let t = 0; t < indices.length / 3; t++) {
    const a = indices[3 * t]! * 3, b = indices[3 * t + 1]! * 3, c = indices[3 * t + 2]! * 3;
    const ux = positions[b]! - positions[a]!, uy = positions[b + 1]! - positions[a + 1]!, uz = positions[b + 2]! - positions[a + 2]!;
    const vx = positions[c]! - positions[a]!, vy = positions[c + 1]! - positions[a + 1]!, vz = positions[c + 2]! - positions[a + 2]!;
    const A = 0.5 * Math.hypot(uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx);
    if (!Number.isFinite(A)) continue;
    area += A;
    const m = materialIndex[t]!, L = radiance[m] ?? 0;
    if (L > 0) {
      seen += A * L;
      power += (materials[m]!.doubleSided ? 2 : 1) * Math.PI * A * L;
    }
  }
  if (!(area > 0)) return 0;
  const mean = seen / area + (0.5 * power) / (Math.PI * area);
  const lum = Math.min(1, mean);
  return 255 * linearToSrgb(lum);
}

const hdrCache = new WeakMap<Texture, { sha256: string; image?: HdrImage; error?: RayfarmError }>();

/** The sha256 and decoded pixels of an .hdr image in the document (decoded once per document). */
function decodeEnvironmentImage(t: Texture): { sha256: string; image: HdrImage } {
  let hit = hdrCache.get(t);
  if (!hit) {
    const bytes = t.getImage() ?? new Uint8Array(0);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    try {
      hit = { sha256, image: readHdr(bytes) };
    } catch (e) {
      hit = { sha256, error: e instanceof RayfarmError ? e : new RayfarmError('HDR_BAD', `The environment map cannot be used: ${(e as Error).message}.`) };
    }
    hdrCache.set(t, hit);
  }
  if (hit.error) throw hit.error;
  return { sha256: hit.sha256, image: hit.image! };
}

/** The .hdr images a document carries, with their sha256 (for the summary and the job form). */
export function environmentMaps(doc: Document): { name: string; sha256: string; width: number; height: number; intensity: number }[] {
  const own = doc.getRoot().getExtension<EnvironmentMap>(RAYFARM_ENVIRONMENT);
  return doc
    .getRoot()
    .listTextures()
    .filter((t) => t.getMimeType() === HDR_MIME)
    .map((t) => {
      const { sha256, image } = decodeEnvironmentImage(t);
      return { name: t.getName() || 'environment.hdr', sha256, width: image.width, height: image.height, intensity: own?.getImage() === t ? own.getIntensity() : 1 };
    });
}

function hdriBackground(t: Texture, intensity: number): { background: BackgroundDesc; sha256: string } {
  const { sha256, image } = decodeEnvironmentImage(t);
  if (!Number.isFinite(intensity) || intensity < 0 || intensity > 1e6) throw new RayfarmError('HDR_BAD', `The environment map's intensity (${intensity}) must be a number from 0 to 1,000,000.`);
  return { background: { type: 'hdri', width: image.width, height: image.height, data: image.data, intensity }, sha256 };
}

/** What the flattener knows when it picks the world light. */
export interface WorldInputs {
  doc: Document;
  option: EnvironmentOption;
  punctualLights: number;
  /** Predicted preview brightness of the emissive light alone (computed only when needed). */
  emissiveBrightness: () => number;
  /** Adds a texture to the scene's table, returning its index. */
  addTexture: (t: TextureDesc) => number;
}

/** Applies the rule; throws SCENE_NO_HDRI when the job names a map the package lacks. */
export function chooseWorld(w: WorldInputs): { background: BackgroundDesc; choice: EnvironmentChoice } {
  const studio = (reason: string, extra: Partial<EnvironmentChoice> = {}) => ({ background: { type: 'equirect', texture: w.addTexture(studioEnvironment()), intensity: 1 } as BackgroundDesc, choice: { kind: 'studio' as const, reason, ...extra } });
  const none = (reason: string, extra: Partial<EnvironmentChoice> = {}) => ({ background: { type: 'color', color: [0, 0, 0] } as BackgroundDesc, choice: { kind: 'none' as const, reason, ...extra } });
  const opt = w.option;
  if (opt === 'default') return studio('the job asks for the studio environment');
  if (opt === 'none') return none('the job asks for no environment: only the scene’s own lights');
  if (typeof opt === 'object' && 'color' in opt) return { background: { type: 'color', color: [opt.color[0], opt.color[1], opt.color[2]] }, choice: { kind: 'color', reason: 'the job asks for a uniform colour around the scene' } };
  if (typeof opt === 'object') {
    const maps = w.doc.getRoot().listTextures().filter((t) => t.getMimeType() === HDR_MIME);
    const t = maps.find((m) => decodeEnvironmentImage(m).sha256 === opt.hdri);
    if (!t) throw new RayfarmError('SCENE_NO_HDRI', `The job asks for environment map ${opt.hdri.slice(0, 12)}…, but the scene package holds ${maps.length ? 'other maps only' : 'no environment map'}. Import the scene with its .hdr file and choose it again.`);
    const r = hdriBackground(t, opt.intensity ?? 1);
    return { background: r.background, choice: { kind: 'hdri', reason: 'the job asks for this environment map', hdri: r.sha256 } };
  }
  const own = w.doc.getRoot().getExtension<EnvironmentMap>(RAYFARM_ENVIRONMENT);
  const ownImage = own?.getImage();
  if (own && ownImage) {
    const r = hdriBackground(ownImage, own.getIntensity());
    return { background: r.background, choice: { kind: 'hdri', reason: 'the scene comes with its own environment map', hdri: r.sha256 } };
  }
  if (w.punctualLights > 0) return none(`the scene has ${w.punctualLights} light${w.punctualLights === 1 ? '' : 's'} of its own`);
  const b = w.emissiveBrightness();
  const rounded = Math.round(b);
  if (b >= DARK_MEAN) return none(`the scene is lit by its emissive surfaces (predicted brightness ${rounded} of 255)`, { emissiveBrightness: b });
  return studio(b > 0 ? `the scene has no lights, and its emissive surfaces alone would leave the frame dark (predicted brightness ${rounded} of 255, below ${DARK_MEAN})` : 'the scene has no lights and no emissive surfaces', { emissiveBrightness: b });
}
