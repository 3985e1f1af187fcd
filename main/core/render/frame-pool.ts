/**
 * Flattens frames of packaged scenes (scene-frames.ts) in one reusable worker thread
 * (worker-pool.ts): parsing a GLB and flattening a frame take tens to hundreds of
 * milliseconds for a big scene, too long for the event loop that serves the API, the
 * libp2p node and the UI. The worker keeps the last few parsed scenes, so a frame request
 * carries the GLB bytes only when the worker asks for them.
 *
 * A worker that cannot start is logged once and frames are flattened on the calling
 * thread instead; a worker that dies during a frame fails it with SCENE_FRAME_CRASHED.
 */
import { RayfarmError } from '../errors';
import { flattenFrame, NEEDS_GLB } from './scene-frames';
import type { FlatFrame, FrameRequest } from './scene-frames';
import { WorkerPool, workerEntry } from '../workers/worker-pool';
import type { WorkerPoolOptions } from '../workers/worker-pool';

/** Where the frame worker's code is (see workerEntry). */
export function defaultFrameWorkerEntry(): Promise<{ entry: string | URL; tsEntry?: string }> {
  return workerEntry(import.meta.url, './frame-worker.ts', () => import('./frame-worker?modulePath'));
}

/**
 * Heap limits of the frame worker: a creator's scene is parsed there, so its memory is
 * bounded apart from the app's (geometry lives in typed arrays, outside this heap).
 */
export const FRAME_WORKER_LIMITS = { maxOldGenerationSizeMb: 2048, maxYoungGenerationSizeMb: 64, stackSizeMb: 8 };

/** One reusable scene frame worker, with an in-thread fallback when it cannot start. */
export class SceneFramePool extends WorkerPool<FrameRequest, FlatFrame> {
  constructor(opts: WorkerPoolOptions = {}) {
    super(
      {
        name: 'rayfarm-scene-frames',
        defaultEntry: defaultFrameWorkerEntry,
        inThread: flattenFrame,
        closed: () => new RayfarmError('SCENE_FRAME_CLOSED', 'The scene could not be loaded because the app is shutting down.'),
        crashed: (reason) => new RayfarmError('SCENE_FRAME_CRASHED', `Loading the scene stopped unexpectedly (${reason}). The scene may be too large for this machine.`),
        unavailable: (reason) => `rayfarm: the scene frame worker could not start (${reason}); loading scene frames on the main thread`,
        resourceLimits: FRAME_WORKER_LIMITS,
      },
      opts,
    );
  }

  /** Flattens a frame of a scene; `glb` is read (and sent) only when the worker does not have the scene. */
  async frame(req: Omit<FrameRequest, 'glb'>, glb: () => Uint8Array): Promise<FlatFrame> {
    try {
      return await this.run(req);
    } catch (err) {
      if (!(err instanceof RayfarmError) || err.code !== NEEDS_GLB) throw err;
      return this.run({ ...req, glb: glb() });
    }
  }
}

let shared: SceneFramePool | undefined;

/** The app's frame pool (its idle worker never holds the process open). */
export function sharedFramePool(): SceneFramePool {
  shared ??= new SceneFramePool({ log: (line) => console.warn(line) });
  return shared;
}

/** Ends the app's frame pool (on exit); a later frame starts a new one. */
export async function closeSharedFramePool(): Promise<void> {
  const p = shared;
  shared = undefined;
  await p?.close();
}
