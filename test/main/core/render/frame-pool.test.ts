import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JobSpecSchema, splitJob } from '../../../../shared/job-spec';
import type { JobSpec } from '../../../../shared/job-spec';
import { RayfarmError } from '../../../../main/core/errors';
import { SceneFramePool } from '../../../../main/core/render/frame-pool';
import { nativeEngine, SceneRenderer } from '../../../../main/core/render/render-task';
import type { ScenePackage } from '../../../../main/core/render/render-task';
import { flattenFrame, forgetParsedScenes } from '../../../../main/core/render/scene-frames';
import type { FrameRequest } from '../../../../main/core/render/scene-frames';
import { flattenScene } from '../../../../main/core/engine/flatten';
import { readGlb } from '../../../../main/core/engine/gltf-io';
import { engineBuilt, sayIfNoEngine } from '../../../helpers/engine';
import { sha256Hex } from '../../../../main/core/store';
import { countTurns } from '../helpers/event-loop';

const ROOT = resolve(import.meta.dirname, '../../../..');
const FIXTURES = join(import.meta.dirname, '../workers/fixtures');
const SCENES = ['animated.glb', 'heavy.glb'].map((name) => {
  const glb = new Uint8Array(readFileSync(join(ROOT, 'resources/scenes', name)));
  return { name, glb, sceneHash: sha256Hex(glb) };
});

sayIfNoEngine('frame render tests are');

const pools: SceneFramePool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

function pool(opts: ConstructorParameters<typeof SceneFramePool>[0] = {}): SceneFramePool {
  const p = new SceneFramePool(opts);
  pools.push(p);
  return p;
}

/** A package that counts how often its bytes were asked for. */
function counted(scene: (typeof SCENES)[number]): ScenePackage & { reads: number } {
  const pkg = { sceneHash: scene.sceneHash, reads: 0, glb: () => (pkg.reads++, scene.glb) };
  return pkg;
}

const FRAMES = [0, 7, 19];

function specOf(sceneHash: string): JobSpec {
  return JobSpecSchema.parse({ sceneId: sceneHash, width: 48, height: 27, spp: 2, maxDepth: 3, frames: { start: 0, end: 23 }, tiles: { x: 2, y: 1 } });
}

/** Every task of the chosen frames, rendered by one renderer, in order. */
async function renderAll(renderer: SceneRenderer, spec: JobSpec): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  try {
    for (const task of splitJob(spec).filter((t) => FRAMES.includes(t.frame))) out.push((await renderer.renderTask(spec, task, { threads: 2 })).pixels);
  } finally {
    await renderer.dispose();
  }
  return out;
}

function expectSamePixels(a: Float32Array[], b: Float32Array[]): void {
  expect(a.length).toBe(b.length);
  for (const [i, px] of a.entries()) expect(Buffer.from(px.buffer, px.byteOffset, px.byteLength).equals(Buffer.from(b[i]!.buffer, b[i]!.byteOffset, b[i]!.byteLength))).toBe(true);
}

describe('SceneFramePool', () => {
  it.skipIf(!engineBuilt)('renders tasks of animated.glb and heavy.glb from the package bit for bit like from the document, parsing each scene once', async () => {
    const p = pool();
    for (const scene of SCENES) {
      const spec = specOf(scene.sceneHash);
      const inThread = await renderAll(new SceneRenderer(await readGlb(scene.glb), nativeEngine), spec);
      const pkg = counted(scene);
      const inWorker = await renderAll(new SceneRenderer(pkg, nativeEngine, p), spec);
      expectSamePixels(inWorker, inThread);
      expect(inThread.length).toBe(FRAMES.length * 2);
      // The bytes crossed once; later frames (and a new renderer of the scene) used the worker's parsed copy.
      expect(pkg.reads).toBe(1);
      await new SceneRenderer(pkg, nativeEngine, p).frame(spec, 3);
      expect(pkg.reads).toBe(1);
    }
  });

  it('frame: gives the flattener\'s buffers, camera and warnings at each time', async () => {
    const p = pool();
    const scene = SCENES[0]!;
    const doc = await readGlb(scene.glb);
    for (const time of [0, 0.5]) {
      const req = { sceneHash: scene.sceneHash, time, cameraIndex: 'auto', aspect: 16 / 9, environment: 'auto' } as const;
      const got = await p.frame(req, () => scene.glb);
      const want = flattenScene(doc, req);
      expect(got.camera).toEqual(want.camera);
      expect(got.warnings).toEqual(want.warnings);
      expect(got.usedDefaultEnvironment).toBe(want.usedDefaultEnvironment);
      expect(got.buffers).toEqual(want.buffers);
      expect(got.buffers.positions.byteLength).toBeGreaterThan(0);
    }
  });

  it('frame: keeps the event loop turning while heavy.glb is parsed and flattened', async () => {
    const p = pool();
    const heavy = SCENES[1]!;
    const req = { sceneHash: heavy.sceneHash, time: 0, cameraIndex: 'auto', aspect: 16 / 9, environment: 'auto' } as const;
    // Start the worker on another scene first, so only heavy.glb's parse and flatten are counted.
    await p.frame({ ...req, sceneHash: SCENES[0]!.sceneHash }, () => SCENES[0]!.glb);
    const { turns } = await countTurns(() => p.frame(req, () => heavy.glb));
    // In-thread, the same work gives the loop (almost) no turn: it is one long synchronous stretch.
    forgetParsedScenes();
    const { turns: inThread } = await countTurns(() => flattenFrame({ ...req, glb: heavy.glb }));
    expect(inThread).toBeLessThan(5);
    expect(turns).toBeGreaterThan(100);
  });

  it('frame: a stored scene that is not a GLB fails with SCENE_UNREADABLE', async () => {
    const p = pool();
    const err = await p.frame({ sceneHash: 'f'.repeat(64), time: 0, cameraIndex: 'auto', aspect: 1, environment: 'auto' }, () => new TextEncoder().encode('not a glb')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RayfarmError);
    expect((err as RayfarmError).code).toBe('SCENE_UNREADABLE');
  });

  it.skipIf(!engineBuilt)('a worker that dies mid-frame fails the task with SCENE_FRAME_CRASHED', async () => {
    const p = pool({ entry: async () => join(FIXTURES, 'crash-worker.mjs') });
    const scene = SCENES[0]!;
    const spec = specOf(scene.sceneHash);
    const renderer = new SceneRenderer(counted(scene), nativeEngine, p);
    const err = await renderer.renderTask(spec, splitJob(spec)[0]!).catch((e: unknown) => e);
    await renderer.dispose();
    expect(err).toBeInstanceOf(RayfarmError);
    expect((err as RayfarmError).code).toBe('SCENE_FRAME_CRASHED');
    expect((err as Error).message).toContain('exited with code 3');
  });

  it.skipIf(!engineBuilt)('a worker that runs past its heap limit dies alone: the task fails with SCENE_FRAME_CRASHED and the app lives', async () => {
    const p = pool({ entry: async () => join(FIXTURES, 'oom-worker.mjs'), resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 8 } });
    const scene = SCENES[0]!;
    const spec = specOf(scene.sceneHash);
    const renderer = new SceneRenderer(counted(scene), nativeEngine, p);
    const err = await renderer.renderTask(spec, splitJob(spec)[0]!).catch((e: unknown) => e);
    await renderer.dispose();
    expect((err as RayfarmError).code).toBe('SCENE_FRAME_CRASHED');
    expect((err as Error).message).toMatch(/out of memory|ERR_WORKER_OUT_OF_MEMORY|heap/i);
  });

  it.skipIf(!engineBuilt)('a worker that cannot start falls back to this thread with the same pixels, and says so once', async () => {
    const lines: string[] = [];
    const p = pool({ entry: async () => join(FIXTURES, 'no-such-worker.mjs'), log: (l) => lines.push(l) });
    const scene = SCENES[0]!;
    const spec = specOf(scene.sceneHash);
    const inThread = await renderAll(new SceneRenderer(await readGlb(scene.glb), nativeEngine), spec);
    expectSamePixels(await renderAll(new SceneRenderer(counted(scene), nativeEngine, p), spec), inThread);
    expectSamePixels(await renderAll(new SceneRenderer(counted(scene), nativeEngine, p), spec), inThread);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/scene frame worker could not start .*loading scene frames on the main thread/);
  });

  it('close: fails a frame in flight and refuses new ones', async () => {
    const p = pool();
    const heavy = SCENES[1]!;
    const req: FrameRequest = { sceneHash: heavy.sceneHash, glb: heavy.glb, time: 0, cameraIndex: 'auto', aspect: 1, environment: 'auto' };
    const running = p.frame(req, () => heavy.glb).catch((e: unknown) => e);
    await p.close();
    expect(await running).toMatchObject({ code: 'SCENE_FRAME_CLOSED' });
    await expect(p.frame(req, () => heavy.glb)).rejects.toMatchObject({ code: 'SCENE_FRAME_CLOSED' });
  });
});
