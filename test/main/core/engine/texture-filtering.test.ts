import { describe, expect, it } from 'vitest';
import { loadScene, renderTile } from '../../../../main/core/engine/index';
import type { SceneBuffers } from '../../../../main/core/engine/types';
import { cameraAt, meanChannel, SceneBuilder, texture, writePng } from './fixtures';

const W = 96;

/** A 2×2 black-and-white checker (sRGB 0 and 255: linear 0 and 1), repeated. */
const checker = () => texture(2, 2, (x, y) => ((x + y) & 1 ? [255, 255, 255, 255] : [0, 0, 0, 255]));

/**
 * A ground plane 200 m deep tiled with the checker (0.5 m cells), emitting its texture (black
 * base, so the picture is the texture itself, no lighting), seen from 1 m above it.
 */
function ground(): SceneBuffers {
  const b = new SceneBuilder();
  const t = b.addTexture(checker());
  const m = b.addMaterial({ baseColor: [0, 0, 0, 1], specular: 0, emissive: [1, 1, 1], emissiveTexture: t });
  b.quad([-100, -1, 0], [100, -1, 0], [100, -1, -200], [-100, -1, -200], m, 400);
  return b.build();
}

async function render(buffers: SceneBuffers, camera: ReturnType<typeof cameraAt>, spp: number): Promise<Float32Array> {
  const scene = await loadScene(buffers);
  try {
    return await renderTile({ scene, camera, width: W, height: W, spp, seed: 2, maxDepth: 0, threads: 2 });
  } finally {
    scene.dispose();
  }
}

/** Mean and variance over a region of channel 0. */
function stats(px: Float32Array, region: { x: number; y: number; width: number; height: number }): { mean: number; variance: number } {
  const mean = meanChannel(px, W, region, 0);
  let v = 0;
  for (let y = region.y; y < region.y + region.height; y++) for (let x = region.x; x < region.x + region.width; x++) v += (px[(y * W + x) * 4]! - mean) ** 2;
  return { mean, variance: v / (region.width * region.height) };
}

describe('texture filtering with mip-maps (ray cones)', () => {
  it('a distant checkerboard becomes its average instead of noise, in linear light', async () => {
    const camera = cameraAt([0, 0, 0], 0.6);
    // Rows just below the horizon: the ground 10-200 m away, many cells under each pixel.
    const far = { x: 0, y: W / 2 + 1, width: W, height: 4 };
    const one = stats(await render(ground(), camera, 1), far);
    // Point-sampled, each pixel would be 0 or 1 at random (variance ~0.25 at 1 sample per
    // pixel); filtered it is the cells' linear mean, 0.5 (an sRGB-space average would be 0.21).
    expect(one.variance).toBeLessThan(0.01);
    expect(one.mean).toBeGreaterThan(0.45);
    expect(one.mean).toBeLessThan(0.55);
    const img = await render(ground(), camera, 4);
    writePng('test-results/engine-mipmapped-ground.png', img, W, W);
  });

  it('a texture seen close (texels bigger than pixels) is as sharp as before', async () => {
    const b = new SceneBuilder();
    const t = b.addTexture(checker());
    const m = b.addMaterial({ baseColor: [0, 0, 0, 1], specular: 0, emissive: [1, 1, 1], emissiveTexture: t });
    // 8 × 8 cells over a 2 m quad seen from 2 m: each cell ~12 pixels wide.
    b.quad([-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0], m, 4);
    const px = await render(b.build(), cameraAt([0, 0, 2], 0.9273), 8);
    // At the cell centres the lookup is level 0: near-full black and white (the bilinear ramp
    // over the pixel and the pixel filter's jitter blur it by ~8 %; any coarser level would
    // pull every cell to 0.5).
    let blacks = 0, whites = 0;
    for (let cy = 0; cy < 8; cy++) {
      for (let cx = 0; cx < 8; cx++) {
        const x = Math.floor(((cx + 0.5) / 8) * W), y = Math.floor(((cy + 0.5) / 8) * W);
        const v = px[(y * W + x) * 4]!;
        if (v < 0.15) blacks++;
        else if (v > 0.85) whites++;
      }
    }
    expect(blacks).toBe(32);
    expect(whites).toBe(32);
  });

  it('a hostile texture transform (huge, zero, mirrored) renders finite pixels', async () => {
    for (const transform of [[1e30, 0, 1e30, 0, 1e30, -1e30], [0, 0, 0, 0, 0, 0], [-3e38, 3e38, 0, 3e38, 3e38, 0]] as const) {
      const b = new SceneBuilder();
      const t = b.addTexture({ ...checker(), transform });
      const m = b.addMaterial({ baseColor: [0, 0, 0, 1], specular: 0, emissive: [1, 1, 1], emissiveTexture: t, baseColorTexture: t });
      b.quad([-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0], m, 4);
      const px = await render(b.build(), cameraAt([0, 0, 2], 0.9273), 1);
      expect(px.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
    }
  });
});
