/**
 * Packages a checked scene as one self-contained GLB: every buffer merged, textures
 * embedded, compressed geometry written plain, unused data pruned and duplicates merged. The bytes depend only on the scene's
 * content, so the same scene always gets the same sha256 — its scene id.
 */
import { Logger } from '@gltf-transform/core';
import type { Document } from '@gltf-transform/core';
import { dedup, prune, unpartition } from '@gltf-transform/functions';
import { createGltfIO } from '../engine/gltf-io';
import { dropGeometryCompression } from './compressed-geometry';

/** The generator string written into packaged scenes (part of the bytes, so never time-dependent). */
export const PACKAGE_GENERATOR = 'Rayfarm packager 1';

/** Writes the document as a deterministic, self-contained GLB. Modifies `doc`. */
export async function packageScene(doc: Document): Promise<Uint8Array> {
  doc.setLogger(new Logger(Logger.Verbosity.WARN));
  // Geometry decoded at import is written plain: operators never need a decoder.
  dropGeometryCompression(doc);
  await doc.transform(
    prune({ keepLeaves: false, keepAttributes: false, keepSolidTextures: true, keepExtras: false }),
    dedup(),
    unpartition(),
  );
  const root = doc.getRoot();
  root.getAsset().generator = PACKAGE_GENERATOR;
  // URIs of embedded images and of the one buffer mean nothing inside a GLB; dropping them
  // keeps the bytes independent of how the files were named on the creator's disk.
  for (const tex of root.listTextures()) {
    if (!tex.getName() && tex.getURI()) tex.setName(tex.getURI().replace(/^.*[\\/]/, ''));
    tex.setURI('');
  }
  for (const buf of root.listBuffers()) buf.setURI('');
  return createGltfIO().writeBinary(doc);
}
