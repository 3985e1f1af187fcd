/**
 * npm run render:hashes -- [--scene FILE.glb]... [--width N] [--height N] [--spp N] [--threads N]
 *
 * Renders every sample scene (resources/scenes/*.glb, or the --scene files) with the engine this
 * process loads (RAYFARM_NATIVE_PATH picks another build) and prints one JSON line per scene:
 * {scene, width, height, spp, sha256} of the raw float pixels. Two engine builds that must
 * render the same bits (a compiler flag, profile-guided or not) print the same lines.
 * Defaults: 256x256, 16 spp, 8 bounces, 2 threads, seed 1.
 */
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareGlb } from '../main/core/engine/benchmark';
import { loadScene, renderTile } from '../main/core/engine/index';

const { values } = parseArgs({
  options: {
    scene: { type: 'string', multiple: true },
    width: { type: 'string', default: '256' },
    height: { type: 'string', default: '256' },
    spp: { type: 'string', default: '16' },
    threads: { type: 'string', default: '2' },
  },
});
const width = Number(values.width), height = Number(values.height), spp = Number(values.spp);
const scenes = values.scene?.length ? values.scene : readdirSync('resources/scenes').filter((f) => f.endsWith('.glb')).sort().map((f) => join('resources/scenes', f));
for (const file of scenes) {
  const prepared = await prepareGlb(file, width / height);
  const scene = await loadScene(prepared.buffers);
  try {
    const px = await renderTile({ scene, camera: prepared.camera, width, height, spp, seed: 1, maxDepth: 8, threads: Number(values.threads) });
    const sha256 = createHash('sha256').update(Buffer.from(px.buffer, px.byteOffset, px.byteLength)).digest('hex');
    console.log(JSON.stringify({ scene: prepared.name, width, height, spp, sha256 }));
  } finally {
    scene.dispose();
  }
}
