/**
 * Held pay: what makes sampled re-renders safe for the creator (proof/audit-plan.ts).
 *
 * A result accepted without a re-render is recorded `audited: false` and is not in any
 * voucher yet (proof/voucher-ledger.ts: a voucher covers an operator's results up to its last
 * re-rendered one). Here:
 * - a held result chosen for a later re-render ('lazy', a newcomer's under load) is
 *   re-rendered in the background; passing pays it and every held result before it;
 * - a failed re-render (in the background, before an answer, or at the job's end) forfeits
 *   every held result of that operator on the job, sends their tasks back to the queue for
 *   others, counts against its reputation and bars it from the job;
 * - at the job's end (every task done), each operator's held tail gets one re-render of its
 *   last result; passing pays the tail, so an honest operator is always paid in full.
 * The escrow's ring fence counts held results as owed (VoucherLedger.owed), so the creator
 * can never take back what it may owe for them.
 */
import type { JobSpec, Task } from '../../../../shared/job-spec';
import type { VoucherLedger } from '../proof/voucher-ledger';
import type { ReputationBook } from '../dispatch/reputation';
import type { AuditPlan } from '../proof/audit-plan';
import type { VerificationReport, ResultToVerify } from '../proof/verifier';
import type { Dispatcher } from '../dispatch/dispatcher';

/**
 * Pixels the closing re-render of a held tail checks (the sampled ones check 1 %, at least
 * 256). Every operator with a held tail gets one when its job runs dry for it: at a thousand
 * operators a full sample each would cost the creator about thirty tiles of rendering after
 * the job; 64 pixels still catch a render with fewer samples, another seed or another region
 * (they differ in nearly every pixel) and a tenth of the pixels altered with probability
 * 1 − 0.9⁶⁴ > 99.8 %.
 */
export const CLOSING_MIN_PIXELS = 64;
/** Background re-renders (a newcomer's lazy ones, closing ones) run this many at a time; the rest wait as a few bytes each. */
export const BACKGROUND_AT_ONCE = 2;
/**
 * Lazy re-renders (each waits with its pixels) queued at most: past it a newcomer's result
 * just stays held until its operator's next sampled or closing re-render, which pays or forfeits it.
 */
export const LAZY_QUEUE_MAX = 64;

/** A held result to re-render later. */
export interface HeldResult {
  jobId: string;
  taskIndex: number;
  leaseId: string;
  spec: JobSpec;
  task: Task;
  operator: string;
  pixels: Float32Array;
  resultHash: string;
}

/** What held pay needs from the creator. */
export interface HeldPayOptions {
  ledger: VoucherLedger;
  reputation: ReputationBook;
  audits: AuditPlan;
  /** Re-renders a result (the job's verifier). */
  verify: (r: ResultToVerify) => Promise<VerificationReport>;
  /** The closing re-render of a held tail (default `verify`): see CLOSING_MIN_PIXELS. */
  verifyClosing?: (r: ResultToVerify) => Promise<VerificationReport>;
  /** Signs (and stores) the operator's voucher for what is payable now. */
  sign: (jobId: string, operator: string) => Promise<void>;
  /** Sends forfeited tasks back to the queue and bars the operator (its wallet address) from the job. */
  reopen?: (jobId: string, tasks: readonly number[], address: string) => void;
  /** A stored result's pixels by hash (the tail re-render at the job's end). */
  loadResult?: (hash: string) => Uint8Array | undefined;
  /** The job's spec and task by index (the tail re-render). */
  task?: (jobId: string, index: number) => { spec: JobSpec; task: Task } | undefined;
  /** Whether the job has ended (its closing re-renders ran): a result held after that is re-rendered at once. */
  ended?: (jobId: string) => boolean;
  log?: (line: string) => void;
}

/** Held results: background re-renders, forfeits and the tail re-render at the job's end. */
export class HeldPay {
  /** Addresses barred per job (a re-render of theirs failed), lowercase. */
  private readonly barredBy = new Map<string, Set<string>>();
  private readonly settleFailures = new Map<string, number>();
  /** "job|operator" whose held tail has its closing re-render scheduled or done. */
  private readonly closing = new Set<string>();
  /** Background re-renders running or queued (each settles when done), the queue, and how many run. */
  private readonly running = new Set<Promise<unknown>>();
  private readonly queue: (() => Promise<unknown>)[] = [];
  private active = 0;
  private lazyQueued = 0;
  /** Results forfeited so far (for benchmarks and logs). */
  forfeitedCount = 0;

  constructor(private readonly o: HeldPayOptions) {}

  /** Whether the operator is barred from the job. */
  barred(jobId: string, address: string): boolean {
    let s = this.barredBy.get(jobId);
    if (!s) {
      // Asked on every lease: read from the ledger once per job (a restart), then kept here.
      s = new Set(this.o.ledger.forfeitedOperators(jobId).map((a) => a.toLowerCase()));
      this.barredBy.set(jobId, s);
    }
    return s.has(address.toLowerCase());
  }

  /** Whether the job ended: a result held now (a backup lease's, delivered late) has no closing re-render to wait for. */
  ended(jobId: string): boolean {
    return this.o.ended?.(jobId) ?? false;
  }

  /** Held results of the operator on the job (its rate of re-renders grows with them). */
  count(jobId: string, address: string): number {
    return this.o.ledger.held(jobId, address).length;
  }

  /** A re-render of the operator's result failed: forfeit its held results, reopen their tasks, bar it. */
  caught(jobId: string, address: string, why: string): number[] {
    const tasks = this.o.ledger.forfeit(jobId, address);
    this.forfeitedCount += tasks.length;
    this.barred(jobId, address);
    this.barredBy.get(jobId)!.add(address.toLowerCase());
    this.o.reputation.rejected(address);
    // A task another operator's result also passed for (a backup lease) needs no new render.
    const reopen = tasks.filter((t) => !this.o.ledger.acceptedOf(jobId, t));
    if (reopen.length > 0) this.o.reopen?.(jobId, reopen, address);
    this.o.log?.(`payments: ${address.slice(0, 10)} failed a re-render on ${jobId} (${why}); ${tasks.length} held result(s) forfeited and their tasks reopened`);
    return tasks;
  }

  /** Re-renders a held result in the background (after its acceptance is recorded). */
  later(r: HeldResult): boolean {
    if (this.lazyQueued >= LAZY_QUEUE_MAX) return false;
    this.lazyQueued++;
    this.enqueue(() => {
      this.lazyQueued--;
      return this.audit(r).catch((err: unknown) => this.o.log?.(`payments: a background re-render of ${r.jobId} task ${r.taskIndex} failed to run: ${(err as Error).message}`));
    });
    return true;
  }

  /** Whether a lazy re-render can be queued now. */
  get canQueue(): boolean {
    return this.lazyQueued < LAZY_QUEUE_MAX;
  }

  /** Queues background work, BACKGROUND_AT_ONCE at a time. */
  private enqueue(work: () => Promise<unknown>): void {
    let done!: () => void;
    const q = new Promise<void>((r) => (done = r)).finally(() => this.running.delete(q));
    this.running.add(q);
    this.queue.push(() => work().finally(done));
    this.pump();
  }

  private pump(): void {
    while (this.active < BACKGROUND_AT_ONCE && this.queue.length > 0) {
      const work = this.queue.shift()!;
      this.active++;
      void work().finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  /** A new held result of the operator: its tail needs a closing re-render again. */
  heldMore(jobId: string, address: string): void {
    this.closing.delete(`${jobId}|${address.toLowerCase()}`);
  }

  /**
   * The job has nothing left for this operator (it asked and got none): its held tail gets its
   * closing re-render now, in the background, rather than all of them at the job's end.
   */
  idle(jobId: string, address: string): void {
    const key = `${jobId}|${address.toLowerCase()}`;
    if (this.closing.has(key)) return;
    this.closing.add(key);
    if (this.o.ledger.held(jobId, address).length === 0) return;
    this.enqueue(() => this.close(jobId, address));
  }

  /** One closing re-render of the operator's held tail (its last result); false if it could not run. */
  private async close(jobId: string, op: string): Promise<boolean> {
    const last = this.o.ledger.held(jobId, op).at(-1);
    if (!last) return true;
    const bytes = this.o.loadResult?.(last.resultHash);
    const t = this.o.task?.(jobId, last.taskIndex);
    try {
      if (!bytes || !t) throw new Error('the result or its task is no longer stored');
      const pixels = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      // The patches are keyed by the creator's secret; the result's hash stands in for its lease.
      await this.audit({ jobId, taskIndex: last.taskIndex, leaseId: `tail:${last.resultHash}`, spec: t.spec, task: t.task, operator: op, pixels, resultHash: last.resultHash }, true);
      return true;
    } catch (err) {
      this.o.log?.(`payments: the closing re-render of ${op.slice(0, 10)} on ${jobId} could not run: ${(err as Error).message}`);
      return false;
    }
  }

  /** Re-renders one held result: passing pays it and what was held before it; failing forfeits. */
  private async audit(r: HeldResult, closing = false): Promise<boolean> {
    const verify = closing ? (this.o.verifyClosing ?? this.o.verify) : this.o.verify;
    const report = await this.o.audits.run(() => verify({ jobId: r.jobId, leaseId: r.leaseId, spec: r.spec, task: r.task, pixels: r.pixels, resultHash: r.resultHash }));
    if (report.verdict !== 'accepted') {
      this.caught(r.jobId, r.operator, report.reason ?? report.code ?? 'mismatch');
      return false;
    }
    // Forfeited meanwhile (another of its results failed): nothing to pay.
    if (this.barred(r.jobId, r.operator)) return false;
    this.o.ledger.markAudited(r.jobId, r.taskIndex, report.pixelsChecked, report.maxError);
    await this.o.sign(r.jobId, r.operator);
    return true;
  }

  /**
   * The job's end: one re-render of each held tail's last result. Undefined when nothing is
   * held (the job may finish); else a promise, after which the caller checks again (a failed
   * tail reopens tasks). After three rounds that could not re-render, the tails stay held
   * (logged) rather than block the job forever.
   */
  settle(jobId: string): Promise<void> | undefined {
    const holders = this.o.ledger.holders(jobId);
    if (holders.length === 0 || (this.settleFailures.get(jobId) ?? 0) >= 3) return undefined;
    return (async () => {
      // Closing re-renders already under way (idle operators) are waited for, not repeated.
      await Promise.allSettled([...this.running]);
      for (const op of this.o.ledger.holders(jobId)) {
        if (!(await this.close(jobId, op))) this.settleFailures.set(jobId, (this.settleFailures.get(jobId) ?? 0) + 1);
      }
    })();
  }

  /** Resolves once every background re-render queued so far has run. */
  async drained(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Background re-renders running or waiting. */
  get pending(): number {
    return this.running.size;
  }
}

/** Held pay's ties to the creator's dispatcher (reopening tasks, a task by index) and blob store (stored results). */
export function heldPayTies(
  dispatcher: () => Pick<Dispatcher, 'reopen' | 'job'> | undefined,
  blobs: { has(hash: string): boolean; get(hash: string): Uint8Array },
): Pick<HeldPayOptions, 'reopen' | 'loadResult' | 'task' | 'ended'> {
  return {
    reopen: (jobId, tasks, address) => dispatcher()?.reopen(jobId, tasks, address),
    loadResult: (hash) => (blobs.has(hash) ? blobs.get(hash) : undefined),
    ended: (jobId) => (dispatcher()?.job(jobId)?.row.state ?? 'active') !== 'active',
    task: (jobId, index) => {
      const j = dispatcher()?.job(jobId);
      const task = j?.tasks[index];
      return j && task ? { spec: j.row.spec, task } : undefined;
    },
  };
}
