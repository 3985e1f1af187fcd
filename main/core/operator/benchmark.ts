/**
 * The built-in benchmark as the operator runs it: a few engine runs in a row (the native
 * call has no progress of its own, so each step is a progress tick), their samples/s
 * pooled into one score, stored in SQLite and kept in settings for announcements.
 */
import type { Database } from 'better-sqlite3';
import type { BenchmarkProgress, BenchmarkResult } from '../../../shared/api';
import { RayfarmError } from '../errors';
import type { SettingsStore } from '../store';
import type { EngineLoader } from './hardware';
import { SettingsKeys } from '../settings-keys';

interface Row {
  id: number;
  at: number;
  score: number;
  samples_per_second: number;
  backend: string;
  device: string;
  threads: number;
  duration_ms: number;
}

function toResult(r: Row): BenchmarkResult {
  return { id: r.id, at: r.at, score: r.score, samplesPerSecond: r.samples_per_second, backend: r.backend, device: r.device, threads: r.threads, durationMs: r.duration_ms };
}

/** The latest stored score, or null when this machine was never benchmarked. */
export function latestBenchmarkScore(settings: SettingsStore): number | null {
  const v = settings.get<{ score?: unknown } | null>(SettingsKeys.operatorBenchmark, null);
  return v && typeof v.score === 'number' ? v.score : null;
}

/** Options of the benchmark service. */
export interface BenchmarkDeps {
  db: Database;
  settings: SettingsStore;
  engine: EngineLoader;
  /** The thread cap of the policy (benchmark what the operator will actually lend). */
  threads: () => number | undefined;
  onProgress?: (p: BenchmarkProgress) => void;
  /** Engine runs per benchmark (default 4). */
  steps?: number;
  /** Samples per pixel of each run (default 16, the engine's standard benchmark). */
  spp?: number;
  now?: () => number;
}

/** Runs and remembers benchmarks; one at a time. */
export class BenchmarkService {
  private running: Promise<BenchmarkResult> | null = null;
  private progress: BenchmarkProgress = { running: false, fraction: 0, step: 0, steps: 0, message: 'Not running.' };

  constructor(private readonly deps: BenchmarkDeps) {}

  /** Progress of the run in flight (or the last one). */
  current(): BenchmarkProgress {
    return this.progress;
  }

  private report(p: BenchmarkProgress): void {
    this.progress = p;
    this.deps.onProgress?.(p);
  }

  /** Every stored result, oldest first. */
  history(): BenchmarkResult[] {
    return (this.deps.db.prepare('SELECT * FROM operator_benchmarks ORDER BY at, id').all() as Row[]).map(toResult);
  }

  /** Runs the benchmark; a second call while one runs joins it. */
  run(): Promise<BenchmarkResult> {
    this.running ??= this.execute().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async execute(): Promise<BenchmarkResult> {
    const now = this.deps.now ?? Date.now;
    const steps = this.deps.steps ?? 4;
    const started = now();
    this.report({ running: true, fraction: 0, step: 0, steps, message: 'Loading the engine…' });
    try {
      let engine;
      try {
        engine = await this.deps.engine();
      } catch (err) {
        throw new RayfarmError('BENCHMARK_NO_ENGINE', `The render engine is not available: ${(err as Error).message}`, { cause: err });
      }
      const devices = engine.devices();
      const gpu = devices.find((d) => d.backend === 'cuda');
      const cpu = devices.find((d) => d.backend === 'cpu');
      const backend = gpu ? 'cuda' : 'cpu';
      const threads = this.deps.threads() ?? cpu?.threads;
      const device = gpu?.name ?? cpu?.name ?? 'CPU';
      let samples = 0;
      let seconds = 0;
      let usedThreads = threads ?? 1;
      let scorePerSample = 0;
      for (let i = 0; i < steps; i++) {
        this.report({ running: true, fraction: i / steps, step: i + 1, steps, message: `Rendering the benchmark scene on ${device} (${i + 1} of ${steps})…` });
        const r = await engine.benchmark({ backend, threads, spp: this.deps.spp });
        samples += r.samples;
        seconds += r.seconds;
        usedThreads = r.threads;
        scorePerSample = r.score / r.samplesPerSecond;
      }
      const samplesPerSecond = samples / Math.max(seconds, 1e-9);
      // The engine's score is proportional to samples/s; pool the runs on its scale.
      const score = samplesPerSecond * scorePerSample;
      const at = now();
      const durationMs = at - started;
      const info = this.deps.db
        .prepare('INSERT INTO operator_benchmarks (at, score, samples_per_second, backend, device, threads, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(at, score, samplesPerSecond, backend, device, usedThreads, durationMs);
      this.deps.settings.set(SettingsKeys.operatorBenchmark, { score, at, backend, device });
      // The creator's estimator caches a CPU, all-threads score of its own: keep it current.
      if (backend === 'cpu' && this.deps.threads() === undefined) this.deps.settings.set(SettingsKeys.engineBenchmark, { score, threads: usedThreads, at });
      this.report({ running: false, fraction: 1, step: steps, steps, message: `Score ${score.toFixed(1)}.` });
      return { id: Number(info.lastInsertRowid), at, score, samplesPerSecond, backend, device, threads: usedThreads, durationMs };
    } catch (err) {
      this.report({ running: false, fraction: 0, step: 0, steps, message: `The benchmark failed: ${(err as Error).message}` });
      throw err;
    }
  }
}
