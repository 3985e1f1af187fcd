import { describe, expect, it } from 'vitest';
import { loadScene, renderTile } from '../../../../main/core/engine/index';
import type { MaterialDesc } from '../../../../main/core/engine/types';
import { cameraAt, meanLuminance, SceneBuilder } from './fixtures';

const W = 48;
const H = 48;

/**
 * A white furnace: a unit sphere of `material` under a uniform white sky, rendered at each of
 * `depths`; returns the mean luminance of the frame's centre square of side `side` (on the
 * sphere) per depth, and of a background corner.
 */
async function furnace(material: Partial<MaterialDesc>, depths: number[], side = 16): Promise<{ centre: number[]; background: number }> {
  const b = new SceneBuilder();
  b.sphere([0, 0, 0], 1, b.addMaterial(material), 32, 64);
  const scene = await loadScene(b.build({ background: { type: 'color', color: [1, 1, 1] } }));
  try {
    const centre: number[] = [];
    let background = 0;
    for (const maxDepth of depths) {
      const px = await renderTile({ scene, camera: cameraAt([0, 0, 3], 0.8), width: W, height: H, spp: 32, seed: 1, maxDepth, threads: 2 });
      centre.push(meanLuminance(px, W, { x: (W - side) / 2, y: (H - side) / 2, width: side, height: side }));
      background = meanLuminance(px, W, { x: 0, y: 0, width: 4, height: 4 });
    }
    return { centre, background };
  } finally {
    scene.dispose();
  }
}

describe('white furnace', () => {
  it('a white diffuse sphere under a uniform white sky has radiance close to 1 everywhere', async () => {
    const { centre, background } = await furnace({ baseColor: [1, 1, 1, 1], metallic: 0, roughness: 1 }, [16]);
    expect(background).toBeCloseTo(1, 5);
    // glTF's dielectric (Fresnel-weighted Lambert + single-scattering GGX) loses a little energy.
    expect(centre[0]).toBeGreaterThan(0.93);
    expect(centre[0]).toBeLessThan(1.02);
  });

  it("a Lambertian sphere (KHR_materials_specular factor 0) keeps all the energy, and the bounce count is Cycles'", async () => {
    const { centre } = await furnace({ baseColor: [1, 1, 1, 1], metallic: 0, roughness: 0.5, specular: 0 }, [16, 0]);
    // A convex white Lambertian object under a white sky reflects exactly the sky.
    expect(centre[0]).toBeCloseTo(1, 2);
    // Bounces counted as Cycles counts them: 0 = direct light only (the sky, sampled), not black.
    expect(centre[1]).toBeCloseTo(1, 2);
  });

  it('a tinted specular layer never creates energy (KHR_materials_specular colour 4x)', async () => {
    const { centre } = await furnace({ baseColor: [1, 1, 1, 1], metallic: 0, roughness: 0.2, specular: 1, specularColor: [4, 4, 4] }, [16]);
    expect(centre[0]).toBeGreaterThan(0.9);
    expect(centre[0]).toBeLessThan(1.02);
  });

  it('a white metal sphere keeps most of the energy too (GGX with Smith masking)', async () => {
    const { centre } = await furnace({ baseColor: [1, 1, 1, 1], metallic: 1, roughness: 0.3 }, [16], 12);
    expect(centre[0]).toBeGreaterThan(0.9);
    expect(centre[0]).toBeLessThan(1.02);
  });
});
