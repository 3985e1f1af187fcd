/**
 * glTF metallic-roughness materials and their textures, turned into the engine's
 * MaterialDesc / TextureDesc tables. Images are decoded once (PNG, JPEG → RGBA8) and kept
 * in a cache that animation frames share.
 */
import { ImageUtils } from '@gltf-transform/core';
import type { Material, Texture, TextureInfo } from '@gltf-transform/core';
import type { Clearcoat, EmissiveStrength, IOR, Sheen, Specular, Transform, Transmission, Volume } from '@gltf-transform/extensions';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { MaterialDesc, TextureDesc, Vec3, WrapMode } from './types';

/** A decoded image: RGBA8, rows top to bottom. */
export interface DecodedImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decoded images, kept across flattenings of the same document (one per frame). */
export interface FlattenCache {
  images: WeakMap<Texture, DecodedImage | { error: string }>;
}

/** `v` as `n` numbers when it is an array of at least n, else `fallback` (NaN stays NaN for the engine to refuse). */
export function numbers(v: unknown, n: number, fallback: number[]): number[] {
  if (!Array.isArray(v) || v.length < n) return fallback;
  return v.slice(0, n).map((x) => (typeof x === 'number' ? x : Number.NaN));
}

/** A fresh cache. */
export function createFlattenCache(): FlattenCache {
  return { images: new WeakMap() };
}

/** The image format from its first bytes, or undefined when it is neither PNG nor JPEG. */
export function sniffImage(bytes: Uint8Array): 'png' | 'jpeg' | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

/** Most pixels one texture may have (8192 × 8192: 256 MiB decoded), on the creator's check and every operator's load. */
export const MAX_TEXTURE_PIXELS = 8192 * 8192;

/**
 * Decodes a PNG or JPEG into RGBA8; throws with a readable message otherwise. The size in
 * the header is checked before anything is allocated: a 100-byte file can claim 65535².
 */
export function decodeImage(bytes: Uint8Array): DecodedImage {
  const kind = sniffImage(bytes);
  if (kind) {
    let size: [number, number] | null = null;
    try {
      size = ImageUtils.getSize(bytes, kind === 'png' ? 'image/png' : 'image/jpeg');
    } catch {
      throw new Error(`its ${kind.toUpperCase()} header is damaged`);
    }
    if (!size) throw new Error(`its ${kind.toUpperCase()} header is damaged`);
    if (size[0] * size[1] > MAX_TEXTURE_PIXELS) throw new Error(`it is ${size[0]} × ${size[1]} pixels, more than the ${MAX_TEXTURE_PIXELS} a texture may have`);
  }
  if (kind === 'png') {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
  }
  if (kind === 'jpeg') {
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024, maxResolutionInMP: Math.ceil(MAX_TEXTURE_PIXELS / 1e6) });
    return { width: img.width, height: img.height, data: img.data };
  }
  throw new Error('it is neither a PNG nor a JPEG image');
}

function wrapOf(mode: number | undefined): WrapMode {
  if (mode === 33071) return 'clamp';
  if (mode === 33648) return 'mirror';
  return 'repeat';
}

/** Builds the engine's material and texture tables as primitives ask for materials. */
export class MaterialTable {
  readonly materials: MaterialDesc[] = [];
  readonly textures: TextureDesc[] = [];
  private readonly byMaterial = new Map<Material | null, number>();
  private readonly byTexture = new Map<string, number>();
  private readonly textureIds = new Map<Texture, number>();

  constructor(
    private readonly cache: FlattenCache,
    private readonly warn: (message: string) => void,
  ) {}

  /** The engine index of a glTF material (null: the glTF default material). */
  indexOf(material: Material | null): number {
    const known = this.byMaterial.get(material);
    if (known !== undefined) return known;
    const desc = material ? this.convert(material) : defaultMaterial();
    this.materials.push(desc);
    this.byMaterial.set(material, this.materials.length - 1);
    return this.materials.length - 1;
  }

  /** Appends a texture the flattener made itself (the default sky). */
  addTexture(t: TextureDesc): number {
    this.textures.push(t);
    return this.textures.length - 1;
  }

  // Extension data reaches here as the file wrote it (a creator's package is not trusted):
  // anything but n numbers becomes the default, and the engine then range-checks the numbers.
  private convert(m: Material): MaterialDesc {
    const name = m.getName() || 'unnamed material';
    const strength = m.getExtension<EmissiveStrength>('KHR_materials_emissive_strength')?.getEmissiveStrength() ?? 1;
    const ef = numbers(m.getEmissiveFactor(), 3, [0, 0, 0]);
    const emissive: Vec3 = [ef[0]! * strength, ef[1]! * strength, ef[2]! * strength];
    const spec = m.getExtension<Specular>('KHR_materials_specular');
    return {
      ...this.baseFields(m, name, emissive, spec),
      ...this.transmissionFields(m, name),
      ...this.layerFields(m, name),
    };
  }

  private baseFields(m: Material, name: string, emissive: Vec3, spec: Specular | null): MaterialDesc {
    const alpha = m.getAlphaMode();
    return {
      name,
      baseColor: numbers(m.getBaseColorFactor(), 4, [1, 1, 1, 1]) as unknown as MaterialDesc['baseColor'],
      baseColorTexture: this.texture(m.getBaseColorTexture(), m.getBaseColorTextureInfo(), true, name, 'base colour'),
      metallic: m.getMetallicFactor(),
      roughness: m.getRoughnessFactor(),
      metallicRoughnessTexture: this.texture(m.getMetallicRoughnessTexture(), m.getMetallicRoughnessTextureInfo(), false, name, 'metallic-roughness'),
      emissive,
      emissiveTexture: this.texture(m.getEmissiveTexture(), m.getEmissiveTextureInfo(), true, name, 'emissive'),
      normalTexture: this.texture(m.getNormalTexture(), m.getNormalTextureInfo(), false, name, 'normal'),
      normalScale: m.getNormalScale(),
      specular: spec?.getSpecularFactor() ?? 1,
      specularTexture: spec ? this.texture(spec.getSpecularTexture(), spec.getSpecularTextureInfo(), false, name, 'specular') : -1,
      specularColor: spec ? (numbers(spec.getSpecularColorFactor(), 3, [1, 1, 1]) as unknown as Vec3) : [1, 1, 1],
      specularColorTexture: spec ? this.texture(spec.getSpecularColorTexture(), spec.getSpecularColorTextureInfo(), true, name, 'specular colour') : -1,
      alphaMode: alpha === 'MASK' ? 'mask' : alpha === 'BLEND' ? 'blend' : 'opaque',
      alphaCutoff: m.getAlphaCutoff(),
      doubleSided: m.getDoubleSided(),
    };
  }

  // KHR_materials_transmission, _ior and _volume. glTF's "no absorption" is an infinite
  // attenuation distance, the engine's is 0; an index of refraction outside 1..10 is clamped.
  private transmissionFields(m: Material, name: string): Partial<MaterialDesc> {
    const out: { -readonly [K in keyof MaterialDesc]?: MaterialDesc[K] } = {};
    const ior = m.getExtension<IOR>('KHR_materials_ior')?.getIOR();
    if (ior !== undefined) {
      out.ior = Number.isFinite(ior) ? Math.min(10, Math.max(1, ior)) : 1.5;
      if (out.ior !== ior) this.warn(`Material "${name}" has an index of refraction of ${ior}; ${out.ior} is used.`);
    }
    const tr = m.getExtension<Transmission>('KHR_materials_transmission');
    if (tr) {
      out.transmission = tr.getTransmissionFactor();
      out.transmissionTexture = this.texture(tr.getTransmissionTexture(), tr.getTransmissionTextureInfo(), false, name, 'transmission');
    }
    const vol = m.getExtension<Volume>('KHR_materials_volume');
    if (vol) {
      out.thickness = vol.getThicknessFactor();
      const d = vol.getAttenuationDistance();
      out.attenuationDistance = d === Number.POSITIVE_INFINITY ? 0 : d;
      out.attenuationColor = numbers(vol.getAttenuationColor(), 3, [1, 1, 1]) as unknown as Vec3;
    }
    return out;
  }

  // KHR_materials_clearcoat and KHR_materials_sheen.
  private layerFields(m: Material, name: string): Partial<MaterialDesc> {
    const out: { -readonly [K in keyof MaterialDesc]?: MaterialDesc[K] } = {};
    const cc = m.getExtension<Clearcoat>('KHR_materials_clearcoat');
    if (cc) {
      out.clearcoat = cc.getClearcoatFactor();
      out.clearcoatTexture = this.texture(cc.getClearcoatTexture(), cc.getClearcoatTextureInfo(), false, name, 'clear coat');
      out.clearcoatRoughness = cc.getClearcoatRoughnessFactor();
      out.clearcoatRoughnessTexture = this.texture(cc.getClearcoatRoughnessTexture(), cc.getClearcoatRoughnessTextureInfo(), false, name, 'clear coat roughness');
      if (cc.getClearcoatNormalTexture()) this.warn(`The clear coat normal texture of material "${name}" is not supported; the coat follows the base normal.`);
    }
    const sh = m.getExtension<Sheen>('KHR_materials_sheen');
    if (sh) {
      out.sheenColor = numbers(sh.getSheenColorFactor(), 3, [0, 0, 0]) as unknown as Vec3;
      out.sheenColorTexture = this.texture(sh.getSheenColorTexture(), sh.getSheenColorTextureInfo(), true, name, 'sheen colour');
      out.sheenRoughness = sh.getSheenRoughnessFactor();
      out.sheenRoughnessTexture = this.texture(sh.getSheenRoughnessTexture(), sh.getSheenRoughnessTextureInfo(), false, name, 'sheen roughness');
    }
    return out;
  }

  private texture(tex: Texture | null, info: TextureInfo | null, srgb: boolean, material: string, slot: string): number {
    if (!tex) return -1;
    const xf = info?.getExtension<Transform>('KHR_texture_transform') ?? null;
    // KHR_texture_transform's texCoord overrides the texture info's own set.
    const set = xf?.getTexCoord() ?? info?.getTexCoord() ?? 0;
    if (set !== 0) {
      this.warn(`The ${slot} texture of material "${material}" uses texture coordinates set ${set}; only set 0 is supported, so set 0 is used.`);
    }
    const transform = xf ? textureMatrix(xf) : undefined;
    if (xf && !transform) this.warn(`The ${slot} texture of material "${material}" has a texture transform that is not finite numbers; it is left out.`);
    const wrapS = wrapOf(info?.getWrapS());
    const wrapT = wrapOf(info?.getWrapT());
    let id = this.textureIds.get(tex);
    if (id === undefined) {
      id = this.textureIds.size;
      this.textureIds.set(tex, id);
    }
    // Each distinct transform of an image is its own engine texture (the texels are copied).
    const key = `${id}|${wrapS}|${wrapT}|${srgb}|${transform?.join(',') ?? ''}`;
    const known = this.byTexture.get(key);
    if (known !== undefined) return known;
    const img = this.decoded(tex);
    if ('error' in img) {
      this.warn(`The ${slot} texture "${tex.getName() || tex.getURI() || 'unnamed'}" of material "${material}" could not be read (${img.error}); it is left out.`);
      this.byTexture.set(key, -1);
      return -1;
    }
    this.textures.push({ width: img.width, height: img.height, data: img.data, wrapS, wrapT, srgb, ...(transform ? { transform } : {}) });
    this.byTexture.set(key, this.textures.length - 1);
    return this.textures.length - 1;
  }

  private decoded(tex: Texture): DecodedImage | { error: string } {
    const cached = this.cache.images.get(tex);
    if (cached) return cached;
    const bytes = tex.getImage();
    let result: DecodedImage | { error: string };
    if (!bytes || bytes.length === 0) result = { error: 'the image has no data' };
    else {
      try {
        result = decodeImage(bytes);
      } catch (err) {
        result = { error: (err as Error).message };
      }
    }
    this.cache.images.set(tex, result);
    return result;
  }
}

/**
 * KHR_texture_transform as the engine's 2×3 matrix: translation · rotation · scale, with the
 * specification's rotation matrix [cos sin; −sin cos]. Undefined when a value is not a finite
 * number (the file is not trusted).
 */
export function textureMatrix(xf: Transform): TextureDesc['transform'] {
  const [ox, oy] = numbers(xf.getOffset(), 2, [0, 0]) as [number, number];
  const [sx, sy] = numbers(xf.getScale(), 2, [1, 1]) as [number, number];
  const r = xf.getRotation();
  const c = Math.cos(r), s = Math.sin(r);
  const m = [c * sx, s * sy, ox, -s * sx, c * sy, oy] as const;
  return m.every(Number.isFinite) ? m : undefined;
}

/** The glTF default material: white, fully metallic and rough (as the spec defines it). */
export function defaultMaterial(): MaterialDesc {
  return {
    name: 'default',
    baseColor: [1, 1, 1, 1],
    baseColorTexture: -1,
    metallic: 1,
    roughness: 1,
    metallicRoughnessTexture: -1,
    emissive: [0, 0, 0],
    emissiveTexture: -1,
    normalTexture: -1,
    normalScale: 1,
    specular: 1,
    specularTexture: -1,
    specularColor: [1, 1, 1],
    specularColorTexture: -1,
    alphaMode: 'opaque',
    alphaCutoff: 0.5,
    doubleSided: false,
  };
}
