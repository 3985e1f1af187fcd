/**
 * The Cycles benchmark: a short, fixed Cycles render of a scene our script builds inside the
 * operator's own Blender (sandboxed like a task, no file read), scored as the native benchmark
 * is — 100 = one million path samples per second — so Blender work is priced in bench-hours of
 * the engine that does it. Kept per Blender version and device in the settings (SQLite): a new
 * Blender measures again, the same one never does. Only the CPU is measured: a GPU backend
 * Blender lists (CUDA, OptiX, HIP…) is shown but not benchmarked here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RayfarmError } from '../errors';
import type { BlenderInstall } from './locate';
import { PRELUDE } from './py';
import { runBlender } from './sandbox';

/** The fixed benchmark: frame size and samples (with one warm-up sample first). */
export const CYCLES_BENCH = { width: 160, height: 120, spp: 32 };

/** A Cycles benchmark result. */
export interface CyclesBenchmark {
  /** 100 = 1 M path samples per second (the native benchmark's unit). */
  score: number;
  samplesPerSecond: number;
  /** Seconds of the timed render (Blender's start-up and the scene build excluded). */
  renderSeconds: number;
  device: 'CPU';
  blenderVersion: string;
  threads: number;
  at: number;
}

/**
 * Builds the scene in an empty Blender (16 subdivided spheres on a plane, a sun and an area
 * light, a glossy and a diffuse material), renders one warm-up sample (loads the kernels), then
 * times the render at the benchmark's samples (scene sync and BVH included, as in a task).
 */
const CYCLES_BENCH_PY = String.raw`${PRELUDE}
import time
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = 'CYCLES'
c = s.cycles
c.device = 'CPU'
c.seed = 1
c.use_animated_seed = False
c.use_adaptive_sampling = False
c.use_denoising = False
c.time_limit = 0
r = s.render
r.resolution_x = cfg['width']
r.resolution_y = cfg['height']
r.resolution_percentage = 100
# Not persistent: with the scene kept, Blender 3.4 renders a second time in the same time
# whatever the samples (measured), which would time nothing.
r.use_persistent_data = False
if cfg.get('threads'):
    r.threads_mode = 'FIXED'
    r.threads = cfg['threads']
glossy = bpy.data.materials.new('Glossy')
glossy.use_nodes = True
p = glossy.node_tree.nodes['Principled BSDF']
p.inputs['Metallic'].default_value = 0.8
p.inputs['Roughness'].default_value = 0.25
for i in range(16):
    bpy.ops.mesh.primitive_ico_sphere_add(subdivisions=4, radius=0.4, location=((i % 4) - 1.5, (i // 4) - 1.5, 0))
    if i % 2 == 0:
        bpy.context.object.data.materials.append(glossy)
bpy.ops.mesh.primitive_plane_add(size=12, location=(0, 0, -0.4))
bpy.ops.object.light_add(type='SUN', location=(3, 3, 5))
bpy.ops.object.light_add(type='AREA', location=(-2, -2, 3))
bpy.context.object.data.energy = 300
bpy.ops.object.camera_add(location=(4.5, -4.5, 3.5), rotation=(1.0, 0, 0.785))
s.camera = bpy.context.object
w = bpy.data.worlds.new('World')
w.color = (0.05, 0.05, 0.06)
s.world = w
c.samples = 1
bpy.ops.render.render()
c.samples = cfg['spp']
t0 = time.perf_counter()
bpy.ops.render.render()
seconds = time.perf_counter() - t0
answer({'seconds': seconds, 'threads': r.threads})
`;

/** Runs the Cycles benchmark on the CPU with `install` (sandboxed; nothing read but Blender itself). */
export async function runCyclesBenchmark(install: BlenderInstall, opts: { threads?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<CyclesBenchmark> {
  const work = mkdtempSync(join(tmpdir(), 'rayfarm-cycles-bench-'));
  try {
    const r = await runBlender<{ seconds: number; threads: number }>({
      blender: install.path,
      script: CYCLES_BENCH_PY,
      config: { ...CYCLES_BENCH, threads: opts.threads ?? 0 },
      readOnly: [],
      writable: work,
      timeoutMs: opts.timeoutMs ?? 300_000,
      memoryBytes: 4 * 2 ** 30,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const seconds = Number(r.result.seconds);
    if (!(seconds > 0) || !Number.isFinite(seconds)) throw new RayfarmError('BLENDER_FAILED', `Blender ${install.version} did not report how long the Cycles benchmark took.`);
    const samplesPerSecond = (CYCLES_BENCH.width * CYCLES_BENCH.height * CYCLES_BENCH.spp) / seconds;
    return { score: samplesPerSecond / 1e4, samplesPerSecond, renderSeconds: seconds, device: 'CPU', blenderVersion: install.version, threads: Number(r.result.threads) || 0, at: Date.now() };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Where results are kept: the settings store (SQLite), or anything with its get and set. */
export interface CyclesBenchmarkStore {
  get<T>(key: string, fallback: T): T;
  set(key: string, value: unknown): void;
}

/** The settings key of the kept Cycles benchmarks, one per `<Blender version>|<device>`. */
export const CYCLES_BENCH_KEY = 'blender.cyclesBenchmarks';

/** The kept Cycles benchmark of this Blender on `device`, or null when it was never measured. */
export function keptCyclesBenchmark(settings: CyclesBenchmarkStore, install: Pick<BlenderInstall, 'version'>, device = 'CPU'): CyclesBenchmark | null {
  const all = settings.get<Record<string, CyclesBenchmark> | null>(CYCLES_BENCH_KEY, null);
  const b = all && typeof all === 'object' ? all[`${install.version}|${device}`] : undefined;
  return b && typeof b.score === 'number' && b.score > 0 ? b : null;
}

const running = new Map<string, Promise<CyclesBenchmark>>();

/** This Blender's Cycles CPU benchmark: the kept one, else measured now (once at a time) and kept. */
export function cyclesBenchmark(settings: CyclesBenchmarkStore, install: BlenderInstall, run: (i: BlenderInstall) => Promise<CyclesBenchmark> = runCyclesBenchmark): Promise<CyclesBenchmark> {
  const kept = keptCyclesBenchmark(settings, install);
  if (kept) return Promise.resolve(kept);
  const key = `${install.version}|CPU`;
  let p = running.get(key);
  if (!p) {
    p = run(install)
      .then((b) => {
        const all = settings.get<Record<string, CyclesBenchmark> | null>(CYCLES_BENCH_KEY, null) ?? {};
        settings.set(CYCLES_BENCH_KEY, { ...all, [key]: b });
        return b;
      })
      .finally(() => running.delete(key));
    running.set(key, p);
  }
  return p;
}
