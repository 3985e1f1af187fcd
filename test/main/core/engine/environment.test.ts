import { describe, expect, it } from 'vitest';
import { DARK_MEAN } from '../../../../shared/exposure';
import { linearToSrgb } from '../../../../shared/srgb';
import { flattenScene } from '../../../../main/core/engine/flatten';
import { loadScene, renderTile } from '../../../../main/core/engine/index';
import type { CameraDesc, SceneBuffers } from '../../../../main/core/engine/types';
import { PREVIEW } from '../../../../main/core/scene/preview';
import { classicCornellBox, emissiveOnlyModel } from '../../../../scripts/scenes/lighting';
import { cameraAt, meanLuminance, SceneBuilder } from './fixtures';

const W = 32;

/** An equirect float map from radiance(θ, φ) at texel centres (engine mapping: v = θ/π). */
function hdri(width: number, height: number, radiance: (theta: number, phi: number) => number): Extract<SceneBuffers['background'], { type: 'hdri' }> {
  const data = new Float32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.fill(radiance((Math.PI * (y + 0.5)) / height, ((x + 0.5) / width - 0.5) * 2 * Math.PI), (y * width + x) * 3, (y * width + x) * 3 + 3);
  }
  return { type: 'hdri', width, height, data, intensity: 1 };
}

/** A camera looking straight down -y. */
const lookingDown = (y: number, yfov: number): CameraDesc => ({ cameraToWorld: [1, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, 0, y, 0, 1], yfov });

async function renderMean(buffers: SceneBuffers, camera: CameraDesc, o: { spp?: number; maxDepth?: number; width?: number; height?: number; region?: number } = {}): Promise<number> {
  const w = o.width ?? W, h = o.height ?? W;
  const scene = await loadScene(buffers);
  try {
    const px = await renderTile({ scene, camera, width: w, height: h, spp: o.spp ?? 64, seed: 5, maxDepth: o.maxDepth ?? 8, threads: 2 });
    const s = o.region ?? w;
    return meanLuminance(px, w, { x: (w - s) / 2, y: (h - s) / 2, width: s, height: s });
  } finally {
    scene.dispose();
  }
}

/** The preview's exposure measure: mean Rec. 709 luminance of the 8-bit sRGB pixels. */
async function previewBrightness(buffers: SceneBuffers, camera: CameraDesc): Promise<number> {
  const scene = await loadScene(buffers);
  try {
    const px = await renderTile({ scene, camera, width: 128, height: 72, spp: PREVIEW.spp, seed: 1, maxDepth: PREVIEW.maxDepth, threads: 2 });
    let s = 0;
    const enc = (v: number) => Math.round(255 * linearToSrgb(v));
    for (let i = 0; i < px.length; i += 4) s += 0.2126 * enc(px[i]!) + 0.7152 * enc(px[i + 1]!) + 0.0722 * enc(px[i + 2]!);
    return s / (px.length / 4);
  } finally {
    scene.dispose();
  }
}

const lambert = { baseColor: [1, 1, 1, 1] as const, metallic: 0, roughness: 1, specular: 0 };

describe('HDRI environments (furnace and analytic)', () => {
  it('a white Lambertian sphere in a uniform HDRI has the radiance of the environment', async () => {
    const b = new SceneBuilder();
    b.sphere([0, 0, 0], 1, b.addMaterial(lambert), 32, 64);
    const got = await renderMean(b.build({ background: hdri(16, 8, () => 0.7) }), cameraAt([0, 0, 3], 0.5), { region: 8 });
    expect(got).toBeCloseTo(0.7, 2);
  });

  it('a floor under a sky bright above and black below reflects albedo × sky', async () => {
    const b = new SceneBuilder();
    b.quad([-50, 0, 50], [50, 0, 50], [50, 0, -50], [-50, 0, -50], b.addMaterial({ ...lambert, baseColor: [0.5, 0.5, 0.5, 1] }));
    const got = await renderMean(b.build({ background: hdri(64, 64, (t) => (t < Math.PI / 2 ? 2 : 0)) }), lookingDown(1, 0.3), { maxDepth: 0 });
    expect(got / 1).toBeGreaterThan(0.99);
    expect(got / 1).toBeLessThan(1.01);
  });

  it('a small bright sun: importance sampling gives the irradiance the map integrates to, with little noise', async () => {
    // Sky 0.5 plus a 3 × 3-texel sun of 500 at about 45° elevation.
    const width = 128, height = 64;
    const sunRow = 16, sunCol = 40;
    const map = hdri(width, height, () => 0.5);
    for (let y = sunRow - 1; y <= sunRow + 1; y++) for (let x = sunCol - 1; x <= sunCol + 1; x++) map.data.fill(500, (y * width + x) * 3, (y * width + x) * 3 + 3);
    // Irradiance on an upward floor: Σ L cosθ sinθ dθ dφ over the upper half of the map.
    let e = 0;
    for (let y = 0; y < height / 2; y++) {
      const th = (Math.PI * (y + 0.5)) / height;
      for (let x = 0; x < width; x++) e += map.data[(y * width + x) * 3]! * Math.cos(th) * Math.sin(th) * (Math.PI / height) * ((2 * Math.PI) / width);
    }
    const b = new SceneBuilder();
    b.quad([-50, 0, 50], [50, 0, 50], [50, 0, -50], [-50, 0, -50], b.addMaterial({ ...lambert, baseColor: [0.5, 0.5, 0.5, 1] }));
    const buffers = b.build({ background: { ...map, data: map.data } });
    const expected = (0.5 / Math.PI) * e;
    const a = await renderMean(buffers, lookingDown(1, 0.3), { maxDepth: 0, spp: 16 });
    expect(a / expected).toBeGreaterThan(0.98);
    expect(a / expected).toBeLessThan(1.02);
  });

  it('the importance-sampling table and uniform sphere sampling agree on a constant map (occlusion, 3 bounces)', async () => {
    const scene = () => {
      const b = new SceneBuilder();
      b.quad([-3, 0, 3], [3, 0, 3], [3, 0, -3], [-3, 0, -3], b.addMaterial({ ...lambert, baseColor: [0.6, 0.6, 0.6, 1] }));
      b.sphere([0, 0.5, 0], 0.5, b.addMaterial({ baseColor: [0.8, 0.3, 0.2, 1], metallic: 0, roughness: 0.4 }));
      return b;
    };
    // Looking down at the sphere on the floor (-z = (0, -0.34, -0.94)): every pixel shows a surface.
    const cam: CameraDesc = { cameraToWorld: [1, 0, 0, 0, 0, 0.94, -0.34, 0, 0, 0.34, 0.94, 0, 0, 1.5, 3, 1], yfov: 0.5 };
    const table = await renderMean(scene().build({ background: hdri(32, 16, () => 0.8) }), cam, { maxDepth: 3, spp: 32 });
    const uniform = await renderMean(scene().build({ background: { type: 'color', color: [0.8, 0.8, 0.8] } }), cam, { maxDepth: 3, spp: 32 });
    expect(table / uniform).toBeGreaterThan(0.99);
    expect(table / uniform).toBeLessThan(1.01);
  });

  it('refuses a map whose size and data disagree, or with negative radiance, in words', async () => {
    const b = new SceneBuilder();
    b.sphere([0, 0, 0], 1, b.addMaterial(lambert));
    const bad = { type: 'hdri' as const, width: 4, height: 2, data: new Float32Array(10), intensity: 1 };
    await expect(loadScene(b.build({ background: bad }))).rejects.toThrow(/holds 10 numbers, not width x height x 3 = 24/);
    const neg = hdri(4, 2, () => 1);
    neg.data[5] = -1;
    await expect(loadScene(b.build({ background: neg }))).rejects.toThrow(/background.data\[5\] = -1/);
  });
});

describe('the auto world light rule', () => {
  it('lights a model lit only by a small emissive texture with the studio, so its preview is not dark', async () => {
    const doc = emissiveOnlyModel();
    const auto = flattenScene(doc, { aspect: 16 / 9 });
    expect(auto.environment.kind).toBe('studio');
    expect(auto.environment.reason).toMatch(/emissive surfaces alone would leave the frame dark/);
    expect(auto.environment.emissiveBrightness!).toBeLessThan(DARK_MEAN);
    // The prediction agrees with the preview's own measure: dark without, visible with.
    const none = flattenScene(doc, { aspect: 16 / 9, environment: 'none' });
    expect(await previewBrightness(none.buffers, none.camera)).toBeLessThan(DARK_MEAN);
    expect(await previewBrightness(auto.buffers, auto.camera)).toBeGreaterThan(3 * DARK_MEAN);
  });

  it('leaves a room lit by its lamp alone (the classic Cornell box), and its preview is not dark', async () => {
    const flat = flattenScene(classicCornellBox(), { aspect: 16 / 9 });
    expect(flat.environment.kind).toBe('none');
    expect(flat.environment.reason).toMatch(/lit by its emissive surfaces/);
    expect(await previewBrightness(flat.buffers, flat.camera)).toBeGreaterThan(DARK_MEAN);
  });
});
