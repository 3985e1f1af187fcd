/**
 * engine/ — the TypeScript face of the native path tracer (the one file that loads the addon is
 * native.ts), and the flattening of a glTF document into the buffers it renders.
 *
 * The engine's TypeScript face: load a flattened scene into the native path tracer, render
 * tiles asynchronously (progress, cancel through an AbortSignal), list devices, benchmark.
 *
 * Determinism contract: a pixel's value depends only on (scene, camera, frame size, spp,
 * seed, maxDepth, backend) — never on the tile, the thread count or the run.
 */
import { availableParallelism } from 'node:os';
import { RayfarmError } from '../errors';
import { loadNativeAddon } from './native';
import type { NativeAddon, NativeBenchmarkResult, NativeSceneHandle, NativeSceneInfo } from './native';
import type { Backend, CameraDesc, DeviceInfo, Rect, SceneBuffers } from './types';

export type { Backend, CameraDesc, DeviceInfo, Rect, SceneBuffers } from './types';

/** Stable codes of engine failures. */
export type EngineErrorCode =
  | 'ENGINE_BAD_SCENE'
  | 'ENGINE_BAD_OPTIONS'
  | 'ENGINE_CANCELLED'
  | 'ENGINE_NO_CUDA'
  | 'ENGINE_CUDA'
  | 'ENGINE_DISPOSED'
  | 'ENGINE_NOT_BUILT'
  | 'ENGINE_OUT_OF_MEMORY'
  | 'ENGINE_INTERNAL';

/** An engine failure with a stable code (bad input, cancel, missing CUDA, ...). */
export class EngineError extends RayfarmError {
  declare readonly code: EngineErrorCode;
  constructor(code: EngineErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'EngineError';
  }
}

const KNOWN_CODES = new Set<string>([
  'ENGINE_BAD_SCENE', 'ENGINE_BAD_OPTIONS', 'ENGINE_CANCELLED', 'ENGINE_NO_CUDA', 'ENGINE_CUDA',
  'ENGINE_DISPOSED', 'ENGINE_NOT_BUILT', 'ENGINE_OUT_OF_MEMORY', 'ENGINE_INTERNAL',
]);

function toEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError(typeof code === 'string' && KNOWN_CODES.has(code) ? (code as EngineErrorCode) : 'ENGINE_INTERNAL', message, { cause: err });
}

function addon(): NativeAddon {
  try {
    return loadNativeAddon();
  } catch (err) {
    throw toEngineError(err);
  }
}

/** A scene loaded into the engine (BVH built). Call dispose() to free it early. */
export class EngineScene {
  #handle: NativeSceneHandle | null;
  /** Triangle/vertex/BVH counts. */
  readonly info: NativeSceneInfo;

  /** @internal use loadScene() */
  constructor(handle: NativeSceneHandle) {
    this.#handle = handle;
    this.info = addon().sceneInfo(handle);
  }

  /** The native handle; throws ENGINE_DISPOSED after dispose(). */
  get handle(): NativeSceneHandle {
    if (!this.#handle) throw new EngineError('ENGINE_DISPOSED', 'the scene has been disposed');
    return this.#handle;
  }

  /** Frees the scene's memory (renders already running finish first). */
  dispose(): void {
    if (this.#handle) addon().disposeScene(this.#handle);
    this.#handle = null;
  }
}

/**
 * Validates every index, size and number of `buffers` and builds the BVH on a native thread.
 * Rejects with ENGINE_BAD_SCENE and a message naming the field, e.g.
 * "indices[12] = 900 is out of range (scene has 300 vertices)".
 */
export async function loadScene(buffers: SceneBuffers): Promise<EngineScene> {
  try {
    const handle = await addon().loadScene(buffers);
    return new EngineScene(handle);
  } catch (err) {
    throw toEngineError(err);
  }
}

/** Options of one render call. */
export interface RenderTileOptions {
  scene: EngineScene;
  camera: CameraDesc;
  /** Full frame size in pixels. */
  width: number;
  height: number;
  /** The part of the frame to render; the whole frame when omitted. */
  rect?: Rect;
  spp: number;
  /** Job seed: an integer in 0..2^53-1. */
  seed: number;
  /** Maximum number of bounces, counted as Blender Cycles does: 0 = direct light only (default 8). */
  maxDepth?: number;
  /** CPU worker threads (default: all cores). */
  threads?: number;
  backend?: Backend;
  /** Fraction done, 0..1, called on the JS thread. */
  onProgress?: (fraction: number) => void;
  /** Aborting rejects the render with ENGINE_CANCELLED within about 100 ms. */
  signal?: AbortSignal;
}

/** Pixels of a rendered tile plus facts about the run. */
export interface RenderTileResult {
  /** Linear radiance, RGBA float32, rect.width * rect.height * 4, rows top to bottom, alpha 1. */
  pixels: Float32Array;
  /** Samples dropped because they were NaN or infinite. */
  discardedSamples: number;
  /** Wall-clock time of the render. */
  seconds: number;
  /**
   * CPU time the render threads spent (CPU backend; 0 on CUDA): what the render costs with the
   * cores to itself, unaffected by other programs competing for them meanwhile.
   */
  cpuSeconds: number;
}

/** Default worker thread count: every core this process may use. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

/** Renders a tile and returns its pixels with run statistics. */
export async function renderTileDetailed(opts: RenderTileOptions): Promise<RenderTileResult> {
  const native = addon();
  if (opts.signal?.aborted) throw new EngineError('ENGINE_CANCELLED', 'the render was cancelled');
  const rect = opts.rect ?? { x: 0, y: 0, width: opts.width, height: opts.height };
  // Progress comes through a thread-safe queue that may deliver after the result: drop late
  // calls and report the final 1 ourselves, so callers see a monotonic sequence ending at 1.
  // A throwing onProgress stops the render, which then rejects with that error.
  let settled = false;
  let last = 0;
  let callbackError: { error: unknown } | undefined;
  let job: ReturnType<NativeAddon['renderTile']> | undefined;
  const onProgress = opts.onProgress
    ? (f: number) => {
        if (settled || f <= last || callbackError) return;
        last = f;
        try {
          opts.onProgress?.(f);
        } catch (error) {
          callbackError = { error };
          job?.cancel();
        }
      }
    : undefined;
  const started = performance.now();
  try {
    job = native.renderTile(
      opts.scene.handle,
      {
        camera: { cameraToWorld: opts.camera.cameraToWorld, yfov: opts.camera.yfov },
        rect: { x: rect.x, y: rect.y, width: rect.width, height: rect.height },
        width: opts.width,
        height: opts.height,
        spp: opts.spp,
        seed: opts.seed,
        maxDepth: opts.maxDepth ?? 8,
        threads: opts.threads ?? defaultThreads(),
        backend: opts.backend ?? 'cpu',
      },
      onProgress,
    );
  } catch (err) {
    throw toEngineError(err);
  }
  const running = job;
  const abort = () => running.cancel();
  opts.signal?.addEventListener('abort', abort, { once: true });
  try {
    const r = await running.promise;
    onProgress?.(1);
    if (callbackError) throw callbackError.error;
    return { pixels: r.pixels, discardedSamples: r.discardedSamples, seconds: (performance.now() - started) / 1000, cpuSeconds: r.cpuSeconds };
  } catch (err) {
    if (callbackError) throw callbackError.error;
    throw toEngineError(err);
  } finally {
    settled = true;
    opts.signal?.removeEventListener('abort', abort);
  }
}

/** Renders a tile: linear RGBA float32 radiance of `rect` (the whole frame by default). */
export async function renderTile(opts: RenderTileOptions): Promise<Float32Array> {
  return (await renderTileDetailed(opts)).pixels;
}

/** Devices this build can render on: the CPU, plus CUDA devices when built with CUDA and a driver answers. */
export function devices(): DeviceInfo[] {
  return addon().devices();
}

/** True when the addon was compiled with the CUDA backend (a device may still be absent). */
export function cudaCompiledIn(): boolean {
  return addon().cudaCompiledIn;
}

/** Result of the built-in benchmark. */
export type BenchmarkResult = NativeBenchmarkResult;

/**
 * Renders the built-in procedural scene (a Cornell-style room with two tessellated spheres,
 * 256x256, 16 spp, 8 bounces by default) and reports samples per second and a score.
 * Score scale: 100 = 1,000,000 path samples per second on this scene; proportional to samples/s.
 */
export async function benchmark(opts: { backend?: Backend; threads?: number; width?: number; height?: number; spp?: number } = {}): Promise<BenchmarkResult> {
  try {
    return await addon().benchmark({ ...opts, threads: opts.threads ?? defaultThreads() });
  } catch (err) {
    throw toEngineError(err);
  }
}

/**
 * Closest-hit queries for tests: rays hold 7 floats each (origin, direction, tmax); the result
 * 4 floats each (t or -1, triangle index or -1, barycentric u, v). Mode 'bvh' walks the 4-wide
 * BVH (CPU renders), 'bvh2' the binary one (CUDA renders), 'brute' tests every triangle.
 */
export function intersectRays(scene: EngineScene, rays: Float32Array, mode: 'bvh' | 'bvh2' | 'brute' = 'bvh'): Float32Array {
  try {
    return addon().intersectRays(scene.handle, rays, mode);
  } catch (err) {
    throw toEngineError(err);
  }
}
