/**
 * The job estimate: probe renders of representative frames on this machine measure the
 * cost of one path sample in this scene; scaled to the job's pixels, samples and tasks,
 * and by the local benchmark score, that gives the job's work in bench-hours (BH). The
 * price and fee are pure arithmetic (shared/pricing.ts).
 */
import type { Estimate } from '../../../../shared/api/scenes';
import { jobFrames, splitJob } from '../../../../shared/job-spec';
import type { JobSpec } from '../../../../shared/job-spec';
import { benchHours, DEFAULT_BASE_RATE_PER_BH, parseTokens, quote, secondsFor, wallTimeSeconds } from '../../../../shared/pricing';
import type { SettingsStore } from '../../store';
import { defaultThreads } from '../../engine';
import { SceneRenderer } from '../../render/render-task';
import type { RenderEngine, SceneInput } from '../../render/render-task';
import { SettingsKeys } from '../../settings-keys';

/** A cached benchmark result. */
export interface CachedBenchmark {
  score: number;
  threads: number;
  at: number;
}

/**
 * Probe layout: a few bands of full-resolution rows spread over the frame. Rendering parts
 * of the real frame (rather than a shrunken frame) keeps neighbouring pixels as coherent as
 * in the job itself, which matters for big scenes whose BVH does not fit in the caches; full
 * rows, several per thread, keep every render thread as busy as in the job (the engine hands
 * out work by rows).
 */
const PROBE = { bands: 8, rowsPerThread: 4, minRows: 8, minSeconds: 0.2, maxFrames: 3 } as const;

/** The local benchmark score: cached in settings, measured once when absent. */
export async function localBenchmarkScore(settings: SettingsStore, run: () => Promise<{ score: number; threads: number }>): Promise<number> {
  const cached = settings.get<CachedBenchmark | null>(SettingsKeys.engineBenchmark, null);
  if (cached && cached.score > 0) return cached.score;
  const r = await run();
  settings.set(SettingsKeys.engineBenchmark, { score: r.score, threads: r.threads, at: Date.now() } satisfies CachedBenchmark);
  return r.score;
}

/** The base rate in smallest token units per BH (a setting; default 2 tokens). */
export function baseRatePerBH(settings: SettingsStore): bigint {
  return parseTokens(settings.get<string>(SettingsKeys.pricingBaseRate, DEFAULT_BASE_RATE_PER_BH));
}

/** The frames probed: first, middle and last of the job. */
export function probeFrames(spec: Pick<JobSpec, 'frames'>): number[] {
  const frames = jobFrames(spec);
  const picks = [frames[0]!, frames[Math.floor((frames.length - 1) / 2)]!, frames[frames.length - 1]!];
  return [...new Set(picks)].slice(0, PROBE.maxFrames);
}

/** One probe: the measured cost of a path sample at one frame and the scene load time. */
export interface Probe {
  frame: number;
  width: number;
  height: number;
  /** Pixels rendered by the probe (its tiles together). */
  pixels: number;
  spp: number;
  seconds: number;
  loadSeconds: number;
  secondsPerSample: number;
}

/** The probe bands of a frame: full-width rectangles spread evenly down it. */
export function probeRects(width: number, height: number, threads: number): { x: number; y: number; width: number; height: number }[] {
  const rows = Math.max(1, Math.min(Math.floor(height / (2 * PROBE.bands)), Math.max(PROBE.minRows, PROBE.rowsPerThread * threads)));
  const rects = [];
  for (let b = 0; b < PROBE.bands; b++) {
    const centre = Math.floor(((b + 0.5) * height) / PROBE.bands);
    rects.push({ x: 0, y: Math.min(height - rows, Math.max(0, centre - (rows >> 1))), width, height: rows });
  }
  return rects;
}

/**
 * How probes are timed. `render` (the default): the CPU time of the engine's render threads
 * divided by their number — what the job costs with the cores to itself. The price must not
 * rise because the creator's machine is busy, and a probe is many short renders: a render
 * thread that another program (or this app's own JS thread) pre-empts for a moment holds up
 * the whole short render, so elapsed time overstates a long job's cost by 25–40 % on a
 * 2-core machine. `wall`: elapsed time, kept for comparison (bench:estimate prints both).
 * `cpu`: this whole process's CPU time per render thread (counts other work of the process).
 */
export type ProbeClock = 'render' | 'wall' | 'cpu';

/** CPU seconds of this process since `start` (all threads, user + system). */
function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}

/** Probes a job's frames (from a package, frames are flattened in the frame worker). */
export async function probeJob(engine: RenderEngine, scene: SceneInput, spec: JobSpec, opts: { threads?: number; clock?: ProbeClock } = {}): Promise<Probe[]> {
  const rects = probeRects(spec.width, spec.height, opts.threads ?? defaultThreads());
  const pixels = rects.reduce((n, r) => n + r.width * r.height, 0);
  const renderer = new SceneRenderer(scene, engine);
  const probes: Probe[] = [];
  const timeAll = async (frame: number, spp: number): Promise<number> => {
    let seconds = 0;
    for (const rect of rects) {
      const task = { index: 0, id: 'probe', frame, tileX: 0, tileY: 0, rect };
      const cpu = process.cpuUsage();
      const r = await renderer.renderTask({ ...spec, spp }, task, opts.threads ? { threads: opts.threads } : {});
      const threads = Math.min(opts.threads ?? defaultThreads(), rect.height);
      const clock = opts.clock ?? 'render';
      if (clock === 'cpu') seconds += cpuSecondsSince(cpu) / threads;
      // No render-thread time (a platform without per-thread clocks): elapsed time instead.
      else if (clock === 'render' && r.cpuSeconds > 0) seconds += r.cpuSeconds / threads;
      else seconds += r.seconds;
    }
    return seconds;
  };
  try {
    for (const frame of probeFrames(spec)) {
      // The probe renders the job's own frame (size, camera, environment): only the samples differ.
      const loaded = await renderer.frame(spec, frame);
      let spp = 1;
      let seconds = 0;
      // Raise the samples until the probe runs long enough to time reliably.
      for (;;) {
        seconds = await timeAll(frame, spp);
        if (seconds >= PROBE.minSeconds || spp >= spec.spp || spp >= 256) break;
        spp = Math.min(spec.spp, spp * Math.max(2, Math.min(8, Math.ceil(PROBE.minSeconds / Math.max(seconds, 1e-3)))));
      }
      // Once more at the same size: the faster run is the one less disturbed by other programs.
      seconds = Math.min(seconds, await timeAll(frame, spp));
      probes.push({ frame, width: spec.width, height: spec.height, pixels, spp, seconds, loadSeconds: loaded.loadSeconds, secondsPerSample: seconds / (pixels * spp) });
    }
  } finally {
    await renderer.dispose();
  }
  return probes;
}

/** Seconds this machine needs for the whole job (each task loads its frame), from the probes. */
export function jobSecondsFromProbes(spec: JobSpec, probes: readonly Probe[]): { seconds: number; perTaskLoad: number } {
  const tasks = splitJob(spec);
  const nearest = (frame: number) => probes.reduce((best, p) => (Math.abs(p.frame - frame) < Math.abs(best.frame - frame) ? p : best), probes[0]!);
  let seconds = 0;
  for (const t of tasks) {
    const p = nearest(t.frame);
    seconds += p.loadSeconds + p.secondsPerSample * t.rect.width * t.rect.height * spec.spp;
  }
  const perTaskLoad = probes.reduce((s, p) => s + p.loadSeconds, 0) / probes.length;
  return { seconds, perTaskLoad };
}

/** The price and times of a job from its probes; `measured` says whether they were rendered just now. */
export function estimateFromProbes(
  spec: JobSpec,
  probes: readonly Probe[],
  opts: { localScore: number; baseRatePerBH: bigint; nodes: number; nodeScore?: number; measured: boolean },
): Estimate {
  const { seconds } = jobSecondsFromProbes(spec, probes);
  const tasks = splitJob(spec).length;
  const bh = benchHours(seconds, opts.localScore);
  const q = quote(bh, spec.tier, opts.baseRatePerBH);
  const nodeScore = opts.nodeScore ?? opts.localScore;
  return {
    benchHours: bh,
    tasks,
    frames: jobFrames(spec).length,
    localSeconds: seconds,
    localScore: opts.localScore,
    secondsPerTaskAtReference: secondsFor(bh, 100) / tasks,
    tier: spec.tier,
    price: q.price,
    fee: q.fee,
    feeBps: q.feeBps,
    operators: q.operators,
    rate: q.rate,
    wallTime: { nodes: opts.nodes, nodeScore, seconds: wallTimeSeconds({ bh, tasks, nodes: opts.nodes, score: nodeScore, perTaskOverheadS: 0 }) },
    probes: probes.map(({ frame, pixels, spp, seconds: s, loadSeconds }) => ({ frame, pixels, spp, seconds: s, loadSeconds })),
    measured: opts.measured,
  };
}

/** The full estimate of a job, its probes rendered now. */
export async function estimateJob(
  engine: RenderEngine,
  scene: SceneInput,
  spec: JobSpec,
  opts: { localScore: number; baseRatePerBH: bigint; nodes: number; nodeScore?: number; threads?: number; clock?: ProbeClock },
): Promise<Estimate> {
  const probes = await probeJob(engine, scene, spec, { threads: opts.threads, clock: opts.clock });
  return estimateFromProbes(spec, probes, { ...opts, measured: true });
}
