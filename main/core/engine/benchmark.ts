/**
 * Engine benchmarks: the built-in procedural benchmark on each device (the score behind
 * bench-hours), and timed renders of glTF scenes for `npm run bench:render`.
 *
 * Score scale: 100 = 1,000,000 path samples per second on the built-in scene (256x256, 16 spp,
 * 8 bounces); proportional to samples per second.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { flattenScene } from './flatten';
import { readGlb } from './gltf-io';
import { benchmark, defaultThreads, devices, loadScene, renderTileDetailed } from './index';
import type { Backend, BenchmarkResult } from './index';
import type { CameraDesc } from './types';

/** One device's benchmark result, as `rayfarm bench` prints it. */
export interface DeviceBenchResult extends BenchmarkResult {
  device: string;
}

/** Options of runBench. */
export interface RunBenchOptions {
  /** Only this backend (default: every device found). */
  backend?: Backend;
  /** CPU threads (default: all cores). */
  threads?: number;
  /** A smaller workload for a quick estimate (64x64, 4 spp). */
  quick?: boolean;
}

/**
 * Runs the built-in benchmark on every device this machine can render on (or one backend) and
 * returns one result per device. `rayfarm bench [--json]` prints these.
 */
export async function runBench(opts: RunBenchOptions = {}): Promise<DeviceBenchResult[]> {
  const out: DeviceBenchResult[] = [];
  const list = devices().filter((d) => !opts.backend || d.backend === opts.backend);
  for (const d of list) {
    if (d.backend === 'cpu') {
      const size = opts.quick ? { width: 64, height: 64, spp: 4 } : {};
      out.push({ device: d.name, ...(await benchmark({ backend: 'cpu', threads: opts.threads ?? defaultThreads(), ...size })) });
    } else {
      // A GPU finishes the CPU workload in milliseconds: give it a bigger one, same scene.
      const size = opts.quick ? { width: 256, height: 256, spp: 16 } : { width: 1024, height: 1024, spp: 64 };
      out.push({ device: d.name, ...(await benchmark({ backend: 'cuda', ...size })) });
      break; // the engine renders on the first CUDA device
    }
  }
  return out;
}

/** Settings of one timed scene render. */
export interface SceneBenchOptions {
  width: number;
  height: number;
  spp: number;
  maxDepth: number;
  threads: number;
  backend?: Backend;
  seed?: number;
}

/** What a timed scene render measured. */
export interface SceneBenchResult {
  scene: string;
  width: number;
  height: number;
  spp: number;
  maxDepth: number;
  threads: number;
  backend: Backend;
  triangles: number;
  loadSeconds: number;
  seconds: number;
  samplesPerSecond: number;
  /** CPU time the render threads used (all of them together): on a shared machine this moves less than `seconds` with the load of other processes. */
  cpuSeconds: number;
  /** cpuSeconds per path sample, in nanoseconds: the figure to compare two engine builds by on a busy machine. */
  cpuNsPerSample: number;
  meanLuminance: number;
}

/** A glb flattened for the engine, with the camera the flattener chose. */
export interface PreparedScene {
  name: string;
  buffers: Awaited<ReturnType<typeof flattenScene>>['buffers'];
  camera: CameraDesc;
  triangles: number;
}

/** Reads and flattens a .glb at t = 0 for an image of the given aspect. */
export async function prepareGlb(file: string, aspect: number): Promise<PreparedScene> {
  const doc = await readGlb(new Uint8Array(await readFile(file)));
  const r = flattenScene(doc, { aspect });
  return { name: basename(file), buffers: r.buffers, camera: r.camera, triangles: r.triangles };
}

/** Loads a prepared scene (BVH build timed apart) and renders the full frame once. */
export async function benchScene(prepared: PreparedScene, o: SceneBenchOptions): Promise<SceneBenchResult & { pixels: Float32Array }> {
  const t0 = performance.now();
  const scene = await loadScene(prepared.buffers);
  const loadSeconds = (performance.now() - t0) / 1000;
  try {
    const backend = o.backend ?? 'cpu';
    const r = await renderTileDetailed({ scene, camera: prepared.camera, width: o.width, height: o.height, spp: o.spp, seed: o.seed ?? 1, maxDepth: o.maxDepth, threads: o.threads, backend });
    let lum = 0;
    for (let i = 0; i < r.pixels.length; i += 4) lum += 0.2126 * r.pixels[i]! + 0.7152 * r.pixels[i + 1]! + 0.0722 * r.pixels[i + 2]!;
    return {
      scene: prepared.name,
      width: o.width,
      height: o.height,
      spp: o.spp,
      maxDepth: o.maxDepth,
      threads: o.threads,
      backend,
      triangles: prepared.triangles,
      loadSeconds,
      seconds: r.seconds,
      samplesPerSecond: (o.width * o.height * o.spp) / r.seconds,
      cpuSeconds: r.cpuSeconds,
      cpuNsPerSample: (r.cpuSeconds * 1e9) / (o.width * o.height * o.spp),
      meanLuminance: lum / (o.width * o.height),
      pixels: r.pixels,
    };
  } finally {
    scene.dispose();
  }
}
