/**
 * A work request's answer: which of the creator's jobs an operator may take a task of, and
 * up to `count` leases of that job at once (never past the per-operator limit), each admitted
 * by payments on its own as a request for one would be.
 */
import type { Lease, OperatorOffer, OperatorRef, WorkAnswer } from '../../net/work/messages';
import { MAX_TASKS_PER_REQUEST, jobEngine } from '../../net/work/constants';
import type { JobState } from './dispatch-job';
import type { DispatcherLimits, PaymentHooks } from './dispatch-types';

/** What answering needs of the dispatcher. */
export interface RequestContext {
  jobs: ReadonlyMap<string, JobState>;
  cfg: DispatcherLimits;
  payments: PaymentHooks | undefined;
  now(): number;
  /** Leases the peer holds now. */
  held(peerId: string): number;
  /** A task of `job` for `op` (a backup of a slow one at the tail), or undefined. */
  take(job: JobState, op: OperatorRef): number | undefined;
  /** Leases task `idx` of `job` to `op`. */
  lease(job: JobState, idx: number, op: OperatorRef): Lease;
}

/** Answers a request for `count` tasks (1..MAX_TASKS_PER_REQUEST; more is capped) of `jobId`, or of any job when absent. */
export function answerRequest(c: RequestContext, op: OperatorRef, jobId: string | undefined, offer: OperatorOffer, count = 1): WorkAnswer {
  const held = c.held(op.peerId);
  if (held >= c.cfg.maxLeases) return { status: 'none', retryAfterMs: 1000, reason: `you already hold ${held} tasks` };
  const want = Math.min(Math.max(1, Math.floor(count) || 1), MAX_TASKS_PER_REQUEST, c.cfg.maxLeases - held);
  const candidates = jobId ? [c.jobs.get(jobId)].filter((j): j is JobState => !!j) : [...c.jobs.values()];
  if (jobId && candidates.length === 0) return { status: 'denied', reason: `no job ${jobId}` };
  let reason = 'no open jobs';
  let retryAfterMs = 1000;
  for (const job of candidates) {
    if (job.row.state !== 'active') {
      reason = `job ${job.row.id} is ${job.row.state}`;
      continue;
    }
    if ((job.opFailures.get(op.peerId) ?? 0) >= c.cfg.maxOpFailures) {
      job.refusedAt.set(op.peerId, c.now());
      reason = `you failed job ${job.row.id} ${c.cfg.maxOpFailures} times`;
      if (jobId) return { status: 'denied', reason };
      continue;
    }
    const engine = jobEngine(job.row.spec);
    if (!offer.engines.includes(engine)) {
      // Another job of this creator may use an engine the operator has.
      reason = `job ${job.row.id} needs the ${engine} engine`;
      if (jobId) return { status: 'denied', reason };
      continue;
    }
    const refused = c.payments?.admit?.(job.row.id, op, job.row.spec.tier);
    if (refused) {
      reason = typeof refused === 'string' ? refused : refused.reason;
      if (typeof refused !== 'string') retryAfterMs = Math.min(retryAfterMs, refused.retryAfterMs);
      continue;
    }
    if (job.row.sceneBytes > offer.maxSceneBytes) return { status: 'denied', reason: `the scene (${job.row.sceneBytes} bytes) is over your limit` };
    const idx = c.take(job, op);
    if (idx === undefined) {
      c.payments?.idle?.(job.row.id, op);
      reason = 'every task is taken; some may come back';
      continue;
    }
    const lease = c.lease(job, idx, op);
    // Further tasks of the same job: each admitted again (escrow and allocation count the leases just made).
    const more: Lease[] = [];
    while (more.length + 1 < want && !c.payments?.admit?.(job.row.id, op, job.row.spec.tier)) {
      const next = c.take(job, op);
      if (next === undefined) break;
      more.push(c.lease(job, next, op));
    }
    return more.length > 0 ? { status: 'ok', lease, more } : { status: 'ok', lease };
  }
  return { status: 'none', retryAfterMs, reason };
}
