import { describe, expect, it } from 'vitest';
import { loadScene, renderTile } from '../../../../main/core/engine/index';
import type { MaterialDesc } from '../../../../main/core/engine/types';
import { cameraAt, meanLuminance, SceneBuilder } from './fixtures';

const W = 48;
const centre = { x: 18, y: 18, width: 12, height: 12 };

/** A unit sphere of `m` under a uniform white sky (a white furnace). */
async function furnace(m: Partial<MaterialDesc>, maxDepth = 16): Promise<Float32Array> {
  const b = new SceneBuilder();
  b.sphere([0, 0, 0], 1, b.addMaterial({ metallic: 0, ...m }), 32, 64);
  const scene = await loadScene(b.build({ background: { type: 'color', color: [1, 1, 1] } }));
  try {
    return await renderTile({ scene, camera: cameraAt([0, 0, 3], 0.8), width: W, height: W, spp: 32, seed: 9, maxDepth, threads: 2 });
  } finally {
    scene.dispose();
  }
}

/** Mean luminance of the sphere's outer ring (seen at grazing angles), inside its silhouette. */
function rim(px: Float32Array): number {
  let s = 0, n = 0;
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      const r = Math.hypot(x + 0.5 - W / 2, y + 0.5 - W / 2);
      // The sphere's silhouette is ~17.6 px in radius at this distance and field of view.
      if (r > 13 && r < 16.5) {
        s += 0.2126 * px[(y * W + x) * 4]! + 0.7152 * px[(y * W + x) * 4 + 1]! + 0.0722 * px[(y * W + x) * 4 + 2]!;
        n++;
      }
    }
  }
  return s / n;
}

const lambertWhite: Partial<MaterialDesc> = { baseColor: [1, 1, 1, 1], specular: 0, roughness: 1 };

describe('clear coat and sheen (KHR_materials_clearcoat, KHR_materials_sheen)', () => {
  it('a clear coat over a white Lambertian sphere creates no energy in the white furnace', async () => {
    for (const clearcoatRoughness of [0, 0.3, 1]) {
      const px = await furnace({ ...lambertWhite, clearcoat: 1, clearcoatRoughness });
      const c = meanLuminance(px, W, centre), r = rim(px);
      expect(c).toBeLessThan(1.01);
      expect(r).toBeLessThan(1.01);
      // The coat reflects what it takes from the base; only GGX's single scattering loses some.
      expect(c).toBeGreaterThan(0.95);
    }
  });

  it('a sheen over a white Lambertian sphere creates no energy in the white furnace', async () => {
    for (const sheenRoughness of [0.1, 0.5, 1]) {
      const px = await furnace({ ...lambertWhite, sheenColor: [1, 1, 1], sheenRoughness });
      expect(meanLuminance(px, W, centre)).toBeLessThan(1.01);
      expect(rim(px)).toBeLessThan(1.01);
      expect(meanLuminance(px, W, centre)).toBeGreaterThan(0.85);
    }
    const both = await furnace({ ...lambertWhite, sheenColor: [1, 1, 1], sheenRoughness: 0.4, clearcoat: 1, clearcoatRoughness: 0.1 });
    expect(meanLuminance(both, W, centre)).toBeLessThan(1.01);
    expect(rim(both)).toBeLessThan(1.01);
  });

  it('a clear coat on a black base reflects about 4 % head-on and more at grazing angles', async () => {
    const black: Partial<MaterialDesc> = { baseColor: [0, 0, 0, 1], specular: 0 };
    const bare = await furnace(black, 4);
    expect(meanLuminance(bare, W, centre)).toBe(0);
    const coated = await furnace({ ...black, clearcoat: 1, clearcoatRoughness: 0 }, 4);
    expect(meanLuminance(coated, W, centre)).toBeGreaterThan(0.035);
    expect(meanLuminance(coated, W, centre)).toBeLessThan(0.06);
    expect(rim(coated)).toBeGreaterThan(meanLuminance(coated, W, centre) * 1.2);
  });

  it('sheen on a black base shows, brightest towards the silhouette (cloth)', async () => {
    const px = await furnace({ baseColor: [0, 0, 0, 1], specular: 0, sheenColor: [1, 1, 1], sheenRoughness: 0.3 }, 4);
    expect(meanLuminance(px, W, centre)).toBeGreaterThan(0.001);
    expect(rim(px)).toBeGreaterThan(0.03);
    expect(rim(px)).toBeGreaterThan(meanLuminance(px, W, centre) * 5);
  });

  it('glass under a clear coat, and rough thin-walled glass, create no energy in the white furnace', async () => {
    const coatedGlass = await furnace({ baseColor: [1, 1, 1, 1], roughness: 0, transmission: 1, thickness: 1, clearcoat: 1, clearcoatRoughness: 0.2 }, 32);
    expect(meanLuminance(coatedGlass, W, centre)).toBeLessThan(1.01);
    expect(meanLuminance(coatedGlass, W, centre)).toBeGreaterThan(0.95);
    // Each rough crossing loses what single-scattering GGX loses on a white metal of the same
    // roughness (0.3: ~1 %; 0.5: ~8 %, so ~16 % through the sphere's two walls).
    const roughThin = await furnace({ baseColor: [1, 1, 1, 1], roughness: 0.3, transmission: 1 }, 32);
    expect(meanLuminance(roughThin, W, centre)).toBeLessThan(1.01);
    expect(meanLuminance(roughThin, W, centre)).toBeGreaterThan(0.9);
  });
});
