/**
 * render/ — task rendering that both roles use: the one path from (spec, task) to pixels (this
 * file), and scene frames parsed and flattened off the event loop (scene-frames.ts, frame-
 * pool.ts, frame-worker.ts).
 *
 * The one way a task is rendered, used by `rayfarm render` locally, by operators on the
 * network and by the verifier: (spec, task) → the scene flattened at the frame's time with
 * the spec's camera and environment, rendered with the frame's seed. Same inputs, same
 * pixels, whichever path runs it.
 */
import type { Document } from '@gltf-transform/core';
import { frameSeed, frameTime } from '../../../shared/job-spec';
import type { JobSpec, Task } from '../../../shared/job-spec';
import * as engineModule from '../engine';
import type { EngineScene, RenderTileOptions, RenderTileResult } from '../engine';
import { createFlattenCache, flattenScene } from '../engine/flatten';
import type { FlattenCache } from '../engine/flatten';
import type { CameraDesc, SceneBuffers } from '../engine/types';
import { sharedFramePool } from './frame-pool';
import type { SceneFramePool } from './frame-pool';
import type { FlatFrame } from './scene-frames';

/** The engine calls a render needs (the native engine in production). */
export interface RenderEngine {
  loadScene(buffers: SceneBuffers): Promise<EngineScene>;
  renderTileDetailed(opts: RenderTileOptions): Promise<RenderTileResult>;
}

/** The native engine. */
export const nativeEngine: RenderEngine = { loadScene: engineModule.loadScene, renderTileDetailed: engineModule.renderTileDetailed };

/** The spec fields that decide what a frame looks like. */
export type FrameSpec = Pick<JobSpec, 'camera' | 'width' | 'height' | 'fps' | 'environment'>;

/** A frame of a scene loaded into the engine. */
export interface LoadedFrame {
  scene: EngineScene;
  camera: CameraDesc;
  warnings: string[];
  usedDefaultEnvironment: boolean;
  /** Seconds spent flattening and loading (BVH build), not waiting for a worker. */
  loadSeconds: number;
}

/** A packaged scene: its id (the sha256 of its GLB) and how to read the GLB when it is needed. */
export interface ScenePackage {
  sceneHash: string;
  glb: () => Uint8Array;
}

/** What a renderer is made from: a parsed document (flattened here) or a package (flattened in a worker). */
export type SceneInput = Document | ScenePackage;

function isPackage(scene: SceneInput): scene is ScenePackage {
  return typeof (scene as Partial<ScenePackage>).sceneHash === 'string';
}

/**
 * A scene and the frame last loaded from it: the tiles of one frame share one loaded scene,
 * and images are decoded once for all frames. Made from a document, frames are flattened on
 * this thread (tests, scripts, the CLI); made from a package, in the frame worker
 * (frame-pool.ts), which keeps the parsed scene between frames — same buffers either way.
 */
export class SceneRenderer {
  private readonly cache: FlattenCache = createFlattenCache();
  private current: FrameEntry | undefined;
  /** The document, when made from one. */
  readonly doc: Document | undefined;
  private readonly pkg: ScenePackage | undefined;

  constructor(
    scene: SceneInput,
    private readonly engine: RenderEngine = nativeEngine,
    private readonly pool?: SceneFramePool,
  ) {
    if (isPackage(scene)) this.pkg = scene;
    else this.doc = scene;
  }

  /** The scene at one frame of a spec (loaded once, reused by the next call for the same frame). */
  frame(spec: FrameSpec, frame: number): Promise<LoadedFrame> {
    return this.entry(spec, frame).frame;
  }

  private entry(spec: FrameSpec, frame: number): FrameEntry {
    const key = JSON.stringify([frameTime(spec, frame), spec.camera, spec.width / spec.height, spec.environment]);
    if (this.current?.key === key) return this.current;
    const previous = this.current;
    const loading = (async () => {
      const flat = await this.flatten({ time: frameTime(spec, frame), cameraIndex: spec.camera, aspect: spec.width / spec.height, environment: spec.environment });
      const started = performance.now();
      const scene = await this.engine.loadScene(flat.buffers);
      // The flattening's own time, not the wait for a worker: a task's load cost prices the job.
      const loadSeconds = flat.flattenSeconds + (performance.now() - started) / 1000;
      return { scene, camera: flat.camera, warnings: flat.warnings, usedDefaultEnvironment: flat.usedDefaultEnvironment, loadSeconds };
    })();
    this.current = { key, frame: loading, users: 0, superseded: false };
    if (previous) {
      previous.superseded = true;
      release(previous);
    }
    return this.current;
  }

  private async flatten(opts: { time: number; cameraIndex: number | 'auto'; aspect: number; environment: FrameSpec['environment'] }): Promise<FlatFrame> {
    if (this.doc) {
      const started = performance.now();
      const flat = flattenScene(this.doc, { ...opts, cache: this.cache });
      return { ...flat, flattenSeconds: (performance.now() - started) / 1000 };
    }
    const pkg = this.pkg!;
    return (this.pool ?? sharedFramePool()).frame({ sceneHash: pkg.sceneHash, ...opts }, pkg.glb);
  }

  /** Renders one task of a job; returns linear RGBA float pixels of the task's rect. */
  async renderTask(spec: JobSpec, task: Task, opts: { threads?: number; onProgress?: (f: number) => void; signal?: AbortSignal } = {}): Promise<RenderTileResult> {
    const entry = this.entry(spec, task.frame);
    // Hold the frame while rendering: a task of another frame may start meanwhile.
    entry.users++;
    try {
      const loaded = await entry.frame;
      return await this.engine.renderTileDetailed({
        scene: loaded.scene,
        camera: loaded.camera,
        width: spec.width,
        height: spec.height,
        rect: task.rect,
        spp: spec.spp,
        seed: frameSeed(spec, task.frame),
        maxDepth: spec.maxDepth,
        ...(opts.threads ? { threads: opts.threads } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } finally {
      entry.users--;
      release(entry);
    }
  }

  /** Frees the loaded frame (once renders in flight finish). */
  async dispose(): Promise<void> {
    const cur = this.current;
    this.current = undefined;
    if (!cur) return;
    cur.superseded = true;
    release(cur);
    await cur.frame.catch(() => undefined);
  }
}

interface FrameEntry {
  key: string;
  frame: Promise<LoadedFrame>;
  /** Renders holding the frame. */
  users: number;
  /** True once a newer frame replaced it (or the renderer was disposed). */
  superseded: boolean;
}

/** Frees a frame nobody will use again. */
function release(entry: FrameEntry): void {
  if (!entry.superseded || entry.users > 0) return;
  void entry.frame.then(
    (f) => f.scene.dispose(),
    () => undefined,
  );
}

/**
 * Renders one task of a job from a scene document — the function both the local render
 * and the network path call. Pass a SceneRenderer to reuse a loaded frame across tiles.
 */
export async function renderTask(engine: RenderEngine, scene: Document | SceneRenderer, spec: JobSpec, task: Task, opts: { threads?: number; onProgress?: (f: number) => void; signal?: AbortSignal } = {}): Promise<Float32Array> {
  const renderer = scene instanceof SceneRenderer ? scene : new SceneRenderer(scene, engine);
  try {
    return (await renderer.renderTask(spec, task, opts)).pixels;
  } finally {
    if (!(scene instanceof SceneRenderer)) await renderer.dispose();
  }
}
