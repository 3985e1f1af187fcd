/**
 * Child process of traversal-paths.test.ts: renders the sample terrain (heavy.glb) and a
 * Cornell room with whichever CPU node test RAYFARM_TRAVERSAL leaves this process, and prints
 * {traversal, hashes} as one JSON line.
 */
import { createHash } from 'node:crypto';
import { prepareGlb } from '../../../../main/core/engine/benchmark';
import { loadScene, renderTile } from '../../../../main/core/engine/index';
import { cameraAt, cornellRoom } from './fixtures';

const hashes: string[] = [];
let traversal = '';
const heavy = await prepareGlb('resources/scenes/heavy.glb', 1);
const room = cornellRoom({ sphere: { metallic: 1, roughness: 0.3, baseColor: [0.9, 0.7, 0.4, 1] } }).builder.build();
for (const [buffers, camera] of [[heavy.buffers, heavy.camera], [room, cameraAt([0, 1, 3.4])]] as const) {
  const scene = await loadScene(buffers);
  traversal = scene.info.traversal;
  const px = await renderTile({ scene, camera, width: 96, height: 96, spp: 4, seed: 5, maxDepth: 8, threads: 2 });
  hashes.push(createHash('sha256').update(Buffer.from(px.buffer, px.byteOffset, px.byteLength)).digest('hex'));
  scene.dispose();
}
console.log(JSON.stringify({ traversal, hashes }));
