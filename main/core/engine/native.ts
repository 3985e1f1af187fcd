/**
 * The one place that loads the native engine (native/build/Release/rayfarm_native.node).
 * Everything else talks to the typed wrapper in ./index.ts.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceInfo, SceneBuffers } from './types';

/** An opaque scene handle owned by the addon. */
export type NativeSceneHandle = { readonly __brand: 'rayfarm-scene' };

/** Options exactly as the addon reads them. */
export interface NativeRenderOptions {
  camera: { cameraToWorld: readonly number[]; yfov: number };
  rect: { x: number; y: number; width: number; height: number };
  width: number;
  height: number;
  spp: number;
  seed: number;
  maxDepth: number;
  threads: number;
  backend: 'cpu' | 'cuda';
}

/** What the addon resolves a render with. */
export interface NativeRenderResult {
  pixels: Float32Array;
  discardedSamples: number;
  /** CPU time of the render threads (0 on CUDA). */
  cpuSeconds: number;
}

/** The addon's benchmark result. */
export interface NativeBenchmarkResult {
  backend: 'cpu' | 'cuda';
  width: number;
  height: number;
  spp: number;
  maxDepth: number;
  threads: number;
  samples: number;
  seconds: number;
  samplesPerSecond: number;
  score: number;
}

/** Facts about a loaded scene. */
export interface NativeSceneInfo {
  triangles: number;
  vertices: number;
  bvhNodes: number;
  bvhDepth: number;
  emissiveTriangles: number;
  lights: number;
  /** The CPU's node test: avx2, sse or scalar (the widest this CPU runs; RAYFARM_TRAVERSAL narrows it). All render the same bits. */
  traversal: 'avx2' | 'sse' | 'scalar';
}

/** The N-API surface of rayfarm_native.node. */
export interface NativeAddon {
  loadScene(buffers: SceneBuffers): Promise<NativeSceneHandle>;
  disposeScene(scene: NativeSceneHandle): void;
  sceneInfo(scene: NativeSceneHandle): NativeSceneInfo;
  renderTile(
    scene: NativeSceneHandle,
    options: NativeRenderOptions,
    onProgress?: (fraction: number) => void,
  ): { promise: Promise<NativeRenderResult>; cancel: () => void };
  devices(): DeviceInfo[];
  benchmark(options: { backend?: 'cpu' | 'cuda'; threads?: number; width?: number; height?: number; spp?: number }): Promise<NativeBenchmarkResult>;
  intersectRays(scene: NativeSceneHandle, rays: Float32Array, mode: 'bvh' | 'bvh2' | 'brute'): Float32Array;
  readonly cudaCompiledIn: boolean;
  readonly benchmarkSamplesPerSecondAt100: number;
}

let cached: NativeAddon | undefined;

function candidates(): string[] {
  const file = 'rayfarm_native.node';
  const list: string[] = [];
  if (process.env.RAYFARM_NATIVE_PATH) list.push(resolve(process.env.RAYFARM_NATIVE_PATH));
  let dir = dirname(fileURLToPath(import.meta.url));
  // Walk up from this module (source tree or bundled out/main) to the folder holding native/.
  for (let i = 0; i < 6; i++) {
    list.push(join(dir, 'native', 'build', 'Release', file));
    dir = dirname(dir);
  }
  list.push(join(process.cwd(), 'native', 'build', 'Release', file));
  return list;
}

/** Loads (once) and returns the native addon; throws when it has not been built. */
export function loadNativeAddon(): NativeAddon {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const tried = candidates();
  const found = tried.find((p) => existsSync(p));
  if (!found) {
    const err = new Error(`the native engine is not built (run "npm run build:native"); looked in ${tried.join(', ')}`);
    (err as Error & { code: string }).code = 'ENGINE_NOT_BUILT';
    throw err;
  }
  cached = require(found) as NativeAddon;
  return cached;
}
