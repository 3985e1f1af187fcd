import { describe, expect, it } from 'vitest';
import { loadScene, renderTile } from '../../../../main/core/engine/index';
import type { LightDesc, MaterialDesc, SceneBuffers } from '../../../../main/core/engine/types';
import { cameraAt, meanChannel, meanLuminance, SceneBuilder, texture } from './fixtures';

const W = 48, H = 48;
const sphereRegion = { x: 16, y: 16, width: 16, height: 16 };
const pointLight: LightDesc = {
  type: 'point', position: [1.5, 2, 2], direction: [0, 0, -1], color: [12, 12, 12], intensity: 12, range: 0, innerConeAngle: 0, outerConeAngle: 0.8,
};

/** A sphere of material `m` above a grey floor, lit by `lights`, seen from the front. */
function litSphere(m: Partial<MaterialDesc>, opts: { lights?: LightDesc[]; textures?: SceneBuffers['textures']; background?: SceneBuffers['background'] } = {}): SceneBuffers {
  const b = new SceneBuilder();
  const floor = b.addMaterial({ baseColor: [0.5, 0.5, 0.5, 1] });
  const mat = b.addMaterial(m);
  for (const t of opts.textures ?? []) b.addTexture(t);
  b.quad([-4, -1, 4], [4, -1, 4], [4, -1, -4], [-4, -1, -4], floor);
  b.sphere([0, 0, 0], 1, mat, 24, 48);
  return b.build({ lights: opts.lights ?? [pointLight], background: opts.background ?? { type: 'color', color: [0, 0, 0] } });
}

async function render(buffers: SceneBuffers, spp = 16): Promise<Float32Array> {
  const scene = await loadScene(buffers);
  try {
    return await renderTile({ scene, camera: cameraAt([0, 0, 3.2], 0.9), width: W, height: H, spp, seed: 3, maxDepth: 4, threads: 2 });
  } finally {
    scene.dispose();
  }
}

function peak(px: Float32Array): { r: number; g: number; b: number } {
  let best = -1, at = 0;
  for (let i = 0; i < W * H; i++) {
    const l = px[i * 4]! + px[i * 4 + 1]! + px[i * 4 + 2]!;
    if (l > best) [best, at] = [l, i];
  }
  return { r: px[at * 4]!, g: px[at * 4 + 1]!, b: px[at * 4 + 2]! };
}

describe('material inputs change the image the expected way', () => {
  it('a brighter base colour gives a brighter sphere', async () => {
    const dark = meanLuminance(await render(litSphere({ baseColor: [0.2, 0.2, 0.2, 1] })), W, sphereRegion);
    const bright = meanLuminance(await render(litSphere({ baseColor: [0.9, 0.9, 0.9, 1] })), W, sphereRegion);
    expect(dark).toBeGreaterThan(0);
    expect(bright).toBeGreaterThan(dark * 2.5);
  });

  it('emission adds light', async () => {
    const off = meanLuminance(await render(litSphere({})), W, sphereRegion);
    const on = meanLuminance(await render(litSphere({ emissive: [2, 2, 2] })), W, sphereRegion);
    expect(on).toBeGreaterThan(off + 1.5);
  });

  it('an emissive texture colours the emission', async () => {
    const red = texture(2, 2, () => [255, 0, 0, 255]);
    const px = await render(litSphere({ baseColor: [0, 0, 0, 1], emissive: [3, 3, 3], emissiveTexture: 0 }, { textures: [red], lights: [] }));
    expect(meanChannel(px, W, sphereRegion, 0)).toBeGreaterThan(2);
    expect(meanChannel(px, W, sphereRegion, 1)).toBeLessThan(0.01);
  });

  it('lower roughness gives a sharper, brighter highlight', async () => {
    const rough = peak(await render(litSphere({ roughness: 0.9 })));
    const smooth = peak(await render(litSphere({ roughness: 0.15 })));
    expect(smooth.g).toBeGreaterThan(rough.g * 3);
  });

  it('metallic tints the highlight with the base colour', async () => {
    const red = [0.9, 0.1, 0.1, 1] as const;
    const plastic = peak(await render(litSphere({ baseColor: red, roughness: 0.2, metallic: 0 })));
    const metal = peak(await render(litSphere({ baseColor: red, roughness: 0.2, metallic: 1 })));
    expect(plastic.g / plastic.r).toBeGreaterThan(0.3); // white dielectric specular
    expect(metal.g / metal.r).toBeLessThan(0.2); // coloured metal specular
  });

  it('the metallic-roughness texture drives metal (B) and roughness (G)', async () => {
    const red = [0.9, 0.1, 0.1, 1] as const;
    const mrMetal = texture(2, 2, () => [0, 50, 255, 255], false); // rough ~0.2, metal 1
    const viaTexture = peak(await render(litSphere({ baseColor: red, metallic: 1, roughness: 1, metallicRoughnessTexture: 0 }, { textures: [mrMetal] })));
    expect(viaTexture.g / viaTexture.r).toBeLessThan(0.2);
    expect(viaTexture.r).toBeGreaterThan(1);
  });

  it('a base colour texture changes the colour', async () => {
    const green = texture(4, 4, () => [0, 255, 0, 255]);
    const px = await render(litSphere({ baseColor: [1, 1, 1, 1], baseColorTexture: 0 }, { textures: [green] }));
    expect(meanChannel(px, W, sphereRegion, 1)).toBeGreaterThan(meanChannel(px, W, sphereRegion, 0) * 10);
  });

  it('a normal map tilts the shading normal (towards the light is brighter)', async () => {
    // A floor seen from above, lit from +x at a grazing angle; the map tilts normals to +x or -x.
    async function floor(tilt: number): Promise<number> {
      const b = new SceneBuilder();
      const nt = b.addTexture(texture(2, 2, () => [Math.round((tilt * 0.5 + 0.5) * 255), 128, 230, 255], false));
      const m = b.addMaterial({ baseColor: [0.8, 0.8, 0.8, 1], normalTexture: nt });
      b.quad([-2, 0, 2], [2, 0, 2], [2, 0, -2], [-2, 0, -2], m);
      const light: LightDesc = { ...pointLight, position: [6, 1, 0] };
      const scene = await loadScene(b.build({ lights: [light] }));
      const down = { cameraToWorld: [1, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, 0, 3, 0, 1], yfov: 0.6 };
      const px = await renderTile({ scene, camera: down, width: 32, height: 32, spp: 4, seed: 1, maxDepth: 1, threads: 2 });
      scene.dispose();
      return meanLuminance(px, 32, { x: 0, y: 0, width: 32, height: 32 });
    }
    const towards = await floor(0.6), away = await floor(-0.6), flat = await floor(0);
    expect(towards).toBeGreaterThan(flat * 1.3);
    expect(away).toBeLessThan(flat * 0.7);
  });

  it('authored tangents (xyzw) drive the normal map like the tangents derived from uvs', async () => {
    // The map tilts normals along the bitangent (green), so the handedness w matters.
    async function floor(tangents: number[] | null): Promise<number> {
      const b = new SceneBuilder();
      const nt = b.addTexture(texture(2, 2, () => [128, Math.round(0.8 * 255), 200, 255], false));
      const m = b.addMaterial({ baseColor: [0.8, 0.8, 0.8, 1], normalTexture: nt });
      b.quad([-2, 0, 2], [2, 0, 2], [2, 0, -2], [-2, 0, -2], m);
      if (tangents) b.tangents = [...tangents, ...tangents, ...tangents, ...tangents];
      const light: LightDesc = { ...pointLight, position: [0, 1.5, 5] };
      const scene = await loadScene(b.build({ lights: [light] }));
      const down = { cameraToWorld: [1, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, 0, 3, 0, 1], yfov: 0.6 };
      const px = await renderTile({ scene, camera: down, width: 32, height: 32, spp: 4, seed: 1, maxDepth: 1, threads: 2 });
      scene.dispose();
      return meanLuminance(px, 32, { x: 0, y: 0, width: 32, height: 32 });
    }
    const derived = await floor(null);
    const authored = await floor([1, 0, 0, -1]); // glTF: bitangent = cross(normal, tangent) * w
    const mirrored = await floor([1, 0, 0, 1]);
    expect(Math.abs(authored - derived) / derived).toBeLessThan(0.01);
    expect(Math.abs(mirrored - derived) / derived).toBeGreaterThan(0.2);
  });

  it('alpha mask cuts holes, alpha blend lets part of the light through', async () => {
    async function screen(mode: 'mask' | 'blend', alpha: number): Promise<Float32Array> {
      const b = new SceneBuilder();
      // Left half of the texture transparent, right half opaque; base alpha scales it.
      const t = b.addTexture(texture(16, 1, (x) => [255, 255, 255, x < 8 ? 0 : 255]));
      expect(t).toBe(0);
      const m = b.addMaterial({ baseColor: [0, 0, 0, alpha], baseColorTexture: 0, alphaMode: mode, alphaCutoff: 0.5 });
      b.textures[0]!.wrapS = 'clamp';
      b.quad([-3, -3, 0], [3, -3, 0], [3, 3, 0], [-3, 3, 0], m);
      const scene = await loadScene(b.build({ background: { type: 'color', color: [1, 1, 1] } }));
      const px = await renderTile({ scene, camera: cameraAt([0, 0, 2], 1.2), width: 32, height: 32, spp: 32, seed: 1, maxDepth: 2, threads: 2 });
      scene.dispose();
      return px;
    }
    const left = { x: 2, y: 8, width: 10, height: 16 }, right = { x: 20, y: 8, width: 10, height: 16 };
    const mask = await screen('mask', 1);
    expect(meanLuminance(mask, 32, left)).toBeGreaterThan(0.99); // hole: background shows
    expect(meanLuminance(mask, 32, right)).toBeLessThan(0.06); // black surface: only its 4 % Fresnel reflection
    const blend = await screen('blend', 0.5);
    expect(meanLuminance(blend, 32, left)).toBeGreaterThan(0.99);
    const half = meanLuminance(blend, 32, right);
    expect(half).toBeGreaterThan(0.35);
    expect(half).toBeLessThan(0.65);
  });

  it('a scene without lights but with a background is not black', async () => {
    const px = await render(litSphere({}, { lights: [], background: { type: 'color', color: [0.5, 0.6, 0.7] } }));
    expect(meanLuminance(px, W, sphereRegion)).toBeGreaterThan(0.1);
  });

  it('an equirect background is looked up by direction', async () => {
    // Top half of the map blue, bottom half red: looking up sees blue, looking down red.
    const b = new SceneBuilder();
    const env = b.addTexture(texture(8, 4, (_x, y) => (y < 2 ? [0, 0, 255, 255] : [255, 0, 0, 255])));
    const scene = await loadScene(b.build({ background: { type: 'equirect', texture: env, intensity: 2 } }));
    const up = { cameraToWorld: [1, 0, 0, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 0, 0, 1], yfov: 0.5 };
    const px = await renderTile({ scene, camera: up, width: 8, height: 8, spp: 1, seed: 1, threads: 1 });
    expect(meanChannel(px, 8, { x: 0, y: 0, width: 8, height: 8 }, 2)).toBeCloseTo(2, 3);
    scene.dispose();
  });

  it('a small bright patch of an equirect sky lights a floor smoothly (the sky is importance-sampled)', async () => {
    const b = new SceneBuilder();
    // 64 x 32 black sky with one bright texel 48 degrees from the zenith.
    const sky = b.addTexture({ ...texture(64, 32, (x, y) => (x === 32 && y === 8 ? [255, 255, 255, 255] : [0, 0, 0, 255]), false), wrapT: 'clamp' });
    const m = b.addMaterial({ baseColor: [0.5, 0.5, 0.5, 1] });
    b.quad([-2, 0, 2], [2, 0, 2], [2, 0, -2], [-2, 0, -2], m);
    const scene = await loadScene(b.build({ background: { type: 'equirect', texture: sky, intensity: 2000 } }));
    const down = { cameraToWorld: [1, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, 0, 3, 0, 1], yfov: 0.6 };
    const means = [];
    for (const seed of [1, 2]) {
      const px = await renderTile({ scene, camera: down, width: 24, height: 24, spp: 8, seed, maxDepth: 1, threads: 2 });
      means.push(meanLuminance(px, 24, { x: 0, y: 0, width: 24, height: 24 }));
    }
    scene.dispose();
    expect(means[0]!).toBeGreaterThan(0.5);
    // BSDF sampling alone finds a 0.007 sr patch about once in 600 samples: two seeds would
    // disagree by tens of percent. Sampling the sky agrees within a few.
    expect(Math.abs(means[0]! - means[1]!) / means[0]!).toBeLessThan(0.05);
  });

  it('spot lights light inside their cone only; directional lights light everything', async () => {
    const spotAt = (dir: [number, number, number]): LightDesc => ({ ...pointLight, type: 'spot', position: [0, 0, 3], direction: dir, innerConeAngle: 0.1, outerConeAngle: 0.3 });
    const inCone = meanLuminance(await render(litSphere({}, { lights: [spotAt([0, 0, -1])] })), W, sphereRegion);
    const outCone = meanLuminance(await render(litSphere({}, { lights: [spotAt([0, 1, 0])] })), W, sphereRegion);
    expect(inCone).toBeGreaterThan(0.1);
    expect(outCone).toBe(0);
    const sun: LightDesc = { ...pointLight, type: 'directional', direction: [0, 0, -1], color: [2, 2, 2] };
    expect(meanLuminance(await render(litSphere({}, { lights: [sun] })), W, sphereRegion)).toBeGreaterThan(0.3);
  });
});
