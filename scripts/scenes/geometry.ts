/** Mesh builders for the sample scenes: boxes, quads, spheres and grids as glTF primitives. */
import type { Document, Material, Mesh, Primitive } from '@gltf-transform/core';

/** Raw triangle data for one primitive. */
export interface MeshData {
  positions: number[];
  normals: number[];
  uvs: number[];
  indices: number[];
}

/** Adds a triangle primitive made from `data` to a new mesh. */
export function meshFrom(doc: Document, name: string, data: MeshData, material: Material | null): Mesh {
  return doc.createMesh(name).addPrimitive(primitiveFrom(doc, data, material));
}

/** A triangle primitive made from `data` (indices 32-bit when needed). */
export function primitiveFrom(doc: Document, data: MeshData, material: Material | null): Primitive {
  const buffer = doc.getRoot().listBuffers()[0] ?? doc.createBuffer();
  const nv = data.positions.length / 3;
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(data.positions)).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(nv > 65535 ? new Uint32Array(data.indices) : new Uint16Array(data.indices)).setBuffer(buffer));
  if (data.normals.length) prim.setAttribute('NORMAL', doc.createAccessor().setType('VEC3').setArray(new Float32Array(data.normals)).setBuffer(buffer));
  if (data.uvs.length) prim.setAttribute('TEXCOORD_0', doc.createAccessor().setType('VEC2').setArray(new Float32Array(data.uvs)).setBuffer(buffer));
  if (material) prim.setMaterial(material);
  return prim;
}

/** An axis-aligned box centred on the origin, 24 vertices with face normals and uvs. */
export function box(sx: number, sy: number, sz: number): MeshData {
  const d: MeshData = { positions: [], normals: [], uvs: [], indices: [] };
  const faces: [number[], number[], number[]][] = [
    [[1, 0, 0], [0, 0, -1], [0, 1, 0]],
    [[-1, 0, 0], [0, 0, 1], [0, 1, 0]],
    [[0, 1, 0], [1, 0, 0], [0, 0, -1]],
    [[0, -1, 0], [1, 0, 0], [0, 0, 1]],
    [[0, 0, 1], [1, 0, 0], [0, 1, 0]],
    [[0, 0, -1], [-1, 0, 0], [0, 1, 0]],
  ];
  for (const [n, u, v] of faces) {
    const base = d.positions.length / 3;
    for (const [a, b] of [[-1, -1], [1, -1], [1, 1], [-1, 1]] as const) {
      d.positions.push(((n[0]! + a * u[0]! + b * v[0]!) * sx) / 2, ((n[1]! + a * u[1]! + b * v[1]!) * sy) / 2, ((n[2]! + a * u[2]! + b * v[2]!) * sz) / 2);
      d.normals.push(n[0]!, n[1]!, n[2]!);
      d.uvs.push((a + 1) / 2, (1 - b) / 2);
    }
    d.indices.push(base, base + 1, base + 2, base, base + 2, base + 3);
  }
  return d;
}

/** A quad in the XZ plane facing +Y, centred on the origin. */
export function quadXZ(sx: number, sz: number, uvScale = 1): MeshData {
  return {
    positions: [-sx / 2, 0, sz / 2, sx / 2, 0, sz / 2, sx / 2, 0, -sz / 2, -sx / 2, 0, -sz / 2],
    normals: [0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0],
    uvs: [0, uvScale, uvScale, uvScale, uvScale, 0, 0, 0],
    indices: [0, 1, 2, 0, 2, 3],
  };
}

/** A UV sphere of radius r. */
export function sphere(r: number, segments = 48, rings = 24): MeshData {
  const d: MeshData = { positions: [], normals: [], uvs: [], indices: [] };
  for (let i = 0; i <= rings; i++) {
    const th = (i / rings) * Math.PI;
    for (let j = 0; j <= segments; j++) {
      const ph = (j / segments) * 2 * Math.PI;
      const x = Math.sin(th) * Math.cos(ph), y = Math.cos(th), z = -Math.sin(th) * Math.sin(ph);
      d.positions.push(r * x, r * y, r * z);
      d.normals.push(x, y, z);
      d.uvs.push(j / segments, i / rings);
    }
  }
  for (let i = 0; i < rings; i++) {
    for (let j = 0; j < segments; j++) {
      const a = i * (segments + 1) + j, b = a + segments + 1;
      if (i > 0) d.indices.push(a, b, a + 1);
      if (i < rings - 1) d.indices.push(a + 1, b, b + 1);
    }
  }
  return d;
}

/** A smooth value-noise height in [0, 1], deterministic in (x, z, seed). */
export function noise2(x: number, z: number, seed = 1): number {
  const hash = (i: number, j: number) => {
    let h = (Math.imul(i, 374761393) + Math.imul(j, 668265263) + Math.imul(seed, 2147483647)) | 0;
    h = Math.imul(h ^ (h >>> 13), 1274126177);
    return ((h ^ (h >>> 16)) >>> 0) / 4294967295;
  };
  const xi = Math.floor(x), zi = Math.floor(z);
  const fx = x - xi, fz = z - zi;
  const sx = fx * fx * (3 - 2 * fx), sz = fz * fz * (3 - 2 * fz);
  const a = hash(xi, zi), b = hash(xi + 1, zi), c = hash(xi, zi + 1), e = hash(xi + 1, zi + 1);
  return a + (b - a) * sx + (c - a) * sz + (a - b - c + e) * sx * sz;
}

/** Fractal noise: a few octaves of noise2. */
export function fbm(x: number, z: number, octaves = 5): number {
  let sum = 0, amp = 0.5, f = 1;
  for (let o = 0; o < octaves; o++) {
    sum += amp * noise2(x * f, z * f, o + 1);
    amp *= 0.5;
    f *= 2;
  }
  return sum;
}

/** A displaced n × n grid (2n² triangles) of the given size, height from `height(u, v)`. */
export function terrain(n: number, size: number, height: (u: number, v: number) => number): MeshData {
  const d: MeshData = { positions: [], normals: [], uvs: [], indices: [] };
  const h = new Float64Array((n + 1) * (n + 1));
  for (let i = 0; i <= n; i++) for (let j = 0; j <= n; j++) h[i * (n + 1) + j] = height(j / n, i / n);
  const step = size / n;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= n; j++) {
      const at = (ii: number, jj: number) => h[Math.min(n, Math.max(0, ii)) * (n + 1) + Math.min(n, Math.max(0, jj))]!;
      d.positions.push(-size / 2 + j * step, at(i, j), -size / 2 + i * step);
      const dx = (at(i, j + 1) - at(i, j - 1)) / (2 * step), dz = (at(i + 1, j) - at(i - 1, j)) / (2 * step);
      const l = Math.hypot(dx, 1, dz);
      d.normals.push(-dx / l, 1 / l, -dz / l);
      d.uvs.push((j / n) * 8, (i / n) * 8);
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = i * (n + 1) + j, b = a + n + 1;
      d.indices.push(a, b, a + 1, a + 1, b, b + 1);
    }
  }
  return d;
}
