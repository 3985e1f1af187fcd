import { describe, expect, it } from 'vitest';
import { loadScene, renderTile } from '../../../../main/core/engine/index';
import type { MaterialDesc, SceneBuffers } from '../../../../main/core/engine/types';
import { cameraAt, meanChannel, meanLuminance, SceneBuilder, writePng } from './fixtures';

type V3 = [number, number, number];

async function render(buffers: SceneBuffers, opts: { w: number; spp: number; maxDepth: number; pos: V3; fov: number }): Promise<Float32Array> {
  const scene = await loadScene(buffers);
  try {
    return await renderTile({ scene, camera: cameraAt(opts.pos, opts.fov), width: opts.w, height: opts.w, spp: opts.spp, seed: 5, maxDepth: opts.maxDepth, threads: 2 });
  } finally {
    scene.dispose();
  }
}

/** Mean luminance of the centre square of a glass sphere under a uniform white sky. */
async function glassFurnace(m: Partial<MaterialDesc>): Promise<number> {
  const b = new SceneBuilder();
  b.sphere([0, 0, 0], 1, b.addMaterial({ baseColor: [1, 1, 1, 1], metallic: 0, transmission: 1, ...m }), 48, 96);
  const W = 40;
  const px = await render(b.build({ background: { type: 'color', color: [1, 1, 1] } }), { w: W, spp: 32, maxDepth: 32, pos: [0, 0, 3], fov: 0.8 });
  return meanLuminance(px, W, { x: 12, y: 12, width: 16, height: 16 });
}

/** An axis-aligned box with outward normals (a closed mesh: a volume). */
function box(b: SceneBuilder, lo: V3, hi: V3, mat: number): void {
  const [x0, y0, z0] = lo, [x1, y1, z1] = hi;
  b.quad([x0, y0, z1], [x1, y0, z1], [x1, y1, z1], [x0, y1, z1], mat); // +z
  b.quad([x1, y0, z0], [x0, y0, z0], [x0, y1, z0], [x1, y1, z0], mat); // -z
  b.quad([x1, y0, z1], [x1, y0, z0], [x1, y1, z0], [x1, y1, z1], mat); // +x
  b.quad([x0, y0, z0], [x0, y0, z1], [x0, y1, z1], [x0, y1, z0], mat); // -x
  b.quad([x0, y1, z1], [x1, y1, z1], [x1, y1, z0], [x0, y1, z0], mat); // +y
  b.quad([x0, y0, z0], [x1, y0, z0], [x1, y0, z1], [x0, y0, z1], mat); // -y
}

/**
 * Looks straight (narrow field of view) through a slab at a uniform emitter of radiance 1,
 * with a black sky: the frame's mean is the slab's transmittance at normal incidence.
 */
async function throughSlab(m: Partial<MaterialDesc>, thickness: number | 'thin'): Promise<Float32Array> {
  const b = new SceneBuilder();
  const glass = b.addMaterial({ baseColor: [1, 1, 1, 1], metallic: 0, roughness: 0, transmission: 1, doubleSided: true, ...m });
  const lamp = b.addMaterial({ baseColor: [0, 0, 0, 1], emissive: [1, 1, 1] });
  if (thickness === 'thin') b.quad([-3, -3, 0], [3, -3, 0], [3, 3, 0], [-3, 3, 0], glass);
  else box(b, [-3, -3, -thickness / 2], [3, 3, thickness / 2], glass);
  b.quad([-20, -20, -2], [20, -20, -2], [20, 20, -2], [-20, 20, -2], lamp);
  const W = 32;
  return render(b.build(), { w: W, spp: 64, maxDepth: 24, pos: [0, 0, 4], fov: 0.02 });
}

describe('glass and liquids (KHR_materials_transmission, _ior, _volume)', () => {
  it('a smooth glass sphere in a white furnace neither loses nor makes light (solid and thin-walled)', async () => {
    const solid = await glassFurnace({ roughness: 0, thickness: 1 });
    const thin = await glassFurnace({ roughness: 0 });
    expect(solid).toBeGreaterThan(0.985);
    expect(solid).toBeLessThan(1.01);
    expect(thin).toBeGreaterThan(0.985);
    expect(thin).toBeLessThan(1.01);
  });

  it('rough glass in the furnace makes no energy (single-scattering GGX may lose a little)', async () => {
    const rough = await glassFurnace({ roughness: 0.4, thickness: 1, ior: 1.5 });
    expect(rough).toBeGreaterThan(0.9);
    expect(rough).toBeLessThan(1.01);
  });

  it("a slab's transmittance at normal incidence is Fresnel's (1-R)^2/(1-R^2), solid or thin-walled", async () => {
    for (const ior of [1.5, 2.0, 3.0]) {
      const R = ((ior - 1) / (ior + 1)) ** 2;
      const expected = (1 - R) ** 2 / (1 - R * R);
      const solid = meanLuminance(await throughSlab({ ior, thickness: 0.4 }, 0.4), 32, { x: 0, y: 0, width: 32, height: 32 });
      const thin = meanLuminance(await throughSlab({ ior }, 'thin'), 32, { x: 0, y: 0, width: 32, height: 32 });
      // 65 536 binary paths: one standard deviation is below 0.002; one interface alone
      // (1 - R) or two without the inner bounces (1 - R)^2 are further off than that.
      expect(Math.abs(solid - expected)).toBeLessThan(0.006);
      expect(Math.abs(thin - expected)).toBeLessThan(0.006);
      if (ior >= 2) expect(Math.abs(solid - (1 - R) ** 2)).toBeGreaterThan(0.008);
    }
  });

  it('light through a volume fades by Beer-Lambert: attenuationColor^(thickness / attenuationDistance)', async () => {
    // ior 1: no reflection, every path goes straight through 0.5 m of the medium.
    const px = await throughSlab({ ior: 1, thickness: 0.5, attenuationColor: [0.5, 0.25, 1], attenuationDistance: 1 }, 0.5);
    const all = { x: 0, y: 0, width: 32, height: 32 };
    expect(meanChannel(px, 32, all, 0)).toBeCloseTo(Math.sqrt(0.5), 3);
    expect(meanChannel(px, 32, all, 1)).toBeCloseTo(0.5, 3);
    expect(meanChannel(px, 32, all, 2)).toBeCloseTo(1, 3);
    // A thin-walled surface has no inside, so the same material absorbs nothing.
    const thin = await throughSlab({ ior: 1, thickness: 0, attenuationColor: [0.5, 0.25, 1], attenuationDistance: 1 }, 'thin');
    expect(meanChannel(thin, 32, all, 1)).toBeCloseTo(1, 3);
  });

  it('the base colour tints the light that goes through, and a glass sphere shows what is behind it', async () => {
    const px = await throughSlab({ ior: 1, baseColor: [1, 0.2, 0.2, 1] }, 'thin');
    const all = { x: 0, y: 0, width: 32, height: 32 };
    expect(meanChannel(px, 32, all, 0)).toBeCloseTo(1, 3);
    expect(meanChannel(px, 32, all, 1)).toBeCloseTo(0.2, 3);

    // A glass ball in front of a checkered wall, lit by a sky: the picture for people.
    const b = new SceneBuilder();
    const red = b.addMaterial({ baseColor: [0.8, 0.1, 0.1, 1] }), white = b.addMaterial({ baseColor: [0.8, 0.8, 0.8, 1] });
    for (let i = -4; i < 4; i++) for (let j = -2; j < 4; j++) b.quad([i * 0.5, j * 0.5, -1.5], [i * 0.5 + 0.5, j * 0.5, -1.5], [i * 0.5 + 0.5, j * 0.5 + 0.5, -1.5], [i * 0.5, j * 0.5 + 0.5, -1.5], (i + j) & 1 ? red : white);
    b.quad([-4, -1, 4], [4, -1, 4], [4, -1, -4], [-4, -1, -4], white);
    b.sphere([0, 0, 0], 0.8, b.addMaterial({ baseColor: [1, 1, 1, 1], roughness: 0, transmission: 1, thickness: 1, ior: 1.5 }), 48, 96);
    const img = await render(b.build({ background: { type: 'color', color: [0.6, 0.7, 0.9] } }), { w: 160, spp: 32, maxDepth: 12, pos: [0, 0.3, 3], fov: 0.8 });
    writePng('test-results/engine-glass-sphere.png', img, 160, 160);
    expect(img.every(Number.isFinite)).toBe(true);
  });
});
