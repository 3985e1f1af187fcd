import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchmark, cudaCompiledIn, devices, EngineError, loadScene, renderTile, renderTileDetailed } from '../../../../main/core/engine/index';
import type { EngineScene } from '../../../../main/core/engine/index';
import { cameraAt, cornellRoom } from './fixtures';

let scene: EngineScene;
const camera = cameraAt([0, 1, 3.4]);

beforeAll(async () => {
  scene = await loadScene(cornellRoom().builder.build());
});
afterAll(() => scene.dispose());

/** A render big enough to take several seconds if it were not cancelled. */
const long = { camera, width: 256, height: 256, spp: 4096, seed: 1, maxDepth: 8, threads: 2 };

describe('rendering runs off the JS thread', () => {
  it('reports progress in order, ending at 1', async () => {
    const seen: number[] = [];
    await renderTile({ scene, camera, width: 32, height: 32, spp: 2, seed: 1, threads: 2, onProgress: (f) => seen.push(f) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
  });

  it('reports the render threads\' CPU time (the estimate times its probes by it), bounded by threads x elapsed', async () => {
    const r = await renderTileDetailed({ scene, camera, width: 64, height: 64, spp: 16, seed: 1, threads: 2 });
    expect(r.cpuSeconds).toBeGreaterThan(0);
    expect(r.cpuSeconds).toBeLessThanOrEqual(r.seconds * 2 + 0.01);
  });

  it('keeps the event loop turning during a render, and an abort rejects it with ENGINE_CANCELLED', async () => {
    const ac = new AbortController();
    let settled = false;
    const render = renderTile({ scene, ...long, signal: ac.signal })
      .catch((e: unknown) => e)
      .finally(() => (settled = true));
    // Turn the event loop 500 times while the native threads render (the render alone would
    // take minutes, so it is still running when the loop has turned).
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const spin = () => (++ticks >= 500 ? resolve() : setImmediate(spin));
      setImmediate(spin);
    });
    expect(settled).toBe(false);
    const t0 = performance.now();
    ac.abort();
    const err = await render;
    const cancelMs = performance.now() - t0;
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('ENGINE_CANCELLED');
    expect((err as EngineError).message).toMatch(/cancelled/);
    console.log(JSON.stringify({ cancelMs: Math.round(cancelMs * 10) / 10 }));
    expect(cancelMs).toBeLessThan(2000); // generous: the engine polls per pixel (target < 100 ms)
  });

  it('a throwing onProgress stops the render and rejects it with that error', async () => {
    const boom = new Error('progress handler failed');
    const err = await renderTile({ scene, ...long, spp: 64, onProgress: () => { throw boom; } }).catch((e: unknown) => e);
    expect(err).toBe(boom);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const err = await renderTile({ scene, ...long, signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('ENGINE_CANCELLED');
  });
});

describe('devices and benchmark', () => {
  it('lists the CPU first, and CUDA devices only when a driver answers', () => {
    const list = devices();
    expect(list[0]).toMatchObject({ backend: 'cpu', name: 'CPU', memory: 0 });
    expect(list[0]!.threads).toBeGreaterThan(0);
    for (const d of list.slice(1)) expect(d.backend).toBe('cuda');
  });

  it('asking for CUDA where there is none fails with ENGINE_NO_CUDA', async (ctx) => {
    if (devices().some((d) => d.backend === 'cuda')) ctx.skip();
    const err = await renderTile({ scene, camera, width: 8, height: 8, spp: 1, seed: 1, threads: 1, backend: 'cuda' }).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('ENGINE_NO_CUDA');
    expect((err as EngineError).message).toMatch(cudaCompiledIn() ? /no CUDA device is available/ : /built without CUDA/);
  });

  it('the benchmark reports samples per second and a proportional score', async () => {
    const r = await benchmark({ width: 32, height: 32, spp: 2, threads: 2 });
    expect(r.samples).toBe(32 * 32 * 2);
    expect(r.samplesPerSecond).toBeGreaterThan(0);
    expect(r.score).toBeCloseTo((100 * r.samplesPerSecond) / 1e6, 6);
  });
});
