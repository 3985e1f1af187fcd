/**
 * Which results the creator re-renders, and when it may pay for one it did not. Re-rendering
 * about 1 % of a result's pixels (at least 256) costs the creator about 3 % of the operator's
 * render of a small tile: one creator can check every result of a few dozen operators, not
 * of a thousand. Every result gets the cheap checks (size, finite values, signed hash); the
 * re-render is decided here, AFTER the result arrived, from HMAC(creator secret, job, task,
 * lease), so an operator cannot tell which of its results will be re-rendered:
 *
 * - while fewer than `spare` re-renders are in flight (a farm of a few operators): every
 *   result, before it is answered ('spare'): it is paid at once;
 * - under load, an operator's first `newcomerResults` results on this creator: re-rendered
 *   before the answer while fewer than `maxBacklog` run ('newcomer'), else later, in the
 *   background ('lazy');
 * - under load, a keyed draw per result at `floorRate`, certain once the operator's unpaid
 *   (held) tail reaches `maxHeld` ('floor'; re-rendered in the background, or before the
 *   answer when the background queue is full);
 * - the rest ('skipped') are accepted with their pay HELD (see proof/held-pay.ts): a result
 *   not re-rendered is paid only once a later result of the same operator on the job passes
 *   a re-render; a failed re-render forfeits every held result of that operator on the job
 *   and bars it from the job; at the job's end each held tail gets one re-render (its last
 *   result) before it is paid. Why that makes cheating at any rate lose money: README,
 *   "The audit plan".
 */
import { createHmac } from 'node:crypto';

/**
 * Smallest share of an operator's results re-rendered under load. Safe only with held pay
 * (a skipped result is paid once a later one passes a re-render; a failure forfeits the held
 * ones), which the creator's payments always apply; `floorRate: 1` re-renders everything.
 */
export const AUDIT_FLOOR_RATE = 0.02;
/** Held results of an operator at which its next result is re-rendered for certain (its rate grows towards it). */
export const AUDIT_MAX_HELD = 32;
/**
 * Re-renders in flight below which every result is re-rendered: a farm of a few operators (or
 * a handful of cheaters at once) never gets near it, so there every result is checked.
 */
export const AUDIT_SPARE = 8;
/** Re-renders in flight below which a newcomer's results are re-rendered. */
export const AUDIT_MAX_BACKLOG = 16;
/** Results of an operator that count as a newcomer's. */
export const AUDIT_NEWCOMER_RESULTS = 3;

/**
 * The app's plan today: every result is re-rendered before it is answered, however many
 * re-renders are waiting, so every accepted result is paid at once and nothing is held. Held
 * pay (the sampled plan, the defaults below) is what one creator needs to keep up with a
 * thousand operators (bench:scale), but it asks operators for credit: a held result is paid
 * only later, while an operator's unpaid-work limit (one task by default) and its courier
 * treat an accepted result without its pay as a creator that does not pay. Until operators
 * can extend that credit on purpose and fetch the voucher of a held tail, the app keeps to this.
 */
export const EVERY_RESULT_AUDIT: Partial<Omit<AuditPlanOptions, 'secret'>> = { spare: Number.POSITIVE_INFINITY, floorRate: 1 };

/** Settings of an audit plan. */
export interface AuditPlanOptions {
  secret: Uint8Array;
  floorRate?: number;
  spare?: number;
  maxBacklog?: number;
  newcomerResults?: number;
  maxHeld?: number;
}

/** Why a result is (or is not) re-rendered. */
export type AuditReason = 'spare' | 'newcomer' | 'floor' | 'lazy' | 'skipped';

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
  private readonly maxHeld: number;
  private inFlight = 0;
  /** Most re-renders in flight at once, and results seen and re-rendered (for benchmarks and the UI). */
  maxInFlight = 0;
  readonly counts = { seen: 0, audited: 0 };

  constructor(private readonly o: AuditPlanOptions) {
    this.floorRate = o.floorRate ?? AUDIT_FLOOR_RATE;
    this.spare = o.spare ?? AUDIT_SPARE;
    this.maxBacklog = Math.max(this.spare, o.maxBacklog ?? AUDIT_MAX_BACKLOG);
    this.newcomerResults = o.newcomerResults ?? AUDIT_NEWCOMER_RESULTS;
    this.maxHeld = Math.max(1, o.maxHeld ?? AUDIT_MAX_HELD);
  }

  /**
   * The operator's draw rate under load: the floor, and 1 once its held tail reaches maxHeld
   * (a rate rising with the tail re-rendered more than one creator can at a thousand operators).
   */
  rate(held: number): number {
    return held >= this.maxHeld ? 1 : this.floorRate;
  }

  /** Whether some results may be answered before (or without) a re-render, their pay then held; not so under EVERY_RESULT_AUDIT. */
  get holdsPay(): boolean {
    return Number.isFinite(this.spare);
  }

  /** Re-renders running or waiting now. */
  get backlog(): number {
    return this.inFlight;
  }

  /**
   * Whether and when to re-render this result: `verified` is how many of the operator's
   * results this creator verified before, `held` how many of its results on the job await pay.
   */
  decide(r: { jobId: string; taskIndex: number; leaseId: string; verified: number; held?: number }): AuditReason {
    this.counts.seen++;
    let why: AuditReason = 'skipped';
    if (this.inFlight < this.spare) why = 'spare';
    else if (auditDraw(this.o.secret, r.jobId, r.taskIndex, r.leaseId) < this.rate(r.held ?? 0)) why = 'floor';
    else if (r.verified < this.newcomerResults) why = this.inFlight < this.maxBacklog ? 'newcomer' : 'lazy';
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
