import { describe, expect, it } from 'vitest';
import { EngineError, loadScene, renderTile } from '../../../../main/core/engine/index';
import type { SceneBuffers } from '../../../../main/core/engine/types';
import { cameraAt, SceneBuilder, texture } from './fixtures';

function good(): SceneBuffers {
  const b = new SceneBuilder();
  const m = b.addMaterial();
  b.addTexture(texture(2, 2, () => [255, 255, 255, 255]));
  b.quad([-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0], m);
  return b.build();
}

async function rejection(buffers: SceneBuffers): Promise<EngineError> {
  try {
    const s = await loadScene(buffers);
    s.dispose();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('loadScene accepted a bad scene');
}

type Case = [string, (s: SceneBuffers) => unknown, RegExp];

const cases: Case[] = [
  ['an index past the vertices', (s) => { s.indices = new Uint32Array([0, 1, 900, 0, 2, 3]); }, /^indices\[2\] = 900 is out of range \(scene has 4 vertices\)$/],
  ['positions not in threes', (s) => { s.positions = new Float32Array(11); }, /positions has 11 numbers, not a multiple of 3/],
  ['a NaN position', (s) => { s.positions[4] = NaN; }, /positions\[4\] = nan is not a finite number/],
  ['an infinite uv', (s) => { s.uvs[1] = Infinity; }, /uvs\[1\] = inf is not a finite number/],
  ['normals of the wrong length', (s) => { s.normals = new Float32Array(5); }, /normals has 5 numbers, expected 0 or 12 \(4 vertices\)/],
  ['tangents of the wrong length', (s) => { s.tangents = new Float32Array(12); }, /tangents has 12 numbers, expected 0 or 16/],
  ['indices not in threes', (s) => { s.indices = new Uint32Array([0, 1]); s.materialIndex = new Uint32Array(0); }, /indices has 2 entries, not a multiple of 3/],
  ['a missing material index', (s) => { s.materialIndex = new Uint32Array([0]); }, /materialIndex has 1 entries, expected one per triangle \(2\)/],
  ['a material index past the materials', (s) => { s.materialIndex = new Uint32Array([0, 5]); }, /materialIndex\[1\] = 5 is out of range \(scene has 1 materials\)/],
  ['a texture index past the textures', (s) => { s.materials[0]!.baseColorTexture = 3; }, /materials\[0\] \("m"\)\.baseColorTexture = 3 is out of range \(scene has 1 textures\)/],
  ['a normal texture index below -1', (s) => { s.materials[0]!.normalTexture = -2; }, /normalTexture = -2 is out of range/],
  ['texture data shorter than its size', (s) => { s.textures[0]!.data = new Uint8Array(15); }, /textures\[0\]\.data has 15 bytes, expected 16 \(2x2 RGBA8\)/],
  ['a zero-sized texture', (s) => { s.textures[0]!.width = 0; }, /textures\[0\] has size 0x2/],
  ['roughness outside 0..1', (s) => { s.materials[0]!.roughness = 2; }, /roughness = 2 is outside 0\.\.1/],
  ['a specular weight outside 0..1', (s) => { s.materials[0]!.specular = 1.5; }, /materials\[0\] \("m"\)\.specular = 1\.5 is outside 0\.\.1/],
  ['a negative specular colour', (s) => { s.materials[0]!.specularColor = [1, 1, -0.5]; }, /specularColor\[2\] = -0\.5 is negative/],
  ['a specular texture index past the textures', (s) => { s.materials[0]!.specularColorTexture = 7; }, /specularColorTexture = 7 is out of range \(scene has 1 textures\)/],
  ['a missing specular colour', (s) => { (s.materials[0] as { specularColor?: unknown }).specularColor = undefined; }, /specularColor/],
  ['a negative base colour', (s) => { s.materials[0]!.baseColor = [1, -1, 1, 1]; }, /baseColor\[1\] = -1 is negative/],
  ['an unknown alpha mode', (s) => { (s.materials[0] as { alphaMode: string }).alphaMode = 'glass'; }, /alphaMode = 'glass' is not one of/],
  ['a wrong wrap mode', (s) => { (s.textures[0] as { wrapS: string }).wrapS = 'tile'; }, /wrapS = 'tile' is not one of 'repeat', 'clamp', 'mirror'/],
  ['positions as a plain array', (s) => { (s as { positions: unknown }).positions = [0, 0, 0]; }, /^positions must be a Float32Array$/],
  ['indices as Int32Array', (s) => { (s as { indices: unknown }).indices = new Int32Array(6); }, /^indices must be a Uint32Array$/],
  ['a spot light without direction', (s) => { s.lights = [{ type: 'spot', position: [0, 0, 0], direction: [0, 0, 0], color: [1, 1, 1], intensity: 1, range: 0, innerConeAngle: 0, outerConeAngle: 1 }]; }, /lights\[0\]\.direction is the zero vector/],
  ['an unknown light type', (s) => { s.lights = [{ type: 'area' as 'point', position: [0, 0, 0], direction: [0, 0, 1], color: [1, 1, 1], intensity: 1, range: 0, innerConeAngle: 0, outerConeAngle: 1 }]; }, /lights\[0\]\.type = 'area'/],
  ['a NaN light colour', (s) => { s.lights = [{ type: 'point', position: [0, 0, 0], direction: [0, 0, 1], color: [1, NaN, 1], intensity: 1, range: 0, innerConeAngle: 0, outerConeAngle: 1 }]; }, /lights\[0\]\.color\[1\] = nan is not a finite number/],
  ['an equirect background without its texture', (s) => { s.background = { type: 'equirect', texture: 4, intensity: 1 }; }, /background\.texture = 4 is out of range \(scene has 1 textures\)/],
  ['a background colour of the wrong length', (s) => { s.background = { type: 'color', color: [1, 1] as unknown as [number, number, number] }; }, /background\.color must hold 3 numbers, not 2/],
  ['a transmission above 1 (more light out than in)', (s) => { s.materials[0]!.transmission = 2; }, /materials\[0\] \("m"\)\.transmission = 2 is outside 0\.\.1/],
  ['an index of refraction below 1', (s) => { s.materials[0]!.ior = 0.5; }, /\.ior = 0\.5 is outside 1\.\.10/],
  ['an attenuation colour above 1 (a volume that amplifies)', (s) => { s.materials[0]!.attenuationColor = [1, 2, 1]; }, /attenuationColor\[1\] = 2 is outside 0\.\.1/],
  ['a negative attenuation distance', (s) => { s.materials[0]!.attenuationDistance = -1; }, /attenuationDistance = -1 is outside/],
  ['a NaN clear coat', (s) => { s.materials[0]!.clearcoat = NaN; }, /clearcoat = nan is not a finite number/],
  ['a sheen colour above 1', (s) => { s.materials[0]!.sheenColor = [3, 0, 0]; }, /sheenColor\[0\] = 3 is outside 0\.\.1/],
  ['a sheen texture index past the textures', (s) => { s.materials[0]!.sheenRoughnessTexture = 9; }, /sheenRoughnessTexture = 9 is out of range \(scene has 1 textures\)/],
  ['a texture transform of the wrong length', (s) => { (s.textures[0] as { transform?: unknown }).transform = [1, 0, 0]; }, /textures\[0\]\.transform must hold 6 numbers, not 3/],
  ['a NaN in a texture transform', (s) => { (s.textures[0] as { transform?: unknown }).transform = [1, 0, NaN, 0, 1, 0]; }, /transform\[2\] = nan is not a finite number/],
  ['materials missing', (s) => { (s as { materials: unknown }).materials = undefined; }, /materials must be an array/],
];

describe('bad scenes are rejected with a message naming the problem', () => {
  for (const [name, mutate, message] of cases) {
    it(`rejects ${name}`, async () => {
      const s = good();
      mutate(s);
      const err = await rejection(s);
      expect(err.code).toBe('ENGINE_BAD_SCENE');
      expect(err.message).toMatch(message);
    });
  }

  it('loads and renders a scene whose coordinates are denormal floats (once an out-of-bounds write in the BVH build)', async () => {
    // Found by npm run fuzz: a centroid extent of ~1e-41 made the SAH bin scale infinite.
    const b = new SceneBuilder();
    const m = b.addMaterial();
    const t = 3.3e-41;
    for (let i = 0; i < 8; i++) b.quad([0, 0, i * t], [1, 0, i * t], [1, 1, (i + 1) * t], [0, 1, i * t], m);
    const scene = await loadScene(b.build());
    const r = await renderTile({ scene, camera: cameraAt([0.5, 0.5, 2]), width: 8, height: 8, rect: { x: 0, y: 0, width: 8, height: 8 }, spp: 1, seed: 1, threads: 1, maxDepth: 2 });
    expect(r.length).toBe(8 * 8 * 4);
    expect(r.every((x) => Number.isFinite(x))).toBe(true);
    scene.dispose();
  });

  it('accepts the unmodified scene', async () => {
    const s = await loadScene(good());
    expect(s.info.triangles).toBe(2);
    s.dispose();
  });
});

describe('bad render options are rejected', () => {
  const opts = { camera: cameraAt([0, 0, 2]), width: 16, height: 16, spp: 1, seed: 1, threads: 1 };
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['a rect outside the frame', { rect: { x: 10, y: 0, width: 8, height: 4 } }, /rect \{x: 10, y: 0, width: 8, height: 4\} is outside the 16x16 frame/],
    // x + width wraps a 32-bit int to a negative number: once that passed and allocated ~32 GiB.
    ['a rect whose x + width overflows 32 bits', { rect: { x: 2147483000, y: 0, width: 2147483000, height: 4 } }, /is outside the 16x16 frame/],
    ['a rect whose y + height overflows 32 bits', { rect: { x: 0, y: 2147483000, width: 4, height: 2147483000 } }, /is outside the 16x16 frame/],
    ['a rect with a huge width at x = 1', { width: 65536, height: 65536, rect: { x: 1, y: 0, width: 2147483646, height: 4 } }, /is outside the 65536x65536 frame/],
    ['a rect of more than 2^26 pixels', { width: 65536, height: 65536, rect: { x: 0, y: 0, width: 65536, height: 65536 } }, /has more than 67108864 pixels/],
    ['zero spp', { spp: 0 }, /spp = 0 is outside 1\.\.1048576/],
    ['a fractional seed', { seed: 1.5 }, /seed = 1\.5 must be an integer/],
    ['a negative depth', { maxDepth: -1 }, /maxDepth = -1 is outside 0\.\.1024/],
    ['zero threads', { threads: 0 }, /threads = 0 is outside 1\.\.4096/],
    ['a NaN in the camera', { camera: { cameraToWorld: [NaN, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], yfov: 1 } }, /camera\.cameraToWorld\[0\] = nan is not a finite number/],
    ['a 4x3 camera matrix', { camera: { cameraToWorld: [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0], yfov: 1 } }, /camera\.cameraToWorld must hold 16 numbers, not 12/],
    ['a field of view of pi', { camera: { ...cameraAt([0, 0, 0]), yfov: Math.PI } }, /camera\.yfov = 3\.14159 must be between 0 and pi/],
    ['an unknown backend', { backend: 'metal' }, /backend must be 'cpu' or 'cuda', got 'metal'/],
  ];
  for (const [name, patch, message] of bad) {
    it(`rejects ${name}`, async () => {
      const scene = await loadScene(good());
      const err = await renderTile({ scene, ...opts, ...patch } as Parameters<typeof renderTile>[0]).catch((e: unknown) => e);
      scene.dispose();
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).code).toBe('ENGINE_BAD_OPTIONS');
      expect((err as EngineError).message).toMatch(message);
    });
  }

  it('rejects rendering a disposed scene', async () => {
    const scene = await loadScene(good());
    scene.dispose();
    const err = await renderTile({ scene, ...opts }).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('ENGINE_DISPOSED');
  });
});
