/**
 * CUDA backend checks, run with `npm run test:gpu` on a machine with a CUDA device. Skipped,
 * with one line saying why, where there is none. Prints a CPU-vs-CUDA speed comparison.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchmark, cudaCompiledIn, defaultThreads, devices, EngineError, loadScene, renderTile } from '../../main/core/engine/index';
import type { EngineScene } from '../../main/core/engine/index';
import { cameraAt, cornellRoom, meanLuminance, texture, writePng } from '../main/core/engine/fixtures';

const cudaDevices = devices().filter((d) => d.backend === 'cuda');
const reason = !cudaCompiledIn()
  ? 'the engine was built without CUDA (no nvcc at build time)'
  : cudaDevices.length === 0
    ? 'no CUDA device or driver on this machine'
    : '';
if (reason) console.log(`gpu tests skipped: ${reason}`);

const W = 128, H = 128;
const camera = cameraAt([0, 1, 3.4]);
const base = { camera, width: W, height: H, spp: 16, seed: 9, maxDepth: 8 };
let scene: EngineScene;

function bytes(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

describe.skipIf(reason !== '')('CUDA backend', () => {
  beforeAll(async () => {
    const { builder } = cornellRoom({ sphere: { metallic: 1, roughness: 0.3, baseColor: [0.9, 0.7, 0.4, 1] } });
    scene = await loadScene(builder.build());
  });
  afterAll(() => scene?.dispose());

  it('lists the CUDA device with its memory', () => {
    expect(cudaDevices[0]!.name.length).toBeGreaterThan(0);
    expect(cudaDevices[0]!.memory).toBeGreaterThan(0);
  });

  it('is deterministic: repeat and tile-vs-frame are bit-identical', async () => {
    const a = await renderTile({ scene, ...base, backend: 'cuda' });
    const b = await renderTile({ scene, ...base, backend: 'cuda' });
    expect(bytes(a).equals(bytes(b))).toBe(true);
    const rect = { x: 17, y: 40, width: 50, height: 33 };
    const tile = await renderTile({ scene, ...base, rect, backend: 'cuda' });
    for (let y = 0; y < rect.height; y++) {
      const row = a.subarray(((rect.y + y) * W + rect.x) * 4, ((rect.y + y) * W + rect.x + rect.width) * 4);
      expect(bytes(tile.subarray(y * rect.width * 4, (y + 1) * rect.width * 4)).equals(bytes(row))).toBe(true);
    }
    writePng('test-results/engine-cornell-cuda.png', a, W, H);
  });

  it('agrees with the CPU within float tolerance', async () => {
    const gpu = await renderTile({ scene, ...base, backend: 'cuda' });
    const cpu = await renderTile({ scene, ...base, backend: 'cpu', threads: defaultThreads() });
    let close = 0;
    for (let i = 0; i < W * H; i++) {
      let ok = true;
      for (let k = 0; k < 3; k++) ok &&= Math.abs(cpu[i * 4 + k]! - gpu[i * 4 + k]!) <= 1e-3 * Math.max(1, Math.abs(cpu[i * 4 + k]!));
      if (ok) close++;
    }
    const all = { x: 0, y: 0, width: W, height: H };
    const lc = meanLuminance(cpu, W, all), lg = meanLuminance(gpu, W, all);
    console.log(JSON.stringify({ closePixels: close / (W * H), cpuMeanLuminance: lc, cudaMeanLuminance: lg }));
    expect(Math.abs(lc - lg) / lc).toBeLessThan(0.01);
    expect(close / (W * H)).toBeGreaterThan(0.9);
  });

  it('agrees with the CPU under an importance-sampled equirect sky', async () => {
    const b = cornellRoom().builder;
    const sky = b.addTexture(texture(32, 16, (x, y) => [40 + 6 * x, 30 + 10 * y, 200, 255]));
    const open = await loadScene(b.build({ background: { type: 'equirect', texture: sky, intensity: 3 } }));
    const o = { ...base, camera: cameraAt([0, 1, 5]), maxDepth: 4 };
    const gpu = await renderTile({ scene: open, ...o, backend: 'cuda' });
    const cpu = await renderTile({ scene: open, ...o, backend: 'cpu', threads: defaultThreads() });
    open.dispose();
    const all = { x: 0, y: 0, width: W, height: H };
    const lc = meanLuminance(cpu, W, all), lg = meanLuminance(gpu, W, all);
    console.log(JSON.stringify({ sky: true, cpuMeanLuminance: lc, cudaMeanLuminance: lg }));
    expect(Math.abs(lc - lg) / lc).toBeLessThan(0.01);
  });

  it('cancels with ENGINE_CANCELLED', async () => {
    const ac = new AbortController();
    const p = renderTile({ scene, ...base, width: 1024, height: 1024, spp: 1 << 16, backend: 'cuda', signal: ac.signal }).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 50);
    const err = await p;
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('ENGINE_CANCELLED');
  });

  it('prints the CPU-vs-CUDA benchmark', async () => {
    const cpu = await benchmark({ backend: 'cpu' });
    const cuda = await benchmark({ backend: 'cuda', width: 1024, height: 1024, spp: 64 });
    console.log(JSON.stringify({ cpu, cuda, speedup: cuda.samplesPerSecond / cpu.samplesPerSecond }));
    expect(cuda.samplesPerSecond).toBeGreaterThan(0);
  });
});
