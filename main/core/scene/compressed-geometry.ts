/**
 * Compressed geometry in a creator's glTF: Draco (KHR_draco_mesh_compression) and meshopt
 * (EXT_meshopt_compression), which web exporters and optimisers apply to most files meant for
 * download. Both are decoded at import, on the creator's machine, and the scene package is
 * written without them, so operators and the engine only ever read plain accessors and need
 * no decoder of their own.
 *
 * Before anything is decoded, what the file declares is checked: the compressed bytes lie
 * inside their buffers, the counts and strides are ones the formats allow, and the geometry
 * they would decode to stays under a bound. A file claiming billions of vertices is refused in
 * words instead of having them allocated; what a Draco stream claims inside itself is bounded
 * by its decoder's own WebAssembly memory, which is made anew for each file and dropped after.
 */
import type { Document, GLTF } from '@gltf-transform/core';
import draco3d from 'draco3dgltf';
import { MeshoptDecoder } from 'meshoptimizer';
import type { SceneProblem } from '../../../shared/api/scenes';

/** Draco mesh compression. */
export const DRACO = 'KHR_draco_mesh_compression';
/** meshopt buffer compression. */
export const MESHOPT = 'EXT_meshopt_compression';
/** Extensions decoded at import and never written into a package. */
export const DECODED_EXTENSIONS: ReadonlySet<string> = new Set([DRACO, MESHOPT]);
/** Most bytes of geometry one file's compressed data may decode to (16 M triangles with normals and UVs fit). */
export const MAX_DECODED_GEOMETRY_BYTES = 2 * 1024 ** 3;

const COMPONENT_BYTES: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };
const TYPE_COUNT: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };

interface MeshoptDef {
  buffer?: unknown;
  byteOffset?: unknown;
  byteLength?: unknown;
  byteStride?: unknown;
  count?: unknown;
  mode?: unknown;
}

/** What the geometry checks carry from buffer views to primitives: bytes that decoding will allocate. */
export interface DecodeBudget {
  bytes: number;
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;

function corrupt(name: string, what: string): SceneProblem {
  return { severity: 'error', code: 'SCENE_CORRUPT', message: `\`${name}\` is damaged: ${what}. Export it again, or export it without mesh compression.`, subject: { kind: 'file', name } };
}

/** True for a meshopt fallback buffer: one that may have no data of its own, as decoding fills its views. */
export function isMeshoptFallback(b: GLTF.IBuffer): boolean {
  const ext = b.extensions?.[MESHOPT] as { fallback?: unknown } | undefined;
  return ext?.fallback === true;
}

/**
 * Checks buffer view `i`'s meshopt data. `undefined` when the view is not meshopt-compressed;
 * else a problem, or `null` when it may be decoded (its decoded size is added to `budget`).
 */
export function meshoptViewProblem(view: GLTF.IBufferView, i: number, buffers: readonly (Uint8Array | undefined)[], budget: DecodeBudget, name: string): SceneProblem | null | undefined {
  const def = view.extensions?.[MESHOPT] as MeshoptDef | undefined;
  if (def === undefined) return undefined;
  const { buffer, byteLength, byteStride, count, mode } = def;
  const byteOffset = def.byteOffset ?? 0;
  if (!isCount(buffer) || !isCount(byteOffset) || !isCount(byteLength) || !isCount(byteStride) || !isCount(count)) return corrupt(name, `the compressed data of buffer view ${i} is described with missing or invalid numbers`);
  if (mode !== 'ATTRIBUTES' && mode !== 'TRIANGLES' && mode !== 'INDICES') return corrupt(name, `buffer view ${i} is compressed in an unknown mode`);
  const strideOk = mode === 'ATTRIBUTES' ? byteStride > 0 && byteStride <= 256 && byteStride % 4 === 0 : byteStride === 2 || byteStride === 4;
  if (!strideOk || (mode === 'TRIANGLES' && count % 3 !== 0)) return corrupt(name, `buffer view ${i}'s compressed data has a stride or count its mode does not allow`);
  if (count * byteStride !== view.byteLength) return corrupt(name, `buffer view ${i} declares ${view.byteLength} bytes but its compressed data decodes to ${count * byteStride}`);
  const source = buffers[buffer];
  if (buffer >= buffers.length) return corrupt(name, `the compressed data of buffer view ${i} points to a buffer that does not exist`);
  // A missing source buffer was reported where the buffers were read.
  if (source && byteOffset + byteLength > source.byteLength) return corrupt(name, `the compressed data of buffer view ${i} reads bytes ${byteOffset}–${byteOffset + byteLength} of a buffer that has ${source.byteLength}`);
  budget.bytes += count * byteStride;
  return null;
}

/**
 * Checks the Draco primitives of `json`: each names compressed data that was found whole
 * (`viewOk`) and accessors that exist; what their accessors declare is added to `budget`.
 * Then checks the whole budget. Returns the problems.
 */
export function dracoAndBudgetProblems(json: GLTF.IGLTF, viewOk: readonly boolean[], budget: DecodeBudget, name: string): SceneProblem[] {
  const problems: SceneProblem[] = [];
  const accessors = json.accessors ?? [];
  const counted = new Set<number>();
  (json.meshes ?? []).forEach((mesh, m) => {
    (mesh.primitives ?? []).forEach((prim, p) => {
      const def = prim.extensions?.[DRACO] as { bufferView?: unknown; attributes?: unknown } | undefined;
      if (def === undefined) return;
      const where = `mesh ${mesh.name ? `\`${mesh.name}\`` : m} (part ${p})`;
      if (!isCount(def.bufferView) || def.bufferView >= viewOk.length) {
        problems.push(corrupt(name, `the Draco data of ${where} points to a buffer view that does not exist`));
        return;
      }
      if (!def.attributes || typeof def.attributes !== 'object') problems.push(corrupt(name, `the Draco data of ${where} names no attributes`));
      const ids = [...Object.values(prim.attributes ?? {}), prim.indices];
      for (const id of ids) {
        if (id === undefined || counted.has(id)) continue;
        const a = accessors[id];
        if (!a) continue; // reported by the reference checks
        counted.add(id);
        budget.bytes += (isCount(a.count) ? a.count : 0) * (COMPONENT_BYTES[a.componentType] ?? 4) * (TYPE_COUNT[a.type] ?? 4);
      }
    });
  });
  if (budget.bytes > MAX_DECODED_GEOMETRY_BYTES) {
    const gib = (budget.bytes / 1024 ** 3).toFixed(1);
    problems.push({
      severity: 'error',
      code: 'SCENE_TOO_LARGE',
      message: `\`${name}\`'s compressed geometry would decode to ${gib} GiB; at most ${MAX_DECODED_GEOMETRY_BYTES / 1024 ** 3} GiB is accepted. Simplify the scene.`,
      subject: { kind: 'file', name },
    });
  }
  return problems;
}

/**
 * The @gltf-transform dependencies that decode what `json` compresses (none for a plain file).
 * The Draco decoder is a fresh WebAssembly module per file, so what one file made it allocate
 * is not kept for the next.
 */
export async function geometryDecoders(json: GLTF.IGLTF): Promise<Record<string, unknown>> {
  const used = new Set<string>([...(json.extensionsUsed ?? []), ...(json.extensionsRequired ?? [])]);
  const deps: Record<string, unknown> = {};
  if (used.has(DRACO)) deps['draco3d.decoder'] = await draco3d.createDecoderModule();
  if (used.has(MESHOPT)) {
    await MeshoptDecoder.ready;
    deps['meshopt.decoder'] = MeshoptDecoder;
  }
  return deps;
}

/** True when `json` declares compressed geometry. */
export function usesCompressedGeometry(json: GLTF.IGLTF): boolean {
  return [...(json.extensionsUsed ?? []), ...(json.extensionsRequired ?? [])].some((e) => DECODED_EXTENSIONS.has(e));
}

/** Drops the compression extensions from a decoded document, so it is written with plain accessors. */
export function dropGeometryCompression(doc: Document): void {
  for (const ext of doc.getRoot().listExtensionsUsed()) if (DECODED_EXTENSIONS.has(ext.extensionName)) ext.dispose();
}
