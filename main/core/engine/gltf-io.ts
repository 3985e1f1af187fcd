/**
 * The one place that reads and writes glTF: a NodeIO that knows every extension
 * @gltf-transform implements, so nothing a file declares is silently dropped on re-write.
 */
import { NodeIO } from '@gltf-transform/core';
import type { Document } from '@gltf-transform/core';
import { ALL_EXTENSIONS } from '@gltf-transform/extensions';

/** A NodeIO with all known extensions registered. */
export function createGltfIO(): NodeIO {
  return new NodeIO().registerExtensions(ALL_EXTENSIONS);
}

/** Reads a self-contained GLB (a packaged scene) from memory. */
export async function readGlb(bytes: Uint8Array): Promise<Document> {
  return createGltfIO().readBinary(bytes);
}
