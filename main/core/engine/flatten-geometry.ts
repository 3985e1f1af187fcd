/**
 * Triangle geometry of the flattened scene: each primitive instance is converted to
 * triangles (strips and fans included), morphed, skinned, moved to world space and
 * appended to one vertex/index buffer. Missing normals become flat normals, as glTF asks.
 */
import type { Primitive } from '@gltf-transform/core';
import { readFloats, readUints } from './accessor-data';
import { det3, normalMatrix, transformDir, transformPoint } from './mat4';
import type { M4 } from './mat4';

/** glTF primitive modes. */
export const MODE = { POINTS: 0, LINES: 1, LINE_LOOP: 2, LINE_STRIP: 3, TRIANGLES: 4, TRIANGLE_STRIP: 5, TRIANGLE_FAN: 6 } as const;

class FloatBuf {
  data: Float32Array;
  length = 0;
  constructor(initial = 1024) {
    this.data = new Float32Array(initial);
  }
  reserve(n: number): void {
    if (this.length + n <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Float32Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  /** Pads with zeros up to `n` numbers. */
  padTo(n: number): void {
    this.reserve(n - this.length);
    this.data.fill(0, this.length, n);
    this.length = n;
  }
  result(): Float32Array {
    return this.data.slice(0, this.length);
  }
}

class UintBuf {
  data: Uint32Array;
  length = 0;
  constructor(initial = 1024) {
    this.data = new Uint32Array(initial);
  }
  reserve(n: number): void {
    if (this.length + n <= this.data.length) return;
    let cap = this.data.length * 2;
    while (cap < this.length + n) cap *= 2;
    const next = new Uint32Array(cap);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
  result(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

/** Triangle corner indices of a primitive: strips and fans converted, lines and points undefined. */
export function triangleIndices(prim: Primitive): Uint32Array | undefined {
  const mode = prim.getMode();
  const idxAcc = prim.getIndices();
  const count = idxAcc ? idxAcc.getCount() : (prim.getAttribute('POSITION')?.getCount() ?? 0);
  const src = idxAcc ? readUints(idxAcc) : null;
  const at = (i: number): number => (src ? src[i]! : i);
  if (mode === MODE.TRIANGLES) {
    const n = count - (count % 3);
    if (src) return n === src.length ? src : src.slice(0, n);
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return out;
  }
  if (mode === MODE.TRIANGLE_STRIP || mode === MODE.TRIANGLE_FAN) {
    const tris = Math.max(0, count - 2);
    const out = new Uint32Array(tris * 3);
    for (let i = 0; i < tris; i++) {
      if (mode === MODE.TRIANGLE_STRIP) {
        // Every other triangle of a strip is wound the other way; glTF's rule keeps them consistent.
        out[3 * i] = at(i);
        out[3 * i + 1] = at(i + 1 + (i % 2));
        out[3 * i + 2] = at(i + 2 - (i % 2));
      } else {
        out[3 * i] = at(i + 1);
        out[3 * i + 1] = at(i + 2);
        out[3 * i + 2] = at(0);
      }
    }
    return out;
  }
  return undefined;
}

/** Morph weights and skin joint matrices that apply to one primitive instance. */
export interface Deform {
  weights?: readonly number[];
  /** jointWorld × inverseBind for each joint; when set, the node's own transform is not used. */
  joints?: readonly M4[];
}

/** Accumulates every triangle of the scene in world space. */
export class GeometryBuilder {
  private readonly positions = new FloatBuf(1 << 14);
  private readonly normals = new FloatBuf(1 << 14);
  private readonly uvs = new FloatBuf(1 << 13);
  private readonly tangents = new FloatBuf(16);
  private readonly indices = new UintBuf(1 << 14);
  private readonly materialIndex = new UintBuf(1 << 12);
  private anyUv = false;
  private anyTangent = false;
  private vertexCount = 0;
  readonly min = [Infinity, Infinity, Infinity];
  readonly max = [-Infinity, -Infinity, -Infinity];

  constructor(private readonly warn: (message: string) => void) {}

  /** Triangles so far. */
  get triangleCount(): number {
    return this.materialIndex.length;
  }

  /** Adds one instance of a triangle primitive; returns the triangles added. */
  add(prim: Primitive, tris: Uint32Array, world: M4, material: number, deform: Deform, label: string): number {
    const posAcc = prim.getAttribute('POSITION');
    if (!posAcc) return 0;
    // The file names each attribute's type; a creator's package may lie (POSITION as VEC2).
    if (posAcc.getElementSize() !== 3) {
      this.warn(`${label} has positions that are not 3D points; it is left out.`);
      return 0;
    }
    const nv = posAcc.getCount();
    for (let i = 0; i < tris.length; i++) {
      if (tris[i]! >= nv) {
        this.warn(`${label} refers to vertex ${tris[i]} but has only ${nv}; it is left out.`);
        return 0;
      }
    }
    const pos = Float32Array.from(readFloats(posAcc));
    const nAcc = prim.getAttribute('NORMAL');
    let nrm = nAcc && nAcc.getCount() === nv && nAcc.getElementSize() === 3 ? Float32Array.from(readFloats(nAcc)) : null;
    const tAcc = prim.getAttribute('TANGENT');
    let tan = tAcc && tAcc.getCount() === nv && tAcc.getElementSize() === 4 ? Float32Array.from(readFloats(tAcc)) : null;
    const uvAcc = prim.getAttribute('TEXCOORD_0');
    const uv = uvAcc && uvAcc.getCount() === nv && uvAcc.getElementSize() === 2 ? readFloats(uvAcc) : null;

    if (deform.weights) {
      prim.listTargets().forEach((target, ti) => {
        const w = deform.weights![ti] ?? 0;
        if (w === 0) return;
        const addDelta = (dst: Float32Array | null, name: string, k: number) => {
          const acc = target.getAttribute(name);
          if (!dst || !acc || acc.getCount() !== nv || acc.getElementSize() < Math.min(3, k)) return;
          const d = readFloats(acc);
          const dk = acc.getElementSize();
          for (let v = 0; v < nv; v++) for (let c = 0; c < Math.min(3, k); c++) dst[v * k + c]! += w * d[v * dk + c]!;
        };
        addDelta(pos, 'POSITION', 3);
        addDelta(nrm, 'NORMAL', 3);
        addDelta(tan, 'TANGENT', 4);
      });
    }

    let flip = det3(world) < 0;
    const jAcc = prim.getAttribute('JOINTS_0');
    const wAcc = prim.getAttribute('WEIGHTS_0');
    if (deform.joints && jAcc && wAcc && jAcc.getCount() === nv && wAcc.getCount() === nv && jAcc.getElementSize() === 4 && wAcc.getElementSize() === 4) {
      skin(pos, nrm, tan, readUints(jAcc), readFloats(wAcc), deform.joints);
      flip = false;
    } else {
      const nm = normalMatrix(world);
      for (let v = 0; v < nv; v++) {
        const p = transformPoint(world, pos[3 * v]!, pos[3 * v + 1]!, pos[3 * v + 2]!);
        pos.set(p, 3 * v);
        if (nrm) {
          const n = transformDir(nm, nrm[3 * v]!, nrm[3 * v + 1]!, nrm[3 * v + 2]!);
          nrm.set(unit(n), 3 * v);
        }
        if (tan) {
          const t = transformDir(world, tan[4 * v]!, tan[4 * v + 1]!, tan[4 * v + 2]!);
          tan.set(unit(t), 4 * v);
          if (flip) tan[4 * v + 3] = -tan[4 * v + 3]!;
        }
      }
    }
    for (let i = 0; i < pos.length; i++) {
      if (!Number.isFinite(pos[i]!)) {
        this.warn(`${label} has vertex positions that are not numbers; it is left out.`);
        return 0;
      }
    }
    if (nrm && nrm.some((x) => !Number.isFinite(x))) nrm = null;
    if (tan && tan.some((x) => !Number.isFinite(x))) tan = null;

    // Without normals each triangle gets its own corners with the face normal (flat shading).
    const flat = !nrm;
    const corners = flat ? tris.length : nv;
    const base = this.vertexCount;
    this.positions.reserve(corners * 3);
    this.normals.reserve(corners * 3);
    if (uv) {
      if (!this.anyUv) this.uvs.padTo(base * 2);
      this.anyUv = true;
    }
    if (this.anyUv) this.uvs.reserve(corners * 2);
    if (tan) {
      if (!this.anyTangent) this.tangents.padTo(base * 4);
      this.anyTangent = true;
    }
    if (this.anyTangent) this.tangents.reserve(corners * 4);
    const emitVertex = (v: number, n: readonly number[] | null) => {
      const P = this.positions;
      const x = pos[3 * v]!, y = pos[3 * v + 1]!, z = pos[3 * v + 2]!;
      P.data[P.length++] = x;
      P.data[P.length++] = y;
      P.data[P.length++] = z;
      if (x < this.min[0]!) this.min[0] = x;
      if (y < this.min[1]!) this.min[1] = y;
      if (z < this.min[2]!) this.min[2] = z;
      if (x > this.max[0]!) this.max[0] = x;
      if (y > this.max[1]!) this.max[1] = y;
      if (z > this.max[2]!) this.max[2] = z;
      const N = this.normals;
      N.data[N.length++] = n ? n[0]! : nrm![3 * v]!;
      N.data[N.length++] = n ? n[1]! : nrm![3 * v + 1]!;
      N.data[N.length++] = n ? n[2]! : nrm![3 * v + 2]!;
      if (this.anyUv) {
        this.uvs.data[this.uvs.length++] = uv ? uv[2 * v]! : 0;
        this.uvs.data[this.uvs.length++] = uv ? uv[2 * v + 1]! : 0;
      }
      if (this.anyTangent) {
        for (let c = 0; c < 4; c++) this.tangents.data[this.tangents.length++] = tan ? tan[4 * v + c]! : 0;
      }
    };
    if (!flat) for (let v = 0; v < nv; v++) emitVertex(v, null);
    const triCount = tris.length / 3;
    this.indices.reserve(tris.length);
    this.materialIndex.reserve(triCount);
    const I = this.indices;
    for (let t = 0; t < triCount; t++) {
      const a = tris[3 * t]!;
      let b = tris[3 * t + 1]!, c = tris[3 * t + 2]!;
      if (flip) [b, c] = [c, b];
      if (flat) {
        const ux = pos[3 * b]! - pos[3 * a]!, uy = pos[3 * b + 1]! - pos[3 * a + 1]!, uz = pos[3 * b + 2]! - pos[3 * a + 2]!;
        const vx = pos[3 * c]! - pos[3 * a]!, vy = pos[3 * c + 1]! - pos[3 * a + 1]!, vz = pos[3 * c + 2]! - pos[3 * a + 2]!;
        const n = unit([uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx]);
        const first = this.vertexCount + 3 * t;
        emitVertex(a, n);
        emitVertex(b, n);
        emitVertex(c, n);
        I.data[I.length++] = first;
        I.data[I.length++] = first + 1;
        I.data[I.length++] = first + 2;
      } else {
        I.data[I.length++] = base + a;
        I.data[I.length++] = base + b;
        I.data[I.length++] = base + c;
      }
      this.materialIndex.data[this.materialIndex.length++] = material;
    }
    this.vertexCount += corners;
    return triCount;
  }

  /** The finished buffers. */
  result(): { positions: Float32Array; normals: Float32Array; uvs: Float32Array; tangents: Float32Array; indices: Uint32Array; materialIndex: Uint32Array } {
    return {
      positions: this.positions.result(),
      normals: this.normals.result(),
      uvs: this.anyUv ? this.uvs.result() : new Float32Array(0),
      tangents: this.anyTangent ? this.tangents.result() : new Float32Array(0),
      indices: this.indices.result(),
      materialIndex: this.materialIndex.result(),
    };
  }
}

function unit(v: readonly number[]): [number, number, number] {
  const l = Math.hypot(v[0]!, v[1]!, v[2]!);
  return l > 0 ? [v[0]! / l, v[1]! / l, v[2]! / l] : [0, 0, 1];
}

/** Linear blend skinning: each vertex moved by its joints' matrices, weighted. */
function skin(pos: Float32Array, nrm: Float32Array | null, tan: Float32Array | null, joints: Uint32Array, weights: Float32Array, mats: readonly M4[]): void {
  const nv = pos.length / 3;
  const m = new Array<number>(16).fill(0);
  for (let v = 0; v < nv; v++) {
    m.fill(0);
    let total = 0;
    for (let k = 0; k < 4; k++) {
      const w = weights[4 * v + k]!;
      const jm = mats[joints[4 * v + k]!];
      if (!w || !jm) continue;
      total += w;
      for (let e = 0; e < 16; e++) m[e]! += w * jm[e]!;
    }
    if (total === 0) continue;
    if (Math.abs(total - 1) > 1e-3) for (let e = 0; e < 16; e++) m[e] = m[e]! / total;
    pos.set(transformPoint(m, pos[3 * v]!, pos[3 * v + 1]!, pos[3 * v + 2]!), 3 * v);
    if (nrm) nrm.set(unit(transformDir(normalMatrix(m), nrm[3 * v]!, nrm[3 * v + 1]!, nrm[3 * v + 2]!)), 3 * v);
    if (tan) tan.set(unit(transformDir(m, tan[4 * v]!, tan[4 * v + 1]!, tan[4 * v + 2]!)), 4 * v);
  }
}
