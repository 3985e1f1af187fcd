import { resolve } from 'node:path';
import type { Document } from '@gltf-transform/core';
import { hasErrors, readScene } from '../../core/scene/importer';
import type { SceneProblem } from '../../../shared/api/scenes';
import { packageScene } from '../../core/scene/packager';

/** A scene read from the command line and packed as operators receive it. */
export interface PackedScene {
  doc: Document;
  glb: Uint8Array;
  /** Warnings only: a scene with errors is never returned. */
  warnings: SceneProblem[];
}

/**
 * Reads the scene a command was given and packs it into the one self-contained GLB that
 * gets rendered; when it cannot be rendered, prints every problem and returns null.
 */
export async function packSceneArg(path: string): Promise<PackedScene | null> {
  const read = await readScene({ path: resolve(path) });
  if (!read.doc || hasErrors(read.problems)) {
    console.error(`${path} cannot be rendered:`);
    for (const p of read.problems) console.error(`  ${p.severity}  ${p.message}`);
    return null;
  }
  return { doc: read.doc, glb: await packageScene(read.doc), warnings: read.problems };
}
