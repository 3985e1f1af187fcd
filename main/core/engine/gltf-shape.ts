/**
 * The shape of the glTF JSON fields the checker and the parser rely on, checked before
 * anything reads them: a file from anywhere may hold a string where an array belongs, a
 * negative index or a 1e308 byte length, and each must become a plain "the file is
 * damaged" instead of a TypeError. Unknown fields pass through (extensions, extras).
 */
import { z } from 'zod';

/** Most nodes a scene may have: each costs a matrix and a walk on every frame of every task. */
export const MAX_NODES = 200_000;

const index = z.number().int().nonnegative();
const name = z.string().max(4096).optional();
const textureRef = z.looseObject({ index, texCoord: index.optional(), scale: z.number().optional(), strength: z.number().optional() });
const num = z.number();
const vec = (n: number) => z.array(num).length(n);

/** What checkGltf needs a glTF JSON to look like. */
export const GltfShapeSchema = z.looseObject({
  asset: z.looseObject({ version: z.string().max(32) }),
  extensionsUsed: z.array(z.string().max(256)).max(256).optional(),
  extensionsRequired: z.array(z.string().max(256)).max(256).optional(),
  scene: index.optional(),
  scenes: z.array(z.looseObject({ name, nodes: z.array(index).optional() })).optional(),
  nodes: z
    .array(
      z.looseObject({
        name,
        mesh: index.optional(),
        camera: index.optional(),
        skin: index.optional(),
        children: z.array(index).optional(),
        translation: vec(3).optional(),
        rotation: vec(4).optional(),
        scale: vec(3).optional(),
        matrix: vec(16).optional(),
        weights: z.array(num).optional(),
      }),
    )
    .max(MAX_NODES)
    .optional(),
  meshes: z
    .array(
      z.looseObject({
        name,
        primitives: z.array(
          z.looseObject({
            attributes: z.record(z.string(), index),
            indices: index.optional(),
            material: index.optional(),
            mode: z.number().int().min(0).max(6).optional(),
            targets: z.array(z.record(z.string(), index)).optional(),
          }),
        ),
      }),
    )
    .optional(),
  materials: z
    .array(
      z.looseObject({
        name,
        pbrMetallicRoughness: z
          .looseObject({
            baseColorTexture: textureRef.optional(),
            metallicRoughnessTexture: textureRef.optional(),
            baseColorFactor: vec(4).optional(),
            metallicFactor: num.optional(),
            roughnessFactor: num.optional(),
          })
          .optional(),
        normalTexture: textureRef.optional(),
        occlusionTexture: textureRef.optional(),
        emissiveTexture: textureRef.optional(),
        emissiveFactor: vec(3).optional(),
        alphaMode: z.enum(['OPAQUE', 'MASK', 'BLEND']).optional(),
        alphaCutoff: num.optional(),
        doubleSided: z.boolean().optional(),
      }),
    )
    .optional(),
  textures: z.array(z.looseObject({ name, source: index.optional(), sampler: index.optional() })).optional(),
  samplers: z.array(z.looseObject({ magFilter: num.optional(), minFilter: num.optional(), wrapS: num.optional(), wrapT: num.optional() })).optional(),
  skins: z.array(z.looseObject({ joints: z.array(index), inverseBindMatrices: index.optional(), skeleton: index.optional() })).optional(),
  animations: z
    .array(
      z.looseObject({
        channels: z.array(z.looseObject({ sampler: index, target: z.looseObject({ node: index.optional(), path: z.string().max(64) }) })),
        samplers: z.array(z.looseObject({ input: index, output: index, interpolation: z.enum(['LINEAR', 'STEP', 'CUBICSPLINE']).optional() })),
      }),
    )
    .optional(),
  images: z.array(z.looseObject({ name, uri: z.string().optional(), bufferView: index.optional(), mimeType: z.string().max(100).optional() })).optional(),
  buffers: z.array(z.looseObject({ name, uri: z.string().optional(), byteLength: z.number().int().min(1) })).optional(),
  bufferViews: z
    .array(z.looseObject({ buffer: index, byteOffset: index.optional(), byteLength: z.number().int().min(1), byteStride: z.number().int().min(4).max(252).optional() }))
    .optional(),
  accessors: z
    .array(
      z.looseObject({
        bufferView: index.optional(),
        byteOffset: index.optional(),
        componentType: z.number().int(),
        count: z.number().int().min(1),
        type: z.string().max(16),
        normalized: z.boolean().optional(),
        min: z.array(num).max(16).optional(),
        max: z.array(num).max(16).optional(),
      }),
    )
    .optional(),
  cameras: z
    .array(
      z.looseObject({
        type: z.string().max(32),
        perspective: z.looseObject({ yfov: num, znear: num, zfar: num.optional(), aspectRatio: num.optional() }).optional(),
        orthographic: z.looseObject({ xmag: num, ymag: num, znear: num, zfar: num }).optional(),
      }),
    )
    .optional(),
});

/** The first problem with the JSON's shape, in words (`meshes.0.primitives: expected array`); undefined when it fits. */
export function gltfShapeProblem(json: unknown): string | undefined {
  const r = GltfShapeSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return `${issue.path.map(String).join('.') || 'the top level'}: ${issue.message}`;
  }
  // Nodes form a forest: glTF allows one parent per node and no cycles (a cycle would make
  // every walk of the scene endless).
  const nodes = r.data.nodes ?? [];
  const parent = new Map<number, number>();
  for (let i = 0; i < nodes.length; i++) {
    for (const c of nodes[i]!.children ?? []) {
      if (c >= nodes.length) return `nodes.${i}.children: node ${c} does not exist`;
      if (parent.has(c) || c === i) return `nodes.${i}.children: node ${c} has more than one parent`;
      parent.set(c, i);
    }
  }
  for (let i = 0; i < nodes.length; i++) {
    let n = i;
    for (let steps = 0; parent.has(n); steps++) {
      n = parent.get(n)!;
      if (n === i || steps > nodes.length) return `nodes.${i}: its children lead back to it (a cycle)`;
    }
  }
  return undefined;
}

const GLB_MAGIC = 0x46546c67;
const CHUNK_JSON = 0x4e4f534a;

/** The JSON of a GLB, or undefined when the container is not a GLB with a JSON chunk. */
export function glbJson(bytes: Uint8Array): unknown {
  if (bytes.byteLength < 20) return undefined;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dv.getUint32(0, true) !== GLB_MAGIC || dv.getUint32(16, true) !== CHUNK_JSON) return undefined;
  const len = dv.getUint32(12, true);
  if (20 + len > bytes.byteLength) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(bytes.subarray(20, 20 + len)));
  } catch {
    return undefined;
  }
}
