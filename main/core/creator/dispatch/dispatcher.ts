/**
 * creator/dispatch/ — handing a job's tasks to operators: the dispatcher and its per-job state
 * (dispatch-job.ts), its SQLite rows (dispatcher-store.ts), frame and tile assembly as results
 * are accepted (dispatch-output.ts) and the operators' reputation (reputation.ts).
 *
 * The creator's dispatcher: splits a job into tasks (frames, or tiles of a still), leases
 * them to operators with deadlines, takes back expired leases and retries them elsewhere,
 * stops giving a job to an operator that failed it twice, fails a task after three
 * operators failed it, and keeps every operator fed (one task running, one queued).
 * One shot per task: a result is read only on its operator's current lease, and a rejected
 * result ends that lease and bars its operator (peer and address) from the task.
 * State lives in SQLite and survives a restart; the clock is injected for tests.
 */
import type { Task } from '../../../../shared/job-spec';
import { splitJob } from '../../../../shared/job-spec';
import { RayfarmError } from '../../errors';
import type { Lease, LeaseAnswer, OperatorOffer, OperatorRef, WorkAnswer, WorkProvider } from '../../net/work/messages';
import type { DeliveringOperator, ResultHeader, ResultSink, Verdict } from '../../net/result/messages';
import { DispatcherStore, newJobRow } from './dispatcher-store';
import type { JobRow, LeaseRow } from './dispatcher-store';
import { JobState, REJECTED_PREFIX, restoreJobs, TASK_DONE, TASK_LEASED } from './dispatch-job';
import { newJobId } from '../../ids';
import { leaseMessage, newActiveLease } from './lease-message';
import { dispatcherLimits, verifyFinite } from './dispatch-types';
import type { ActiveLease, DispatcherLimits, DispatcherOptions, JobProgress, NewJob, TaskDoneEvent } from './dispatch-types';
import { checkResultHeader } from './result-check';
import { LeaseBook } from './lease-book';
import { answerRequest } from './dispatch-request';
import type { RequestContext } from './dispatch-request';
import { Listeners } from '../../listeners';

export { verifyFinite } from './dispatch-types';
export type { DispatcherOptions, JobProgress, NewJob, PaymentHooks, TaskDoneEvent, VerifyInput } from './dispatch-types';

/** The creator's scheduler of tasks over operators. */
export class Dispatcher implements WorkProvider, ResultSink {
  private readonly store: DispatcherStore;
  private readonly jobs = new Map<string, JobState>();
  private readonly leases = new LeaseBook();
  /** Leases whose result is being verified: they neither expire nor take a second result meanwhile. */
  private readonly verifying = new Set<string>();
  /** Tasks accepted in a relaxed commit that is not on disk yet ("job/index"). */
  private readonly settling = new Set<string>();
  private readonly now: () => number;
  private readonly cfg: DispatcherLimits;
  private readonly taskDone = new Listeners<TaskDoneEvent>();
  private readonly jobFinished = new Listeners<JobProgress>();
  private readonly jobChanged = new Listeners<string>();
  /** What answering a work request needs (dispatch-request.ts). */
  private readonly asked: RequestContext;

  constructor(private readonly opts: DispatcherOptions) {
    this.store = new DispatcherStore(opts.db, !!opts.durable);
    this.now = opts.now ?? Date.now;
    this.cfg = dispatcherLimits(opts);
    this.asked = {
      jobs: this.jobs,
      cfg: this.cfg,
      payments: opts.payments,
      now: () => this.now(),
      held: (peerId) => this.leases.ofOperator(peerId).size,
      take: (job, op) => job.take(op.peerId, this.now(), this.cfg.ownRetryAfterMs, op.address) ?? this.backupFor(job, op),
      lease: (job, idx, op) => this.lease(job, idx, op),
    };
    this.load();
  }

  /** Rebuilds the in-memory state from SQLite (a restart resumes every active job). */
  private load(): void {
    for (const { job, leases } of restoreJobs(this.store, this.now() + this.cfg.graceMs)) {
      this.jobs.set(job.row.id, job);
      for (const l of leases) this.leases.add(l);
      this.checkFinished(job);
    }
  }

  /** Adds a job; its tasks become available at once. */
  addJob(input: NewJob): JobProgress {
    const id = input.id ?? newJobId(this.now());
    if (this.jobs.has(id)) throw new RayfarmError('JOB_EXISTS', `A job with id ${id} already exists.`);
    const tasks = splitJob(input.spec);
    const row = newJobRow(id, input, this.cfg.leaseMs, this.now());
    this.store.insertJob(row, tasks.length);
    const job = JobState.fresh(row, tasks);
    this.jobs.set(id, job);
    this.jobChanged.emit(id);
    return job.progress(this.now());
  }

  /** Stops offering a job; outstanding leases are dropped. */
  cancelJob(jobId: string): void {
    const job = this.mustJob(jobId);
    if (job.row.state !== 'active') return;
    for (const l of [...this.leases.values()]) if (l.jobId === jobId) this.endLease(l, 'released');
    job.row.state = 'cancelled';
    job.row.finishedAt = this.now();
    this.store.setJobState(jobId, 'cancelled', job.row.finishedAt);
    this.jobChanged.emit(jobId);
  }

  private mustJob(jobId: string): JobState {
    const j = this.jobs.get(jobId);
    if (!j) throw new RayfarmError('JOB_NOT_FOUND', `There is no job ${jobId}.`);
    return j;
  }

  /** The job, its spec and scene (for announcements and the API). */
  job(jobId: string): { row: JobRow; tasks: readonly Task[]; progress: JobProgress } | undefined {
    const j = this.jobs.get(jobId);
    return j && { row: j.row, tasks: j.tasks, progress: j.progress(this.now()) };
  }

  /** Every job's progress, newest first. */
  list(): JobProgress[] {
    return [...this.jobs.values()].map((j) => j.progress(this.now())).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Active leases of a job held by the operator with wallet `address`. */
  leasedTo(jobId: string, address: string): number {
    return this.leases.countOf(jobId, address);
  }

  /** Active leases of a job (a task with a backup lease counts twice). */
  leaseCount(jobId: string): number {
    return this.leases.count(jobId);
  }

  /** Hashes of stored results of a job's tasks (index → hash), for assembly after a restart. */
  results(jobId: string): Map<number, string> {
    return new Map(this.store.tasks(jobId).flatMap((t) => (t.resultHash ? [[t.idx, t.resultHash] as const] : [])));
  }

  // ---- WorkProvider ----

  /** A task (or up to `count` at once) for `op`, of `jobId` or of any job; see dispatch-request.ts. */
  request(op: OperatorRef, jobId: string | undefined, offer: OperatorOffer, count = 1): WorkAnswer {
    this.tick();
    return answerRequest(this.asked, op, jobId, offer, count);
  }

  /** The slow tail (nothing left to hand out): a task out longest with a slower operator, to render again. */
  private backupFor(job: JobState, op: OperatorRef): number | undefined {
    const eligible = (l: ActiveLease) => job.state[l.idx] === TASK_LEASED && l.address.toLowerCase() !== op.address.toLowerCase() && !job.isBarred(l.idx, op.peerId, op.address) && !job.failedBy.get(l.idx)?.has(op.peerId);
    return this.leases.backupCandidate(job.row.id, op.peerId, this.now() - this.cfg.backupAfterMs, eligible)?.idx;
  }

  private lease(job: JobState, idx: number, op: OperatorRef): Lease {
    const now = this.now();
    job.lastLeaseAt = now;
    const price = this.opts.pricePerBenchHour?.(job.row.spec) ?? '0';
    const amount = this.opts.payments?.taskPrice?.(job.row.id);
    const pay = this.opts.payments?.leasePay?.(job.row.id, op.address);
    const l = newActiveLease(job, idx, op, now, price);
    this.store.later(() => {
      this.store.insertLease(l);
      this.store.setTaskState(job.row.id, idx, 'leased');
    });
    this.leases.add(l);
    this.jobChanged.emit(job.row.id);
    return leaseMessage(job, l, amount, pay);
  }

  private endLease(l: ActiveLease, state: LeaseRow['state']): void {
    this.leases.remove(l);
    l.state = state;
    this.store.setLeaseState(l.id, state);
  }

  private ownLease(op: { peerId: string }, leaseId: string): ActiveLease | undefined {
    const l = this.leases.get(leaseId);
    return l && l.operator === op.peerId ? l : undefined;
  }

  renew(op: OperatorRef, leaseId: string): LeaseAnswer {
    const l = this.ownLease(op, leaseId);
    if (!l) return { status: 'gone', reason: 'the lease expired or is not yours' };
    l.deadline = this.now() + l.ttlMs;
    this.store.setLeaseDeadline(l.id, l.deadline);
    return { status: 'ok', ttlMs: l.ttlMs };
  }

  release(op: OperatorRef, leaseId: string, _reason: string): LeaseAnswer {
    const l = this.ownLease(op, leaseId);
    if (!l) return { status: 'gone', reason: 'the lease expired or is not yours' };
    const job = this.mustJob(l.jobId);
    this.store.tx(() => {
      this.endLease(l, 'released');
      if (job.state[l.idx] === TASK_LEASED && this.leases.ofTask(l.jobId, l.idx).length === 0) {
        job.requeue(l.idx);
        this.store.setTaskState(job.row.id, l.idx, 'pending');
      }
    });
    this.jobChanged.emit(job.row.id);
    return { status: 'ok' };
  }

  fail(op: OperatorRef, leaseId: string, reason: string): LeaseAnswer {
    const l = this.ownLease(op, leaseId);
    if (!l) return { status: 'gone', reason: 'the lease expired or is not yours' };
    this.failLease(l, 'failed', reason);
    return { status: 'ok' };
  }

  /**
   * Counts a failure of the lease's operator on its task and re-queues or fails the task. A
   * rejected result (reason REJECTED_PREFIX…) counts even when its lease ended meanwhile, and
   * bars the operator from the task.
   */
  private failLease(l: ActiveLease, state: 'failed' | 'expired', reason: string): void {
    const job = this.mustJob(l.jobId);
    const now = this.now();
    this.store.tx(() => {
      if (this.leases.get(l.id) === l) this.endLease(l, state);
      if (reason.startsWith(REJECTED_PREFIX)) job.bar(l.idx, l.operator, l.address);
      this.store.insertFailure(job.row.id, l.idx, l.operator, now, reason);
      this.opts.payments?.leaseFailed?.({ jobId: job.row.id, taskIndex: l.idx, operator: l.operator, address: l.address, state, reason });
      const outcome = job.recordFailure(l.idx, l.operator, this.cfg.maxTaskFailures, now, this.leases.ofTask(l.jobId, l.idx).length > 0);
      if (outcome === 'failed') this.store.setTaskState(job.row.id, l.idx, 'failed');
      else if (outcome === 'requeued') this.store.setTaskState(job.row.id, l.idx, 'pending');
    });
    this.opts.log?.(`dispatch: ${job.row.id} task ${job.tasks[l.idx]!.id} ${state} by ${l.operator.slice(-8)}: ${reason}`);
    this.jobChanged.emit(job.row.id);
    this.checkFinished(job);
  }

  /** Takes back every lease past its deadline. Called on a timer and before each request. */
  tick(): void {
    for (const l of this.leases.due(this.now(), (x) => this.verifying.has(x.id))) this.failLease(l, 'expired', 'the lease deadline passed');
  }

  /** The earliest lease deadline, for the caller's timer. */
  nextDeadline(): number | undefined {
    return this.leases.nextDeadline();
  }

  /** A peer proved its address (the hello binding, before it asks for work): payments read its standing now. */
  peerBound(address: string): void {
    this.opts.payments?.bound?.(address);
  }

  /** A peer disconnected: its leases expire soon unless it comes back and renews. */
  peerGone(peerId: string): void {
    const limit = this.now() + this.cfg.graceMs;
    for (const id of this.leases.ofOperator(peerId)) {
      const l = this.leases.get(id);
      if (l && l.deadline > limit) {
        l.deadline = limit;
        this.leases.lowered(limit);
        this.store.setLeaseDeadline(l.id, limit);
      }
    }
  }

  // ---- ResultSink ----

  expect(op: DeliveringOperator, header: ResultHeader): { bytes: number } | Verdict {
    // Accepted but not yet on disk (group commit): no answer about it until it is.
    if (this.settling.has(`${header.jobId}/${header.taskIndex}`)) return { verdict: 'unknown', reason: 'the result of this task is being saved; deliver again in a moment' };
    const lease = this.leases.get(header.leaseId);
    return checkResultHeader(this.jobs.get(header.jobId), lease, op, header, {
      checking: !!lease && this.verifying.has(lease.id),
      duplicate: () => this.opts.payments?.duplicate?.(op, header),
    });
  }

  async deliver(op: DeliveringOperator, header: ResultHeader, pixels: Uint8Array): Promise<Verdict> {
    const pre = this.expect(op, header);
    if ('verdict' in pre) return pre;
    if (pixels.byteLength !== pre.bytes) return { verdict: 'rejected', reason: 'the result has the wrong number of bytes' };
    const job = this.mustJob(header.jobId);
    const task = job.tasks[header.taskIndex]!;
    const lease = this.leases.get(header.leaseId)!;
    const aligned = new Float32Array(pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength));
    // The result came in time: its lease does not expire while the creator checks it.
    this.verifying.add(lease.id);
    let verdict: Verdict;
    let hash: string | undefined;
    try {
      verdict = await (this.opts.verify ?? verifyFinite)({ jobId: job.row.id, spec: job.row.spec, task, operator: op, header, pixels: aligned });
      // Group commit: the pixels are stored off the event loop, the lease still held meanwhile.
      if (verdict.verdict === 'accepted' && this.opts.durable) hash = await this.opts.blobs.putAsync(pixels);
    } finally {
      this.verifying.delete(lease.id);
      // Exempt from expiry while verified: its deadline counts again.
      this.leases.lowered(lease.deadline);
    }
    // Done meanwhile: a second (backup) lease still current is judged and, verified, paid too.
    const first = job.state[header.taskIndex] !== TASK_DONE;
    if (!first && (verdict.verdict === 'unknown' || this.leases.get(lease.id) !== lease)) return { verdict: 'duplicate', reason: 'the task was finished meanwhile' };
    if (verdict.verdict === 'unknown') {
      // The creator cannot judge now (its wallet is locked): the operator keeps the result and
      // renews the lease, which stays current for the later delivery.
      if (this.leases.get(lease.id) === lease) {
        lease.deadline = this.now() + lease.ttlMs;
        this.store.setLeaseDeadline(lease.id, lease.deadline);
      }
      return verdict;
    }
    if (verdict.verdict !== 'accepted') {
      this.failLease(lease, 'failed', `${REJECTED_PREFIX}${verdict.reason ?? ''}`);
      return { ...verdict, verdict: 'rejected' };
    }
    hash ??= this.opts.blobs.put(pixels);
    const now = this.now();
    this.store.tx(() => {
      this.endLease(lease, 'done');
      // The task keeps the first verified result; a backup lease still running may be paid too.
      if (first) {
        job.markDone(header.taskIndex);
        this.store.setTaskDone(job.row.id, header.taskIndex, hash, op.peerId, now);
      }
      this.opts.payments?.accepted?.({ jobId: job.row.id, taskIndex: header.taskIndex, operator: op, resultHash: hash });
    });
    if (first) this.taskDone.emit({ jobId: job.row.id, task, resultHash: hash, operator: op.peerId });
    this.jobChanged.emit(job.row.id);
    const key = `${job.row.id}/${header.taskIndex}`;
    if (this.opts.durable) this.settling.add(key);
    try {
      const extra = await this.opts.payments?.answer?.({ jobId: job.row.id, taskIndex: header.taskIndex, operator: op, resultHash: hash });
      // Group commit: the acceptance and its voucher are on disk before the operator hears of them.
      await this.opts.durable?.();
      return { ...extra, verdict: 'accepted' };
    } finally {
      this.settling.delete(key);
      // The job finishes only once its last acceptance is answered: whoever waits for the end
      // (`rayfarm submit` exits then) would otherwise cut off the operator's verdict and voucher.
      this.checkFinished(job);
    }
  }

  /** Sends tasks whose results were forfeited back to the queue, never again to `address` (held pay). */
  reopen(jobId: string, tasks: readonly number[], address: string): void {
    const job = this.mustJob(jobId);
    this.store.tx(() => {
      for (const i of tasks) if (job.reopen(i, address)) this.store.setTaskState(jobId, i, 'pending');
    });
    this.jobChanged.emit(jobId);
  }

  private checkFinished(job: JobState): void {
    if (job.row.state !== 'active' || !job.finished() || job.settling) return;
    // Held pay: each operator's held results get their closing re-render first (which may reopen tasks).
    const settling = this.opts.payments?.settle?.(job.row.id);
    if (settling) {
      job.settling = true;
      void settling.finally(() => {
        job.settling = false;
        this.checkFinished(job);
      });
      return;
    }
    job.row.state = job.failedCount > 0 ? 'failed' : 'done';
    job.row.finishedAt = this.now();
    this.store.setJobState(job.row.id, job.row.state, job.row.finishedAt);
    const p = job.progress(this.now());
    this.jobFinished.emit(p);
    this.jobChanged.emit(job.row.id);
  }

  /** Calls `fn` for each accepted task. */
  readonly onTaskDone = (fn: (e: TaskDoneEvent) => void): (() => void) => this.taskDone.on(fn);
  /** Calls `fn` when a job has every task done or failed. */
  readonly onJobFinished = (fn: (p: JobProgress) => void): (() => void) => this.jobFinished.on(fn);
  /** Calls `fn` whenever a job's state changes (for announcements and the UI). */
  readonly onChange = (fn: (jobId: string) => void): (() => void) => this.jobChanged.on(fn);

  /** Commits the writes queued behind (group commit) now: before the store closes. */
  flush(): void {
    this.store.flush();
  }

  /** Number of leases an operator holds now. */
  held(peerId: string): number {
    return this.leases.ofOperator(peerId).size;
  }
}

