/**
 * One job's tasks in memory: their states, the queue of pending tasks (retries first),
 * and who failed what. The dispatcher persists every change; this class only decides.
 */
import type { Task } from '../../../../shared/job-spec';
import { splitJob } from '../../../../shared/job-spec';
import type { DispatcherStore, JobRow } from './dispatcher-store';
import type { ActiveLease, JobProgress } from './dispatch-types';

export const TASK_PENDING = 0;
export const TASK_LEASED = 1;
export const TASK_DONE = 2;
export const TASK_FAILED = 3;

/** A refusal counts towards "waiting" this long (operators ask a job that refused them again after a minute). */
const REFUSAL_FRESH_MS = 180_000;

/**
 * How a failure caused by a rejected result is recorded (dispatch_failures.reason): such a
 * failure bars its operator from the task for good, where other failures only send it to
 * the back of the line. Read back after a restart, so keep it stable.
 */
export const REJECTED_PREFIX = 'result rejected: ';

/** How far past the queue head a request looks for a task the operator has not failed. */
const SCAN_LIMIT = 256;

/** The scheduling state of one job. */
export class JobState {
  /** One of TASK_* per task. */
  readonly state: Uint8Array;
  /** Tasks given back (expired, failed, released): served before new ones. */
  private retry: number[] = [];
  private queue: number[] = [];
  private head = 0;
  /** Operators that failed each task, with the time of their last failure on it. */
  readonly failedBy = new Map<number, Map<string, number>>();
  /** Failures per operator on this job. */
  readonly opFailures = new Map<string, number>();
  /** Per task, the peers and addresses whose result for it was rejected: they never get it again. */
  readonly barred = new Map<number, Set<string>>();
  doneCount = 0;
  failedCount = 0;
  /** When a task of this job was last leased, and when each barred operator was last refused. */
  lastLeaseAt = 0;
  /** The job's closing re-renders (held pay) are running: it finishes once they are done. */
  settling = false;
  readonly refusedAt = new Map<string, number>();

  private constructor(
    readonly row: JobRow,
    readonly tasks: readonly Task[],
  ) {
    this.state = new Uint8Array(tasks.length);
  }

  /** A new job: every task pending, in order. */
  static fresh(row: JobRow, tasks: readonly Task[]): JobState {
    const j = new JobState(row, tasks);
    j.queue = tasks.map((t) => t.index);
    return j;
  }

  /** A job read back from the database after a restart. */
  static restore(
    row: JobRow,
    tasks: readonly Task[],
    saved: { idx: number; state: string }[],
    failures: { idx: number; operator: string; at: number; reason?: string }[],
    leasedNow: Set<number>,
  ): JobState {
    const j = new JobState(row, tasks);
    for (const f of failures) {
      j.noteFailure(f.idx, f.operator, f.at);
      if (f.reason?.startsWith(REJECTED_PREFIX)) j.bar(f.idx, f.operator);
    }
    for (const s of saved) {
      if (j.restoreEnded(s)) continue;
      if (s.state === 'leased' && leasedNow.has(s.idx)) j.state[s.idx] = TASK_LEASED;
      else j.queue.push(s.idx);
    }
    return j;
  }

  /** A finished job, kept only for its summary. */
  static finished(row: JobRow, count: number, saved: { idx: number; state: string }[]): JobState {
    const j = new JobState(row, new Array<Task>(count));
    for (const s of saved) j.restoreEnded(s);
    return j;
  }

  /** Counts a saved task that is done or failed; false for one still open. */
  private restoreEnded(s: { idx: number; state: string }): boolean {
    if (s.state === 'done') {
      this.state[s.idx] = TASK_DONE;
      this.doneCount++;
    } else if (s.state === 'failed') {
      this.state[s.idx] = TASK_FAILED;
      this.failedCount++;
    } else return false;
    return true;
  }


  /** Bars peers or addresses from a task: their result for it was rejected (one shot per task). */
  bar(idx: number, ...who: string[]): void {
    let s = this.barred.get(idx);
    if (!s) {
      s = new Set();
      this.barred.set(idx, s);
    }
    for (const w of who) s.add(w.toLowerCase());
  }

  /** Whether any of `who` is barred from the task. */
  isBarred(idx: number, ...who: (string | undefined)[]): boolean {
    const s = this.barred.get(idx);
    return !!s && who.some((w) => w !== undefined && s.has(w.toLowerCase()));
  }

  private noteFailure(idx: number, op: string, at: number): void {
    let s = this.failedBy.get(idx);
    if (!s) {
      s = new Map();
      this.failedBy.set(idx, s);
    }
    s.set(op, at);
    this.opFailures.set(op, (this.opFailures.get(op) ?? 0) + 1);
  }

  /**
   * Picks a pending task for an operator and marks it leased. Tasks it has not failed come
   * first; a task it failed before is given back to it only when nothing else is left for it
   * and nobody else took the task within `ownRetryAfterMs` of that failure, so a transient
   * failure of a farm's only operator (a dropped connection) does not stall the job forever.
   * (The dispatcher stops asking an operator altogether after its failures on the job.)
   * A task whose result from this peer or `address` was rejected is never given back to it.
   */
  take(op: string, now = 0, ownRetryAfterMs = Infinity, address?: string): number | undefined {
    // No closures here: this runs on every lease (bench:scale's start hands out 2,000 at once).
    let fallback = -1;
    for (let i = 0; i < this.retry.length; i++) {
      const idx = this.retry[i]!;
      if (this.state[idx] !== TASK_PENDING) {
        this.retry.splice(i--, 1);
        continue;
      }
      if (this.failedAt(idx, op, address) !== undefined) {
        if (fallback < 0 && this.mayRetry(idx, op, now, ownRetryAfterMs, address)) fallback = idx;
        continue;
      }
      this.retry.splice(i, 1);
      this.state[idx] = TASK_LEASED;
      return idx;
    }
    while (this.head < this.queue.length && this.state[this.queue[this.head]!] !== TASK_PENDING) this.head++;
    for (let i = this.head; i < this.queue.length && i < this.head + SCAN_LIMIT; i++) {
      const idx = this.queue[i]!;
      if (this.state[idx] !== TASK_PENDING) continue;
      if (this.failedAt(idx, op, address) !== undefined) {
        if (fallback < 0 && this.mayRetry(idx, op, now, ownRetryAfterMs, address)) fallback = idx;
        continue;
      }
      this.state[idx] = TASK_LEASED;
      if (i === this.head) this.head++;
      return idx;
    }
    if (fallback < 0) return undefined;
    this.state[fallback] = TASK_LEASED;
    return fallback;
  }

  /** When `op` (or `address`) failed task `idx` (0: its result was rejected), if it did. */
  private failedAt(idx: number, op: string, address: string | undefined): number | undefined {
    return this.failedBy.get(idx)?.get(op) ?? (this.isBarred(idx, address) ? 0 : undefined);
  }

  /** A task `op` failed may go back to it: nobody else took it within `ownRetryAfterMs`, and it is not barred. */
  private mayRetry(idx: number, op: string, now: number, ownRetryAfterMs: number, address: string | undefined): boolean {
    const at = this.failedAt(idx, op, address);
    return at !== undefined && now - at >= ownRetryAfterMs && !this.isBarred(idx, op, address);
  }

  /** Puts a task back at the front without blame. */
  requeue(idx: number): void {
    if (this.state[idx] === TASK_DONE || this.state[idx] === TASK_FAILED) return;
    this.state[idx] = TASK_PENDING;
    this.retry.push(idx);
  }

  /** Records that `op` failed the task; the task is failed after `maxFailures` distinct operators (unless `covered`). */
  recordFailure(idx: number, op: string, maxFailures: number, at: number, covered = false): 'requeued' | 'failed' | 'closed' {
    this.noteFailure(idx, op, at);
    // Closed, or `covered`: another (backup) lease of the task still runs.
    if (this.state[idx] === TASK_DONE || this.state[idx] === TASK_FAILED || covered) return 'closed';
    if ((this.failedBy.get(idx)?.size ?? 0) >= maxFailures) {
      this.state[idx] = TASK_FAILED;
      this.failedCount++;
      return 'failed';
    }
    this.requeue(idx);
    return 'requeued';
  }

  /**
   * A done task whose result was forfeited (held pay: a later re-render caught its operator)
   * goes back to the front of the queue, never again to that operator. False if it was not done.
   */
  reopen(idx: number, ...barred: string[]): boolean {
    if (this.state[idx] !== TASK_DONE) return false;
    this.doneCount--;
    this.bar(idx, ...barred);
    this.state[idx] = TASK_PENDING;
    this.retry.push(idx);
    return true;
  }

  markDone(idx: number): void {
    if (this.state[idx] === TASK_DONE) return;
    if (this.state[idx] === TASK_FAILED) this.failedCount--;
    this.state[idx] = TASK_DONE;
    this.doneCount++;
  }

  /** Every task is done or failed. */
  finished(): boolean {
    return this.doneCount + this.failedCount === this.state.length;
  }

  progress(now = 0): JobProgress {
    let leased = 0;
    for (let i = 0; i < this.state.length; i++) if (this.state[i] === TASK_LEASED) leased++;
    return {
      id: this.row.id,
      state: this.row.state,
      tasks: this.state.length,
      done: this.doneCount,
      failed: this.failedCount,
      leased,
      waiting: this.waiting(now, leased),
      createdAt: this.row.createdAt,
      finishedAt: this.row.finishedAt,
    };
  }

  /**
   * Why an active job is not moving, in words for its creator: since the last task was
   * handed out, every operator that asked (recently) was refused for failing the job.
   */
  private waiting(now: number, leased: number): string | null {
    const left = this.state.length - this.doneCount - this.failedCount - leased;
    if (this.row.state !== 'active' || left === 0 || leased > 0) return null;
    const barred = [...this.refusedAt.values()].filter((at) => at > this.lastLeaseAt && now - at <= REFUSAL_FRESH_MS).length;
    if (barred === 0) return null;
    const who = barred === 1 ? 'the only operator asking for it failed this job twice and gets' : `all ${barred} operators asking for it failed this job twice and get`;
    return `No operator can take the ${left} remaining task${left === 1 ? '' : 's'}: ${who} no more of it. The job goes on when another operator joins, or you can cancel it.`;
  }
}

/**
 * Every job read back from SQLite after a restart, with its active leases. Every operator is
 * disconnected then: as after peerGone, a lease whose operator does not renew by `graceEnd`
 * goes back to the queue.
 */
export function restoreJobs(store: DispatcherStore, graceEnd: number): { job: JobState; leases: ActiveLease[] }[] {
  return store.jobs().map((row) => {
    if (row.state !== 'active') return { job: JobState.finished(row, splitJob(row.spec).length, store.tasks(row.id)), leases: [] };
    const saved = store.activeLeases(row.id);
    const job = JobState.restore(row, splitJob(row.spec), store.tasks(row.id), store.failures(row.id), new Set(saved.map((l) => l.idx)));
    return { job, leases: saved.map((l) => ({ ...l, deadline: Math.min(l.deadline, graceEnd), ttlMs: row.leaseMs })) };
  });
}
