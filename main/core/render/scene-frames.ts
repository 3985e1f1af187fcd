/**
 * One frame of a packaged scene, flattened from the GLB bytes: the work behind a
 * SceneRenderer made from a package, as one function of plain, cloneable data so it runs in
 * the frame worker (frame-worker.ts) or, when no worker can start, on the calling thread
 * with the same result. Parsed documents and their decoded images are kept per scene hash
 * for a few scenes, so consecutive frames and tasks of a scene do not parse it again.
 */
import type { Document } from '@gltf-transform/core';
import { RayfarmError } from '../errors';
import { createFlattenCache, flattenScene } from '../engine/flatten';
import type { EnvironmentOption, FlattenCache } from '../engine/flatten';
import { readGlb } from '../engine/gltf-io';
import type { CameraDesc, SceneBuffers } from '../engine/types';

/** Flatten one frame of a scene; `glb` may be left out when the scene is probably cached. */
export interface FrameRequest {
  /** The scene's id: the sha256 of its packaged GLB. */
  sceneHash: string;
  glb?: Uint8Array;
  time: number;
  cameraIndex: number | 'auto';
  aspect: number;
  environment: EnvironmentOption;
}

/** A flattened frame: what the engine loads and what the renderer reports. */
export interface FlatFrame {
  buffers: SceneBuffers;
  camera: CameraDesc;
  warnings: string[];
  usedDefaultEnvironment: boolean;
  /** Seconds the flattening took (not the parse, nor waiting for a worker): what a task's load costs. */
  flattenSeconds: number;
}

/** How many parsed scenes a thread keeps. */
export const CACHED_SCENES = 3;

/** The code of the error asking the caller to send the GLB bytes along. */
export const NEEDS_GLB = 'SCENE_FRAME_NEEDS_GLB';

interface Parsed {
  doc: Document;
  cache: FlattenCache;
}

// Per thread (the worker's and, for the fallback, the main thread's), most recently used last.
const parsed = new Map<string, Promise<Parsed>>();

function parsedScene(sceneHash: string, glb: Uint8Array | undefined): Promise<Parsed> {
  let p = parsed.get(sceneHash);
  if (p) {
    parsed.delete(sceneHash);
  } else {
    if (!glb) throw new RayfarmError(NEEDS_GLB, 'The scene is not loaded in this thread; send its bytes.');
    const parsing: Promise<Parsed> = readGlb(glb).then(
      (doc) => ({ doc, cache: createFlattenCache() }),
      (err: unknown) => {
        if (parsed.get(sceneHash) === parsing) parsed.delete(sceneHash);
        throw new RayfarmError('SCENE_UNREADABLE', `The stored scene could not be opened: ${(err as Error).message}`, { cause: err });
      },
    );
    p = parsing;
  }
  parsed.set(sceneHash, p);
  while (parsed.size > CACHED_SCENES) parsed.delete(parsed.keys().next().value!);
  return p;
}

/** Flattens one frame of a packaged scene (parsing it first unless this thread has it). */
export async function flattenFrame(req: FrameRequest): Promise<FlatFrame> {
  const { doc, cache } = await parsedScene(req.sceneHash, req.glb);
  const started = performance.now();
  const flat = flattenScene(doc, { time: req.time, cameraIndex: req.cameraIndex, aspect: req.aspect, environment: req.environment, cache });
  const flattenSeconds = (performance.now() - started) / 1000;
  return { buffers: flat.buffers, camera: flat.camera, warnings: flat.warnings, usedDefaultEnvironment: flat.usedDefaultEnvironment, flattenSeconds };
}

/** Forgets every parsed scene of this thread (tests). */
export function forgetParsedScenes(): void {
  parsed.clear();
}
