import { describe, expect, it } from 'vitest';
import { loadScene, renderTile } from '../../../../main/core/engine/index';
import { cameraAt, meanLuminance, SceneBuilder } from './fixtures';

describe('white furnace', () => {
  it('a white diffuse sphere under a uniform white sky has radiance close to 1 everywhere', async () => {
    const b = new SceneBuilder();
    const white = b.addMaterial({ baseColor: [1, 1, 1, 1], metallic: 0, roughness: 1 });
    b.sphere([0, 0, 0], 1, white, 32, 64);
    const scene = await loadScene(b.build({ background: { type: 'color', color: [1, 1, 1] } }));
    const W = 48, H = 48;
    const px = await renderTile({ scene, camera: cameraAt([0, 0, 3], 0.8), width: W, height: H, spp: 32, seed: 1, maxDepth: 16, threads: 2 });
    // The sphere covers the centre of the frame.
    const centre = meanLuminance(px, W, { x: 16, y: 16, width: 16, height: 16 });
    const background = meanLuminance(px, W, { x: 0, y: 0, width: 4, height: 4 });
    expect(background).toBeCloseTo(1, 5);
    // glTF's dielectric (Fresnel-weighted Lambert + single-scattering GGX) loses a little energy.
    expect(centre).toBeGreaterThan(0.93);
    expect(centre).toBeLessThan(1.02);
    scene.dispose();
  });

  it('a Lambertian sphere (KHR_materials_specular factor 0) keeps all the energy, and the bounce count is Cycles\'', async () => {
    const b = new SceneBuilder();
    const white = b.addMaterial({ baseColor: [1, 1, 1, 1], metallic: 0, roughness: 0.5, specular: 0 });
    b.sphere([0, 0, 0], 1, white, 32, 64);
    const scene = await loadScene(b.build({ background: { type: 'color', color: [1, 1, 1] } }));
    const W = 48, H = 48;
    const at = (maxDepth: number) => renderTile({ scene, camera: cameraAt([0, 0, 3], 0.8), width: W, height: H, spp: 32, seed: 1, maxDepth, threads: 2 });
    const centre = (px: Float32Array) => meanLuminance(px, W, { x: 16, y: 16, width: 16, height: 16 });
    // A convex white Lambertian object under a white sky reflects exactly the sky.
    expect(centre(await at(16))).toBeCloseTo(1, 2);
    // Bounces counted as Cycles counts them: 0 = direct light only (the sky, sampled), not black.
    expect(centre(await at(0))).toBeCloseTo(1, 2);
    scene.dispose();
  });

  it('a tinted specular layer never creates energy (KHR_materials_specular colour 4x)', async () => {
    const b = new SceneBuilder();
    const m = b.addMaterial({ baseColor: [1, 1, 1, 1], metallic: 0, roughness: 0.2, specular: 1, specularColor: [4, 4, 4] });
    b.sphere([0, 0, 0], 1, m, 32, 64);
    const scene = await loadScene(b.build({ background: { type: 'color', color: [1, 1, 1] } }));
    const W = 48, H = 48;
    const px = await renderTile({ scene, camera: cameraAt([0, 0, 3], 0.8), width: W, height: H, spp: 32, seed: 1, maxDepth: 16, threads: 2 });
    const centre = meanLuminance(px, W, { x: 16, y: 16, width: 16, height: 16 });
    expect(centre).toBeGreaterThan(0.9);
    expect(centre).toBeLessThan(1.02);
    scene.dispose();
  });

  it('a white metal sphere keeps most of the energy too (GGX with Smith masking)', async () => {
    const b = new SceneBuilder();
    const metal = b.addMaterial({ baseColor: [1, 1, 1, 1], metallic: 1, roughness: 0.3 });
    b.sphere([0, 0, 0], 1, metal, 32, 64);
    const scene = await loadScene(b.build({ background: { type: 'color', color: [1, 1, 1] } }));
    const W = 48, H = 48;
    const px = await renderTile({ scene, camera: cameraAt([0, 0, 3], 0.8), width: W, height: H, spp: 32, seed: 1, maxDepth: 16, threads: 2 });
    const centre = meanLuminance(px, W, { x: 18, y: 18, width: 12, height: 12 });
    expect(centre).toBeGreaterThan(0.9);
    expect(centre).toBeLessThan(1.02);
    scene.dispose();
  });
});
