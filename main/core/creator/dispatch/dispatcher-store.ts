/**
 * The dispatcher's state in SQLite: every change is written through at once (WAL keeps
 * that cheap), so a creator killed at any point restarts into the jobs, leases and
 * failures it had. Relaxed (group commit, store/group-commit.ts), a commit does not wait for
 * the disk: a power loss may undo the last leases and renewals (their tasks are handed out
 * again), and whoever answers with money first awaits the shared WAL fsync. Relaxed, new
 * leases and renewed deadlines are also written behind: queued and committed together in
 * one transaction once the event loop has had a turn that queued none (or before any other
 * transaction or read, in order), and at most BEHIND_MAX_MS after the first was queued. At a
 * thousand operators a transaction per lease and per renewal was most of the time a burst of
 * requests waited for, and so was a transaction per turn of the burst (bench:scale): now the
 * burst's answers go out first and its rows follow in one transaction, which costs less
 * than dozens. A killed process may lose up to that much of the last leases and renewals
 * (as a power loss may: their tasks are handed out again, and a lease the restarted
 * creator does not know gets no result accepted or paid).
 */
import type { Database, Statement } from 'better-sqlite3';
import { relaxedTx } from '../../store/group-commit';
import type { JobSpec } from '../../../../shared/job-spec';
import { stmt } from '../../store/statements';

/** The longest writes queued behind wait for the event loop to stop making more (ms). */
export const BEHIND_MAX_MS = 200;

/** A job row. */
export interface JobRow {
  id: string;
  spec: JobSpec;
  sceneHash: string;
  sceneBytes: number;
  outDir: string | null;
  state: 'active' | 'done' | 'failed' | 'cancelled';
  leaseMs: number;
  createdAt: number;
  finishedAt: number | null;
}

/** The row of a new, active job. */
export function newJobRow(id: string, input: { spec: JobSpec; scene: { hash: string; bytes: number }; outDir?: string }, leaseMs: number, now: number): JobRow {
  return { id, spec: input.spec, sceneHash: input.scene.hash, sceneBytes: input.scene.bytes, outDir: input.outDir ?? null, state: 'active', leaseMs, createdAt: now, finishedAt: null };
}

/** A lease row. */
export interface LeaseRow {
  id: string;
  jobId: string;
  idx: number;
  operator: string;
  address: string;
  state: 'active' | 'done' | 'expired' | 'released' | 'failed';
  leasedAt: number;
  deadline: number;
  price: string;
}

/** Prepared statements over the dispatch_* tables. */
export class DispatcherStore {
  private readonly s: Record<string, Statement>;
  /** Writes queued behind (relaxed only), and the latest deadline of each renewed lease. */
  private behind: (() => void)[] = [];
  private deadlines = new Map<string, number>();
  private scheduled = false;
  /** Writes queued so far (to tell whether a turn queued more), and when the oldest waiting was. */
  private queued = 0;
  private seen = 0;
  private since = 0;

  constructor(
    private readonly db: Database,
    private readonly relaxed = false,
  ) {
    this.s = {
      insertJob: db.prepare('INSERT INTO dispatch_jobs (id, spec, scene_hash, scene_bytes, out_dir, state, lease_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      insertTask: db.prepare("INSERT INTO dispatch_tasks (job_id, idx, state) VALUES (?, ?, 'pending')"),
      jobState: db.prepare('UPDATE dispatch_jobs SET state = ?, finished_at = ? WHERE id = ?'),
      taskState: db.prepare('UPDATE dispatch_tasks SET state = ? WHERE job_id = ? AND idx = ?'),
      taskDone: db.prepare("UPDATE dispatch_tasks SET state = 'done', result_hash = ?, operator = ?, done_at = ? WHERE job_id = ? AND idx = ?"),
      insertLease: db.prepare('INSERT INTO dispatch_leases (id, job_id, idx, operator, address, state, leased_at, deadline, price) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      leaseState: db.prepare('UPDATE dispatch_leases SET state = ? WHERE id = ?'),
      leaseDeadline: db.prepare('UPDATE dispatch_leases SET deadline = ? WHERE id = ?'),
      insertFailure: db.prepare('INSERT INTO dispatch_failures (job_id, idx, operator, at, reason) VALUES (?, ?, ?, ?, ?)'),
    };
  }

  /** Runs `fn` in one transaction (after the writes queued behind, in the same one). */
  tx<T>(fn: () => T): T {
    if (!this.relaxed) return this.db.transaction(fn)();
    return relaxedTx(this.db, () => {
      this.drain();
      return fn();
    });
  }

  /** Relaxed: runs `fn`'s writes at the next flush; else at once, in a transaction. */
  later(fn: () => void): void {
    if (!this.relaxed) return this.tx(fn);
    this.behind.push(fn);
    this.schedule();
  }

  private schedule(): void {
    this.queued++;
    if (this.scheduled) return;
    this.scheduled = true;
    // The turn that queued the first counts as one that queued more.
    this.seen = this.queued - 1;
    this.since = performance.now();
    setImmediate(this.settle);
  }

  /** After a turn: commits, unless that turn queued more writes (a burst) and the oldest has waited less than BEHIND_MAX_MS. */
  private readonly settle = (): void => {
    if (!this.scheduled) return;
    if (this.queued !== this.seen && performance.now() - this.since < BEHIND_MAX_MS) {
      this.seen = this.queued;
      // A timer, not an immediate: the loop may wait for the burst's next bytes meanwhile.
      setTimeout(this.settle, 1);
      return;
    }
    this.flush();
  };

  /** Commits every write queued behind (one transaction). */
  flush(): void {
    this.scheduled = false;
    // A store closed meanwhile (the node stopped): its last writes were flushed by the stop.
    if (!this.db.open || (this.behind.length === 0 && this.deadlines.size === 0)) return;
    relaxedTx(this.db, () => this.drain());
  }

  private drain(): void {
    const fns = this.behind;
    const deadlines = this.deadlines;
    if (fns.length === 0 && deadlines.size === 0) return;
    this.behind = [];
    this.deadlines = new Map();
    for (const f of fns) f();
    for (const [id, deadline] of deadlines) this.s.leaseDeadline!.run(deadline, id);
  }

  insertJob(j: JobRow, taskCount: number): void {
    this.tx(() => {
      this.s.insertJob!.run(j.id, JSON.stringify(j.spec), j.sceneHash, j.sceneBytes, j.outDir, j.state, j.leaseMs, j.createdAt);
      for (let i = 0; i < taskCount; i++) this.s.insertTask!.run(j.id, i);
    });
  }

  setJobState(id: string, state: JobRow['state'], finishedAt: number | null): void {
    this.tx(() => this.s.jobState!.run(state, finishedAt, id));
  }

  setTaskState(jobId: string, idx: number, state: 'pending' | 'leased' | 'failed'): void {
    this.tx(() => this.s.taskState!.run(state, jobId, idx));
  }

  setTaskDone(jobId: string, idx: number, resultHash: string, operator: string, at: number): void {
    this.tx(() => this.s.taskDone!.run(resultHash, operator, at, jobId, idx));
  }

  insertLease(l: LeaseRow): void {
    this.tx(() => this.s.insertLease!.run(l.id, l.jobId, l.idx, l.operator, l.address, l.state, l.leasedAt, l.deadline, l.price));
  }

  setLeaseState(id: string, state: LeaseRow['state']): void {
    this.tx(() => this.s.leaseState!.run(state, id));
  }

  /** Relaxed: written behind, only the latest deadline of a lease. */
  setLeaseDeadline(id: string, deadline: number): void {
    if (!this.relaxed) return void this.tx(() => this.s.leaseDeadline!.run(deadline, id));
    this.deadlines.set(id, deadline);
    this.schedule();
  }

  insertFailure(jobId: string, idx: number, operator: string, at: number, reason: string): void {
    this.tx(() => this.s.insertFailure!.run(jobId, idx, operator, at, reason.slice(0, 300)));
  }

  /** Who holds (or held) a lease, and on which task. */
  leaseOwner(id: string): { operator: string; jobId: string; idx: number } | undefined {
    this.flush();
    const r = stmt(this.db, 'SELECT operator, job_id, idx FROM dispatch_leases WHERE id = ?').get(id) as { operator: string; job_id: string; idx: number } | undefined;
    return r && { operator: r.operator, jobId: r.job_id, idx: r.idx };
  }

  /** Every job (newest first). */
  jobs(): JobRow[] {
    this.flush();
    const rows = stmt(this.db, 'SELECT * FROM dispatch_jobs ORDER BY created_at DESC').all() as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as string,
      spec: JSON.parse(r.spec as string) as JobSpec,
      sceneHash: r.scene_hash as string,
      sceneBytes: r.scene_bytes as number,
      outDir: (r.out_dir as string | null) ?? null,
      state: r.state as JobRow['state'],
      leaseMs: r.lease_ms as number,
      createdAt: r.created_at as number,
      finishedAt: (r.finished_at as number | null) ?? null,
    }));
  }

  tasks(jobId: string): { idx: number; state: string; resultHash: string | null }[] {
    this.flush();
    return (stmt(this.db, 'SELECT idx, state, result_hash FROM dispatch_tasks WHERE job_id = ? ORDER BY idx').all(jobId) as { idx: number; state: string; result_hash: string | null }[]).map((r) => ({
      idx: r.idx,
      state: r.state,
      resultHash: r.result_hash,
    }));
  }

  activeLeases(jobId: string): LeaseRow[] {
    this.flush();
    const rows = stmt(this.db, "SELECT * FROM dispatch_leases WHERE job_id = ? AND state = 'active'").all(jobId) as Record<string, unknown>[];
    return rows.map((r) => ({
      id: r.id as string,
      jobId: r.job_id as string,
      idx: r.idx as number,
      operator: r.operator as string,
      address: r.address as string,
      state: 'active',
      leasedAt: r.leased_at as number,
      deadline: r.deadline as number,
      price: r.price as string,
    }));
  }

  failures(jobId: string): { idx: number; operator: string; at: number; reason: string }[] {
    this.flush();
    return stmt(this.db, 'SELECT idx, operator, at, reason FROM dispatch_failures WHERE job_id = ? ORDER BY at').all(jobId) as { idx: number; operator: string; at: number; reason: string }[];
  }
}
