/**
 * Which announced jobs the worker asks for work in one round. Announcements cost nothing
 * to make, so the worker never walks them all: it keeps the jobs its policy allows (engine,
 * scene size, a price that is a number and meets the minimum, not backing off), takes each
 * creator's best-paid job, ranks creators by reputation (what this operator has seen of
 * them) and then price, and asks at most MAX_CREATORS_PER_ROUND of them.
 */
import type { Database } from 'better-sqlite3';
import { RayfarmError } from '../../errors';

/** Creators asked for work in one round of `fill()`. */
export const MAX_CREATORS_PER_ROUND = 4;

/** A job the worker may take tasks from. */
export interface OpenJob {
  jobId: string;
  creator: string;
  /** The wallet address the creator's announcement is bound to (paid jobs check the escrow against it). */
  creatorAddress?: string;
  sceneBytes: number;
  engine: string;
  perBenchHour: string;
}

/** What the picker needs to know about the operator's policy and state. */
export interface PickContext {
  engines: readonly string[];
  maxSceneBytes: number;
  minPricePerBenchHour: string;
  /** Backing off from this job (its key) until then. */
  backoffUntil: (key: string) => number;
  /** The idle/schedule policy's word on a creator. */
  allowed: (creator: string) => boolean;
  /** Higher is better; 0 for a creator never seen. */
  reputation: (creator: string) => number;
  /** The payments hook's word on asking this job now (escrow and held leases). */
  mayAsk?: (job: OpenJob) => boolean;
  now: number;
  maxCreators?: number;
}

/** The key of a job in backoff maps: two creators may use the same job id. */
export function jobKey(j: Pick<OpenJob, 'creator' | 'jobId'>): string {
  return `${j.creator}/${j.jobId}`;
}

/** A decimal price as a number, or undefined when it is not one (a hostile announcement's "abc"). */
export function priceOf(s: string): number | undefined {
  if (!/^\d{1,30}(\.\d{1,30})?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** The jobs to ask this round, best first: one per creator, at most `maxCreators`. */
export function pickJobs(jobs: readonly OpenJob[], ctx: PickContext): OpenJob[] {
  const min = priceOf(ctx.minPricePerBenchHour) ?? 0;
  const best = new Map<string, { job: OpenJob; price: number }>();
  for (const j of jobs) {
    const price = priceOf(j.perBenchHour);
    if (price === undefined || price < min) continue;
    if (!ctx.engines.includes(j.engine) || j.sceneBytes > ctx.maxSceneBytes) continue;
    if (ctx.backoffUntil(jobKey(j)) > ctx.now || !ctx.allowed(j.creator) || !(ctx.mayAsk?.(j) ?? true)) continue;
    const prev = best.get(j.creator);
    if (!prev || price > prev.price) best.set(j.creator, { job: j, price });
  }
  const ranked = [...best.values()].map((b) => ({ ...b, rep: ctx.reputation(b.job.creator) }));
  ranked.sort((a, b) => b.rep - a.rep || b.price - a.price || (a.job.creator < b.job.creator ? -1 : 1));
  return ranked.slice(0, ctx.maxCreators ?? MAX_CREATORS_PER_ROUND).map((r) => r.job);
}

/**
 * Reputation of creators from this operator's own history: verified results count for a
 * creator, rejected ones against, minus what `penalties` holds (creators that answered
 * with nothing or an error lately). Re-read at most every `refreshMs`.
 */
export function historyReputation(db: Database, penalties: Map<string, number>, refreshMs = 10_000): (creator: string) => number {
  let at = -Infinity;
  let scores = new Map<string, number>();
  return (creator) => {
    if (Date.now() - at > refreshMs) {
      at = Date.now();
      const rows = db
        .prepare("SELECT creator, SUM(CASE WHEN verdict = 'verified' THEN 1 WHEN verdict = 'rejected' THEN -1 ELSE 0 END) AS score FROM operator_tasks WHERE creator IS NOT NULL GROUP BY creator")
        .all() as { creator: string; score: number }[];
      scores = new Map(rows.map((r) => [r.creator, r.score]));
    }
    return (scores.get(creator) ?? 0) - (penalties.get(creator) ?? 0);
  };
}

/** Whether a task's price meets the operator's minimum (decimal strings; "0" always passes a "0" minimum). */
export function priceOk(price: string, min: string): boolean {
  const p = priceOf(price);
  const m = priceOf(min);
  if (p === undefined || m === undefined) throw new RayfarmError('WORKER_BAD_PRICE', `Cannot compare prices "${price}" and "${min}".`);
  return p >= m;
}

/**
 * The worker's memory of whom to ask: per-job backoff (keyed by creator and job id, swept
 * as it expires) and per-creator penalties for answering with nothing or failing (capped,
 * cleared when the creator gives work), feeding the reputation used for ranking.
 */
export class CreatorChooser {
  private readonly backoff = new Map<string, number>();
  private readonly penalties = new Map<string, number>();
  readonly reputation: (creator: string) => number;

  constructor(
    db: Database,
    private readonly now: () => number,
    reputation?: (creator: string) => number,
  ) {
    this.reputation = reputation ? (c) => reputation(c) - (this.penalties.get(c) ?? 0) : historyReputation(db, this.penalties);
  }

  /** This round's jobs (see pickJobs). */
  round(jobs: readonly OpenJob[], ctx: Omit<PickContext, 'backoffUntil' | 'reputation' | 'now'>): OpenJob[] {
    const now = this.now();
    for (const [k, until] of this.backoff) if (until <= now) this.backoff.delete(k);
    return pickJobs(jobs, { ...ctx, backoffUntil: (k) => this.backoff.get(k) ?? 0, reputation: this.reputation, now });
  }

  /** Leaves a job alone for `ms`; `penalize` also ranks its creator lower for a while. */
  rest(job: OpenJob, ms: number, penalize: boolean): void {
    this.backoff.set(jobKey(job), this.now() + ms);
    if (!penalize) return;
    this.penalties.set(job.creator, Math.min(10, (this.penalties.get(job.creator) ?? 0) + 1));
    // Bounded like every per-peer map: forget the oldest penalty past the cap.
    if (this.penalties.size > 1000) this.penalties.delete(this.penalties.keys().next().value!);
  }

  /** Ends a job's rest now (what kept it waiting is gone). */
  wake(job: OpenJob): void {
    this.backoff.delete(jobKey(job));
  }

  /** The creator gave work: its penalty is forgiven. */
  gaveWork(creator: string): void {
    this.penalties.delete(creator);
  }
}
