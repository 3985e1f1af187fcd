/**
 * The one place that reads and writes glTF: a NodeIO that knows every extension
 * @gltf-transform implements, so nothing a file declares is silently dropped on re-write.
 */
import { NodeIO } from '@gltf-transform/core';
import type { Document } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';
import { RayfarmError } from '../errors';
import { RayfarmEnvironment } from './environment-ext';
import { glbJson, gltfShapeProblem } from './gltf-shape';

/** Geometry compression and WebP: decoded at import, never inside a package (scene/compressed-geometry.ts, webp-textures.ts). */
const PACKAGE_REFUSED_EXTENSIONS = new Set(['KHR_draco_mesh_compression', 'EXT_meshopt_compression', 'KHR_meshopt_compression', 'EXT_texture_webp']);

/** A NodeIO with all known extensions registered, and Rayfarm's environment map. */
export function createGltfIO(): NodeIO {
  return new NodeIO().registerExtensions([...ALL_EXTENSIONS, RayfarmEnvironment]);
}

/**
 * Reads a self-contained GLB (a packaged scene) from memory. The package comes from a
 * creator, so its JSON is checked (shape, node forest, node count) before the parser walks
 * it: a broken one is a SCENE_CORRUPT refusal in words, never a TypeError or an endless walk.
 */
export async function readGlb(bytes: Uint8Array): Promise<Document> {
  const json = glbJson(bytes);
  if (json === undefined) throw new RayfarmError('SCENE_CORRUPT', 'The scene package is not a readable GLB file.');
  const problem = gltfShapeProblem(json);
  if (problem) throw new RayfarmError('SCENE_CORRUPT', `The scene package is damaged: ${problem}.`);
  // Packages carry plain geometry (compressed files are decoded at import): a package that
  // still declares compression did not come from Rayfarm's packager.
  const { extensionsUsed = [], extensionsRequired = [] } = json as { extensionsUsed?: string[]; extensionsRequired?: string[] };
  const packed = [...extensionsUsed, ...extensionsRequired].find((e) => PACKAGE_REFUSED_EXTENSIONS.has(e));
  if (packed) throw new RayfarmError('SCENE_CORRUPT', `The scene package carries compressed data (${packed}), which Rayfarm packages never do; it was not made by Rayfarm and is refused.`);
  try {
    return await createGltfIO().readBinary(bytes);
  } catch (err) {
    throw new RayfarmError('SCENE_CORRUPT', `The scene package could not be read: ${(err as Error).message}`, { cause: err });
  }
}
