/**
 * The dispatcher's contracts: what it is built from (options, the verify and payment hooks),
 * what it takes (a new job) and what it reports (progress, finished tasks). Apart from
 * dispatcher.ts so the per-job state (dispatch-job.ts) reads them without importing the loop.
 */
import type { Database } from 'better-sqlite3';
import type { JobSpec, Task } from '../../../../shared/job-spec';
import type { BlobStore } from '../../store';
import type { OperatorRef } from '../../net/work/messages';
import type { DeliveringOperator, ResultHeader, Verdict } from '../../net/result/messages';
import type { JobRow, LeaseRow } from './dispatcher-store';

/** What the verify hook sees: the result and everything known about its task. */
export interface VerifyInput {
  jobId: string;
  spec: JobSpec;
  task: Task;
  operator: DeliveringOperator;
  header: ResultHeader;
  pixels: Float32Array;
}

/** Settings of a dispatcher. */
export interface DispatcherOptions {
  db: Database;
  blobs: BlobStore;
  now?: () => number;
  /** Lease time-to-live; operators renew while they render. */
  leaseMs?: number;
  /** Leases one operator may hold at once: one running, one queued. */
  maxLeasesPerOperator?: number;
  /** Failures after which an operator gets no more tasks of a job. */
  maxOperatorFailures?: number;
  /** Distinct operators that must fail a task before it is failed. */
  maxTaskFailures?: number;
  /**
   * An operator gets a task it failed back only after this long without anyone else taking
   * it (and only when nothing else is left for it): a farm's only operator recovers from a
   * transient failure, while a task that failed stays with others first.
   */
  ownRetryAfterMs?: number;
  /** After a peer disconnects, its leases expire within this time unless it returns. */
  disconnectGraceMs?: number;
  /**
   * Group commit (store/group-commit.ts): when set, the dispatcher's transactions do not wait
   * for the disk, results are stored off the event loop, and an accepted verdict is answered
   * only after this resolves (the store's WalSync.sync). Unset: every commit is fsynced.
   */
  durable?: () => Promise<void>;
  /**
   * The slow tail: once a job has no task left to hand out, an operator asking gets a second
   * (backup) lease of a task leased more than this long ago (default: one lease time);
   * the first result verified wins the task, and a second one verified within its lease is
   * paid too (the creator chose to duplicate). Infinity: never.
   */
  backupAfterMs?: number;
  /** Judges a result before it is accepted (payments plug proof-of-render in here). */
  verify?: (input: VerifyInput) => Verdict | Promise<Verdict>;
  /** Price per bench-hour written into leases (decimal token units; "0" in studio mode). */
  pricePerBenchHour?: (spec: JobSpec) => string;
  /** Payments hooks (public mode); see PaymentHooks. */
  payments?: PaymentHooks;
  log?: (line: string) => void;
}

/** What payments (public mode) plug into the dispatcher. */
export interface PaymentHooks {
  /**
   * Before a lease: a reason to give this operator no task of this job now (paused job,
   * reputation), or undefined; with `retryAfterMs` when the wait is short (pay being allocated).
   */
  admit?(jobId: string, op: OperatorRef, tier: JobSpec['tier']): string | { reason: string; retryAfterMs: number } | undefined;
  /** The task price fixed into a lease (smallest token units, decimal string). */
  taskPrice?(jobId: string): string | undefined;
  /** The escrow job and the operator's allocation there, written into its lease (paid jobs). */
  leasePay?(jobId: string, address: string): { chainJobId: string; allocated: string } | undefined;
  /** Inside the transaction that marks a task done: record the accepted result. */
  accepted?(e: { jobId: string; taskIndex: number; operator: DeliveringOperator; resultHash: string }): void;
  /** After it: what the accepted answer carries besides the verdict (the voucher). */
  answer?(e: { jobId: string; taskIndex: number; operator: DeliveringOperator; resultHash: string }): Promise<Partial<Verdict>>;
  /** A result for a task already done: the answer to give when it is the same operator's same result. */
  duplicate?(op: DeliveringOperator, header: ResultHeader): Verdict | undefined;
  /**
   * Every task of the job is done: undefined when the job may finish now, else a promise
   * (held pay: the closing re-render of each operator's held results) after which the
   * dispatcher checks again (a failed re-render reopens tasks).
   */
  settle?(jobId: string): Promise<void> | undefined;
  /** The job had nothing left for this operator when it asked (held pay closes its tail then). */
  idle?(jobId: string, op: OperatorRef): void;
  /** A peer proved its address (hello): read what admitting it needs now, not on its first request. */
  bound?(address: string): void;
  /** A lease failed or expired (reputation). */
  leaseFailed?(e: { jobId: string; taskIndex: number; operator: string; address: string; state: 'failed' | 'expired'; reason: string }): void;
}

/** A new job for the dispatcher. */
export interface NewJob {
  id?: string;
  spec: JobSpec;
  scene: { hash: string; bytes: number };
  outDir?: string;
}

/** A task that was accepted. */
export interface TaskDoneEvent {
  jobId: string;
  task: Task;
  resultHash: string;
  operator: string;
}

/** Progress of one job. */
export interface JobProgress {
  id: string;
  state: JobRow['state'];
  tasks: number;
  done: number;
  failed: number;
  leased: number;
  /** Why an active job is stuck, for its creator (every operator asking was barred), or null. */
  waiting: string | null;
  createdAt: number;
  finishedAt: number | null;
}

/** Checks a result's pixels are all finite numbers (the default verify). */
export function verifyFinite(input: VerifyInput): Verdict {
  const p = input.pixels;
  for (let i = 0; i < p.length; i++) {
    if (!Number.isFinite(p[i]!)) return { verdict: 'rejected', reason: `pixel value ${i} is not a finite number` };
  }
  return { verdict: 'accepted' };
}

/** A lease the dispatcher tracks in memory, with the time-to-live its renewals extend by. */
export interface ActiveLease extends LeaseRow {
  ttlMs: number;
}

/** The dispatcher's limits with their defaults filled in. */
export interface DispatcherLimits {
  leaseMs: number;
  maxLeases: number;
  maxOpFailures: number;
  maxTaskFailures: number;
  graceMs: number;
  ownRetryAfterMs: number;
  backupAfterMs: number;
}

/** Fills in the defaults: one-minute leases, two per operator, two strikes per operator, three failures per task, 10 s of grace. */
export function dispatcherLimits(o: DispatcherOptions): DispatcherLimits {
  return {
    leaseMs: o.leaseMs ?? 60_000,
    maxLeases: o.maxLeasesPerOperator ?? 2,
    maxOpFailures: o.maxOperatorFailures ?? 2,
    maxTaskFailures: o.maxTaskFailures ?? 3,
    graceMs: o.disconnectGraceMs ?? 10_000,
    ownRetryAfterMs: o.ownRetryAfterMs ?? 5000,
    backupAfterMs: o.backupAfterMs ?? o.leaseMs ?? 60_000,
  };
}
