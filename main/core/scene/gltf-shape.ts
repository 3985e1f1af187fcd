/**
 * The shape of the glTF JSON fields the checker and the parser rely on, checked before
 * anything reads them: a file from anywhere may hold a string where an array belongs, a
 * negative index or a 1e308 byte length, and each must become a plain "the file is
 * damaged" instead of a TypeError. Unknown fields pass through (extensions, extras).
 */
import { z } from 'zod';

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
  if (r.success) return undefined;
  const issue = r.error.issues[0]!;
  return `${issue.path.map(String).join('.') || 'the top level'}: ${issue.message}`;
}
