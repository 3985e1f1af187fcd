import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScene, renderTile } from '../../../../main/core/engine/index';
import type { EngineScene } from '../../../../main/core/engine/index';
import { cameraAt, cornellRoom, writePng } from './fixtures';

const W = 64, H = 64;
let scene: EngineScene;
const camera = cameraAt([0, 1, 3.4]);
const base = { camera, width: W, height: H, spp: 8, seed: 42, maxDepth: 6 };

function bytes(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

beforeAll(async () => {
  const { builder, sphereMat } = cornellRoom({ sphere: { metallic: 1, roughness: 0.3, baseColor: [0.9, 0.7, 0.4, 1] } });
  void sphereMat;
  scene = await loadScene(builder.build());
});
afterAll(() => scene.dispose());

describe('engine determinism', () => {
  it('renders the same bits twice, and saves a PNG of the room for people to look at', async () => {
    const a = await renderTile({ scene, ...base, threads: 2 });
    const b = await renderTile({ scene, ...base, threads: 2 });
    expect(bytes(a).equals(bytes(b))).toBe(true);
    expect(a.every(Number.isFinite)).toBe(true);
    // A bigger render of the same room for a person to look at.
    const big = await renderTile({ scene, ...base, width: 192, height: 192, spp: 16, threads: 2 });
    writePng('test-results/engine-cornell.png', big, 192, 192);
  });

  it('a tile rendered alone equals the same region of the full frame', async () => {
    const full = await renderTile({ scene, ...base, threads: 2 });
    const rect = { x: 13, y: 21, width: 30, height: 17 };
    const tile = await renderTile({ scene, ...base, rect, threads: 1 });
    expect(tile.length).toBe(rect.width * rect.height * 4);
    const region = new Float32Array(rect.width * rect.height * 4);
    for (let y = 0; y < rect.height; y++) {
      region.set(full.subarray(((rect.y + y) * W + rect.x) * 4, ((rect.y + y) * W + rect.x + rect.width) * 4), y * rect.width * 4);
    }
    expect(bytes(tile).equals(bytes(region))).toBe(true);
  });

  it('thread count changes nothing (1 vs 2 vs 3 threads)', async () => {
    const one = await renderTile({ scene, ...base, threads: 1 });
    const two = await renderTile({ scene, ...base, threads: 2 });
    const three = await renderTile({ scene, ...base, threads: 3 });
    expect(bytes(one).equals(bytes(two))).toBe(true);
    expect(bytes(one).equals(bytes(three))).toBe(true);
  });

  it('a different seed gives a different image', async () => {
    const a = await renderTile({ scene, ...base, threads: 2 });
    const b = await renderTile({ scene, ...base, seed: 43, threads: 2 });
    expect(bytes(a).equals(bytes(b))).toBe(false);
  });
});
