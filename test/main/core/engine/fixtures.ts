/**
 * Small scenes built directly as SceneBuffers for the engine tests (no glTF involved).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';
import { defaultMaterial } from '../../../../main/core/engine/flatten-materials';
import type { CameraDesc, MaterialDesc, SceneBuffers, TextureDesc } from '../../../../main/core/engine/types';

type V3 = [number, number, number];

/** A material with glTF defaults, overridden by `m`. */
export function material(m: Partial<MaterialDesc> = {}): MaterialDesc {
  // The flattener's glTF default, made a grey dielectric: the look most tests want.
  return { ...defaultMaterial(), name: 'm', baseColor: [0.8, 0.8, 0.8, 1], metallic: 0, ...m };
}

/** Accumulates triangles, then produces SceneBuffers. */
export class SceneBuilder {
  positions: number[] = [];
  normals: number[] = [];
  uvs: number[] = [];
  indices: number[] = [];
  materialIndex: number[] = [];
  materials: MaterialDesc[] = [];
  textures: TextureDesc[] = [];
  tangents: number[] = [];

  addMaterial(m: Partial<MaterialDesc> = {}): number {
    this.materials.push(material(m));
    return this.materials.length - 1;
  }

  addTexture(t: TextureDesc): number {
    this.textures.push(t);
    return this.textures.length - 1;
  }

  vertex(p: V3, n: V3, uv: [number, number]): number {
    this.positions.push(...p);
    this.normals.push(...n);
    this.uvs.push(...uv);
    return this.positions.length / 3 - 1;
  }

  /** Quad a-b-c-d with uv (0,0) (1,0) (1,1) (0,1) scaled by uvScale. */
  quad(a: V3, b: V3, c: V3, d: V3, mat: number, uvScale = 1): this {
    const e1 = sub(b, a), e2 = sub(c, a);
    const n = normalize(cross(e1, e2));
    const i0 = this.vertex(a, n, [0, 0]), i1 = this.vertex(b, n, [uvScale, 0]);
    const i2 = this.vertex(c, n, [uvScale, uvScale]), i3 = this.vertex(d, n, [0, uvScale]);
    this.indices.push(i0, i1, i2, i0, i2, i3);
    this.materialIndex.push(mat, mat);
    return this;
  }

  sphere(c: V3, r: number, mat: number, rings = 24, segments = 48): this {
    const base = this.positions.length / 3;
    for (let i = 0; i <= rings; i++) {
      const th = (Math.PI * i) / rings;
      for (let j = 0; j <= segments; j++) {
        const ph = (2 * Math.PI * j) / segments;
        const n: V3 = [Math.sin(th) * Math.cos(ph), Math.cos(th), Math.sin(th) * Math.sin(ph)];
        this.vertex([c[0] + r * n[0], c[1] + r * n[1], c[2] + r * n[2]], n, [j / segments, i / rings]);
      }
    }
    for (let i = 0; i < rings; i++) {
      for (let j = 0; j < segments; j++) {
        const a = base + i * (segments + 1) + j, b = a + segments + 1;
        this.indices.push(a, a + 1, b, a + 1, b + 1, b);
        this.materialIndex.push(mat, mat);
      }
    }
    return this;
  }

  build(extra: Partial<SceneBuffers> = {}): SceneBuffers {
    return {
      positions: new Float32Array(this.positions),
      normals: new Float32Array(this.normals),
      uvs: new Float32Array(this.uvs),
      tangents: new Float32Array(this.tangents),
      indices: new Uint32Array(this.indices),
      materialIndex: new Uint32Array(this.materialIndex),
      materials: this.materials,
      textures: this.textures,
      lights: [],
      background: { type: 'color', color: [0, 0, 0] },
      ...extra,
    };
  }
}

function sub(a: V3, b: V3): V3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}
function cross(a: V3, b: V3): V3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
function normalize(a: V3): V3 {
  const l = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
}

/** Camera at `pos` looking down -z (glTF convention). */
export function cameraAt(pos: V3, yfov = 0.69): CameraDesc {
  return { cameraToWorld: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, pos[0], pos[1], pos[2], 1], yfov };
}

/** Options of the Cornell-style test room. */
export interface RoomOptions {
  wall?: Partial<MaterialDesc>;
  sphere?: Partial<MaterialDesc>;
  light?: V3;
}

/**
 * A closed-on-five-sides room (x, z in -1..1, y in 0..2) with a red and a green wall, a ceiling
 * light and a sphere in the middle; the camera at (0, 1, 3.4) looks in through the open side.
 */
export function cornellRoom(opts: RoomOptions = {}): { builder: SceneBuilder; sphereMat: number } {
  const b = new SceneBuilder();
  const white = b.addMaterial({ baseColor: [0.73, 0.73, 0.73, 1], ...opts.wall });
  const red = b.addMaterial({ baseColor: [0.65, 0.05, 0.05, 1] });
  const green = b.addMaterial({ baseColor: [0.12, 0.45, 0.15, 1] });
  const light = b.addMaterial({ baseColor: [0, 0, 0, 1], emissive: opts.light ?? [15, 15, 15] });
  const sphereMat = b.addMaterial({ baseColor: [0.8, 0.8, 0.8, 1], ...opts.sphere });
  b.quad([-1, 0, 1], [1, 0, 1], [1, 0, -1], [-1, 0, -1], white);
  b.quad([-1, 2, -1], [1, 2, -1], [1, 2, 1], [-1, 2, 1], white);
  b.quad([-1, 0, -1], [1, 0, -1], [1, 2, -1], [-1, 2, -1], white);
  b.quad([-1, 0, 1], [-1, 0, -1], [-1, 2, -1], [-1, 2, 1], red);
  b.quad([1, 0, -1], [1, 0, 1], [1, 2, 1], [1, 2, -1], green);
  b.quad([-0.3, 1.999, -0.3], [0.3, 1.999, -0.3], [0.3, 1.999, 0.3], [-0.3, 1.999, 0.3], light);
  b.sphere([0, 0.6, 0], 0.6, sphereMat);
  return { builder: b, sphereMat };
}

/** A solid-colour or checker RGBA8 texture. */
export function texture(width: number, height: number, texel: (x: number, y: number) => [number, number, number, number], srgb = true): TextureDesc {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(texel(x, y), (y * width + x) * 4);
  }
  return { width, height, data, wrapS: 'repeat', wrapT: 'repeat', srgb };
}

/** Mean of channel c (0..2) over a region of an RGBA float image of width w. */
export function meanChannel(px: Float32Array, w: number, region: { x: number; y: number; width: number; height: number }, c: number): number {
  let s = 0;
  for (let y = region.y; y < region.y + region.height; y++) {
    for (let x = region.x; x < region.x + region.width; x++) s += px[(y * w + x) * 4 + c]!;
  }
  return s / (region.width * region.height);
}

/** Mean luminance over a region. */
export function meanLuminance(px: Float32Array, w: number, region: { x: number; y: number; width: number; height: number }): number {
  return 0.2126 * meanChannel(px, w, region, 0) + 0.7152 * meanChannel(px, w, region, 1) + 0.0722 * meanChannel(px, w, region, 2);
}

/** Writes linear RGBA float pixels as an sRGB PNG so a person can look at a test render. */
export function writePng(path: string, px: Float32Array, width: number, height: number): void {
  const png = new PNG({ width, height });
  const enc = (v: number) => {
    const c = Math.min(1, Math.max(0, v));
    return Math.round(255 * (c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055));
  };
  for (let i = 0; i < width * height; i++) {
    for (let k = 0; k < 3; k++) png.data[i * 4 + k] = enc(px[i * 4 + k]!);
    png.data[i * 4 + 3] = 255;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, PNG.sync.write(png));
}
