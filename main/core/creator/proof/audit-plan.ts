/**
 * Which results the creator re-renders when it cannot re-render them all. Re-rendering about
 * 1 % of a result's pixels (at least 256) costs the creator about 3 % of the operator's render
 * of a small tile: one creator can check every result of a few dozen operators, not of a
 * thousand, and a verifier that tried would queue results without bound while operators sat
 * waiting for verdicts. So every result still gets the cheap checks (size, finite values,
 * signed hash), and the re-render is decided here:
 *
 * - while fewer than `spare` re-renders are in flight (a farm of a few operators), every result;
 * - an operator's first `newcomerResults` results on this creator while fewer than
 *   `maxBacklog` re-renders are in flight (a newcomer has no record to lose);
 * - and whatever the load, a keyed random share of at least `floorRate` of all results, drawn
 *   from HMAC(creator secret, job, task, lease): an operator cannot tell which of its results
 *   will be re-rendered, and (as with the patches) changing its bytes does not change the draw.
 *   These wait for a slot when all are taken (back-pressure: the result's lease does not
 *   expire while it waits, and the result protocol takes at most MAX_CONCURRENT_RESULTS at once).
 *
 * So at least `maxBacklog` re-renders run or wait at any time beyond the floor's, and a
 * cheat in a share f of an operator's results is caught per result with probability ≥ floorRate
 * (one rejection costs the task, four times a timeout in reputation, and two bar the job).
 */
import { createHmac } from 'node:crypto';

/**
 * Smallest share of results re-rendered at any load, by default: all of them. Without a stake
 * to slash, a cheat caught on 2 % of results still pays 98 % of the time (a caught result costs
 * the cheater one task's pay), so a creator's pay is never traded for its throughput unless it
 * asks for that (`floorRate`, e.g. SAMPLED_AUDIT_FLOOR_RATE, as bench:scale does).
 */
export const AUDIT_FLOOR_RATE = 1;
/** The floor of the opt-in sampled plan: what bench:scale measures one creator at 1,000 operators with. */
export const SAMPLED_AUDIT_FLOOR_RATE = 0.02;
/**
 * Re-renders in flight below which every result is re-rendered: a farm of a few operators (or
 * a handful of cheaters at once) never gets near it, so there every result is checked.
 */
export const AUDIT_SPARE = 8;
/** Re-renders in flight below which a newcomer's results are re-rendered. */
export const AUDIT_MAX_BACKLOG = 16;
/** Results of an operator that count as a newcomer's. */
export const AUDIT_NEWCOMER_RESULTS = 3;

/** Settings of an audit plan. */
export interface AuditPlanOptions {
  secret: Uint8Array;
  floorRate?: number;
  spare?: number;
  maxBacklog?: number;
  newcomerResults?: number;
}

/** Why a result is (or is not) re-rendered. */
export type AuditReason = 'spare' | 'newcomer' | 'floor' | 'skipped';

/** The keyed uniform draw in [0, 1) of one result (job, task, lease). */
export function auditDraw(secret: Uint8Array, jobId: string, taskIndex: number, leaseId: string): number {
  const d = createHmac('sha256', secret).update(`rayfarm-audit-v1|${jobId}|${taskIndex}|${leaseId}`).digest();
  return d.readUInt32BE(0) / 0x1_0000_0000;
}

/** Decides which results are re-rendered and counts the re-renders in flight. */
export class AuditPlan {
  private readonly floorRate: number;
  private readonly spare: number;
  private readonly maxBacklog: number;
  private readonly newcomerResults: number;
  private inFlight = 0;
  /** Most re-renders in flight at once, and results seen and re-rendered (for benchmarks and the UI). */
  maxInFlight = 0;
  readonly counts = { seen: 0, audited: 0 };

  constructor(private readonly o: AuditPlanOptions) {
    this.floorRate = o.floorRate ?? AUDIT_FLOOR_RATE;
    this.spare = o.spare ?? AUDIT_SPARE;
    this.maxBacklog = Math.max(this.spare, o.maxBacklog ?? AUDIT_MAX_BACKLOG);
    this.newcomerResults = o.newcomerResults ?? AUDIT_NEWCOMER_RESULTS;
  }

  /** Re-renders running or waiting now. */
  get backlog(): number {
    return this.inFlight;
  }

  /** Whether to re-render this result; `verified` is how many of the operator's results this creator verified before. */
  decide(r: { jobId: string; taskIndex: number; leaseId: string; verified: number }): AuditReason {
    this.counts.seen++;
    let why: AuditReason = 'skipped';
    if (auditDraw(this.o.secret, r.jobId, r.taskIndex, r.leaseId) < this.floorRate) why = 'floor';
    else if (this.inFlight < this.spare) why = 'spare';
    else if (r.verified < this.newcomerResults && this.inFlight < this.maxBacklog) why = 'newcomer';
    if (why !== 'skipped') this.counts.audited++;
    return why;
  }

  /** Runs one re-render, counted in the backlog. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await fn();
    } finally {
      this.inFlight--;
    }
  }
}
