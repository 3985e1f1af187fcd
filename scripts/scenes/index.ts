/** Writes every sample scene into a folder (resources/scenes by default). */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGltfIO } from '../../main/core/engine/gltf-io';
import { LIGHTING_SCENES } from './lighting';
import { SAMPLE_SCENES } from './samples';

/** Generates the sample scenes; returns each file with its size. */
export async function makeScenes(dir: string): Promise<{ file: string; bytes: number }[]> {
  mkdirSync(dir, { recursive: true });
  const io = createGltfIO();
  const out: { file: string; bytes: number }[] = [];
  for (const [file, build] of Object.entries({ ...SAMPLE_SCENES, ...LIGHTING_SCENES })) {
    const glb = await io.writeBinary(build());
    const target = join(dir, file);
    writeFileSync(`${target}.tmp`, glb);
    renameSync(`${target}.tmp`, target);
    out.push({ file, bytes: glb.byteLength });
  }
  return out;
}
