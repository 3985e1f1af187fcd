/**
 * The job estimate: probe renders of representative frames on this machine measure the
 * cost of one path sample in this scene; scaled to the job's pixels, samples and tasks,
 * and by the local benchmark score, that gives the job's work in bench-hours (BH). The
 * price and fee are pure arithmetic (shared/pricing.ts).
 */
import type { Document } from '@gltf-transform/core';
import type { Estimate } from '../../../shared/api/scenes';
import { jobFrames, splitJob } from '../../../shared/job-spec';
import type { JobSpec } from '../../../shared/job-spec';
import { benchHours, DEFAULT_BASE_RATE_PER_BH, parseTokens, quote, secondsFor, wallTimeSeconds } from '../../../shared/pricing';
import type { SettingsStore } from '../store';
import { SceneRenderer } from './render-task';
import type { RenderEngine } from './render-task';

/** Settings keys the estimate reads. */
export const SETTINGS = {
  benchmark: 'engine.benchmark',
  baseRate: 'pricing.baseRatePerBH',
} as const;

/** A cached benchmark result. */
export interface CachedBenchmark {
  score: number;
  threads: number;
  at: number;
}

/** Probe sizes: small enough to take about a second in all, big enough to keep every thread busy. */
const PROBE = { width: 160, minSeconds: 0.15, maxFrames: 3 } as const;

/** The local benchmark score: cached in settings, measured once when absent. */
export async function localBenchmarkScore(settings: SettingsStore, run: () => Promise<{ score: number; threads: number }>): Promise<number> {
  const cached = settings.get<CachedBenchmark | null>(SETTINGS.benchmark, null);
  if (cached && cached.score > 0) return cached.score;
  const r = await run();
  settings.set(SETTINGS.benchmark, { score: r.score, threads: r.threads, at: Date.now() } satisfies CachedBenchmark);
  return r.score;
}

/** The base rate in smallest token units per BH (a setting; default 2 tokens). */
export function baseRatePerBH(settings: SettingsStore): bigint {
  return parseTokens(settings.get<string>(SETTINGS.baseRate, DEFAULT_BASE_RATE_PER_BH));
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
  spp: number;
  seconds: number;
  loadSeconds: number;
  secondsPerSample: number;
}

/** Renders small probes of the job's representative frames on this machine. */
export async function probeJob(engine: RenderEngine, doc: Document, spec: JobSpec, opts: { threads?: number } = {}): Promise<Probe[]> {
  const width = Math.min(spec.width, PROBE.width);
  const height = Math.max(1, Math.round((width * spec.height) / spec.width));
  const renderer = new SceneRenderer(doc, engine);
  const probes: Probe[] = [];
  try {
    for (const frame of probeFrames(spec)) {
      const probeSpec: JobSpec = { ...spec, width, height };
      // The probe uses the job's aspect, camera and environment: the same scene as the job's frame.
      const loaded = await renderer.frame(probeSpec, frame);
      const task = { index: 0, id: 'probe', frame, tileX: 0, tileY: 0, rect: { x: 0, y: 0, width, height } };
      let spp = 1;
      let seconds = 0;
      // Double the samples until the probe runs long enough to time reliably.
      for (;;) {
        const r = await renderer.renderTask({ ...probeSpec, spp }, task, opts);
        seconds = r.seconds;
        if (seconds >= PROBE.minSeconds || spp >= spec.spp || spp >= 256) break;
        spp = Math.min(spec.spp, spp * Math.max(2, Math.min(8, Math.ceil(PROBE.minSeconds / Math.max(seconds, 1e-3)))));
      }
      // Once more at the same size: the faster run is the one less disturbed by other programs.
      seconds = Math.min(seconds, (await renderer.renderTask({ ...probeSpec, spp }, task, opts)).seconds);
      probes.push({ frame, width, height, spp, seconds, loadSeconds: loaded.loadSeconds, secondsPerSample: seconds / (width * height * spp) });
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

/** The full estimate of a job. */
export async function estimateJob(
  engine: RenderEngine,
  doc: Document,
  spec: JobSpec,
  opts: { localScore: number; baseRatePerBH: bigint; nodes: number; nodeScore?: number; threads?: number },
): Promise<Estimate> {
  const probes = await probeJob(engine, doc, spec, { threads: opts.threads });
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
    probes: probes.map(({ frame, width, height, spp, seconds: s, loadSeconds }) => ({ frame, width, height, spp, seconds: s, loadSeconds })),
  };
}
