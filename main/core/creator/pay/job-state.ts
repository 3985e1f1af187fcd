/**
 * A public job's life, persisted in SQLite (pay_jobs, with every transition logged in
 * pay_job_events):
 *
 *   draft ──fund──▶ funded ──start──▶ running ◀──resume/top-up──▶ paused
 *     │               │                  │                          │
 *     └──cancel──▶ cancelled ◀──cancel───┴──────────cancel──────────┘
 *                     │                  │ (every task done or failed)
 *                     │                  ▼
 *                     └─────close──▶ closed ◀──close── complete
 *
 * Only these transitions are allowed; anything else is JOB_BAD_TRANSITION. A job is
 * closed once the escrow returned the rest (or, never funded, at once).
 */
import type { Database } from 'better-sqlite3';
import type { JobSpec, Tier } from '../../../../shared/job-spec';
import type { PauseReason } from '../../../../shared/api/jobs';
import { RayfarmError } from '../../errors';
import { stmt } from '../../store/statements';

/** The states of a public job. */
export const JOB_STATES = ['draft', 'funded', 'running', 'paused', 'complete', 'cancelled', 'closed'] as const;
/** One state of a public job. */
export type JobStateName = (typeof JOB_STATES)[number];

const NEXT: Record<JobStateName, readonly JobStateName[]> = {
  draft: ['funded', 'cancelled'],
  funded: ['running', 'cancelled'],
  running: ['paused', 'complete', 'cancelled'],
  paused: ['running', 'complete', 'cancelled'],
  complete: ['closed'],
  cancelled: ['closed'],
  closed: [],
};

/** Whether `from → to` is a transition of the state machine. */
export function canTransition(from: JobStateName, to: JobStateName): boolean {
  return NEXT[from].includes(to);
}

/** A job's row. Amounts are smallest-unit decimal strings. */
export interface PayJob {
  id: string;
  chainJobId: string;
  state: JobStateName;
  spec: JobSpec;
  specHash: string;
  sceneHash: string;
  sceneBytes: number;
  tier: Tier;
  feeBps: number;
  tasks: number;
  taskPrice: string;
  budget: string;
  funded: string;
  maxPrice: string | null;
  benchHours: number;
  chainId: number | null;
  escrow: string | null;
  creator: string | null;
  outDir: string | null;
  fundTx: string | null;
  closeTx: string | null;
  /** Unix seconds from which the escrow may be closed (set by requestClose). */
  closableAt: number | null;
  refund: string | null;
  note: string | null;
  /** Why the job is paused (null unless paused): the top-up logic resumes only an escrow-low pause. */
  pausedFor: PauseReason | null;
  createdAt: number;
  updatedAt: number;
}

/** A logged transition. */
export interface JobEvent {
  at: number;
  from: JobStateName | null;
  to: JobStateName;
  note: string | null;
}

type Row = Record<string, unknown>;

const COLUMNS: Record<keyof PayJob, string> = {
  id: 'id',
  chainJobId: 'chain_job_id',
  state: 'state',
  spec: 'spec',
  specHash: 'spec_hash',
  sceneHash: 'scene_hash',
  sceneBytes: 'scene_bytes',
  tier: 'tier',
  feeBps: 'fee_bps',
  tasks: 'tasks',
  taskPrice: 'task_price',
  budget: 'budget',
  funded: 'funded',
  maxPrice: 'max_price',
  benchHours: 'bench_hours',
  chainId: 'chain_id',
  escrow: 'escrow',
  creator: 'creator',
  outDir: 'out_dir',
  fundTx: 'fund_tx',
  closeTx: 'close_tx',
  closableAt: 'closable_at',
  refund: 'refund',
  note: 'note',
  pausedFor: 'paused_for',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

/** Parsed specs by their JSON (a job is read on every lease; its spec never changes). */
const specs = new Map<string, JobSpec>();

function fromRow(r: Row): PayJob {
  const out: Record<string, unknown> = {};
  for (const [k, c] of Object.entries(COLUMNS)) out[k] = r[c];
  const json = r.spec as string;
  let spec = specs.get(json);
  if (!spec) {
    spec = JSON.parse(json) as JobSpec;
    if (specs.size >= 64) specs.clear();
    specs.set(json, spec);
  }
  out.spec = spec;
  return out as unknown as PayJob;
}

/**
 * Jobs as last read, per database (shared by every JobStateStore on it, since each writes
 * through this class): a job is read on every lease and result. Filled only outside a
 * transaction (a rolled-back write is never cached) and dropped on every write.
 */
const cache = new WeakMap<Database, Map<string, PayJob>>();

/** pay_jobs with validated transitions. */
export class JobStateStore {
  private readonly listeners = new Set<(job: PayJob, from: JobStateName | null) => void>();

  private readonly cached: Map<string, PayJob>;

  constructor(private readonly db: Database, private readonly now: () => number = Date.now) {
    let c = cache.get(db);
    if (!c) cache.set(db, (c = new Map()));
    this.cached = c;
  }

  /** Inserts a new job in `draft`. */
  create(job: Omit<PayJob, 'state' | 'createdAt' | 'updatedAt' | 'funded' | 'pausedFor'> & { funded?: string }): PayJob {
    const now = this.now();
    const full: PayJob = { ...job, funded: job.funded ?? '0', state: 'draft', pausedFor: null, createdAt: now, updatedAt: now };
    const cols = Object.values(COLUMNS);
    const values = (Object.keys(COLUMNS) as (keyof PayJob)[]).map((k) => (k === 'spec' ? JSON.stringify(full.spec) : full[k]));
    this.db.transaction(() => {
      stmt(this.db, `INSERT INTO pay_jobs (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...values);
      stmt(this.db, 'INSERT INTO pay_job_events (job_id, at, from_state, to_state, note) VALUES (?, ?, NULL, ?, NULL)').run(full.id, now, 'draft');
    })();
    this.emit(full, null);
    return full;
  }

  /** A job, or JOB_NOT_FOUND. */
  get(id: string): PayJob {
    const r = stmt(this.db, 'SELECT * FROM pay_jobs WHERE id = ?').get(id) as Row | undefined;
    if (!r) throw new RayfarmError('JOB_NOT_FOUND', `There is no job ${id}.`);
    return fromRow(r);
  }

  /** A job if it exists. */
  find(id: string): PayJob | undefined {
    const job = this.peek(id);
    return job && { ...job };
  }

  /**
   * A job if it exists, as last read and not copied: for readers on every lease (a copy of the
   * row's thirty fields cost more than the rest of a lease). Never to be changed by the caller.
   */
  peek(id: string): Readonly<PayJob> | undefined {
    const hit = this.cached.get(id);
    if (hit) return hit;
    const r = stmt(this.db, 'SELECT * FROM pay_jobs WHERE id = ?').get(id) as Row | undefined;
    if (!r) return undefined;
    const job = fromRow(r);
    if (!this.db.inTransaction) this.cached.set(id, job);
    return job;
  }

  /** Every job, newest first. */
  list(): PayJob[] {
    return (stmt(this.db, 'SELECT * FROM pay_jobs ORDER BY created_at DESC, rowid DESC').all() as Row[]).map(fromRow);
  }

  /** A job's transitions, oldest first. */
  events(id: string): JobEvent[] {
    return (stmt(this.db, 'SELECT at, from_state, to_state, note FROM pay_job_events WHERE job_id = ? ORDER BY rowid').all(id) as Row[]).map((r) => ({
      at: r.at as number,
      from: (r.from_state as JobStateName | null) ?? null,
      to: r.to_state as JobStateName,
      note: (r.note as string | null) ?? null,
    }));
  }

  /** Moves a job to `to` (with facts to store alongside), or throws JOB_BAD_TRANSITION. */
  transition(id: string, to: JobStateName, note?: string, fields: Partial<PayJob> = {}): PayJob {
    const job = this.db.transaction(() => {
      const cur = this.get(id);
      if (!canTransition(cur.state, to)) {
        throw new RayfarmError('JOB_BAD_TRANSITION', `A ${cur.state} job cannot become ${to}.`, { details: { from: cur.state, to } });
      }
      this.write(id, { ...fields, state: to, note: note ?? cur.note, pausedFor: to === 'paused' ? (fields.pausedFor ?? 'creator') : null });
      stmt(this.db, 'INSERT INTO pay_job_events (job_id, at, from_state, to_state, note) VALUES (?, ?, ?, ?, ?)').run(id, this.now(), cur.state, to, note ?? null);
      return { job: this.get(id), from: cur.state };
    })();
    this.emit(job.job, job.from);
    return job.job;
  }

  /** Stores facts without a transition (a top-up's new total, a close request). */
  update(id: string, fields: Partial<PayJob>): PayJob {
    this.write(id, fields);
    const job = this.get(id);
    this.emit(job, job.state);
    return job;
  }

  private write(id: string, fields: Partial<PayJob>): void {
    const entries = Object.entries(fields).filter(([k]) => k !== 'id' && k in COLUMNS) as [keyof PayJob, unknown][];
    const sets = entries.map(([k]) => `${COLUMNS[k]} = ?`);
    const values = entries.map(([k, v]) => (k === 'spec' ? JSON.stringify(v) : v));
    this.cached.delete(id);
    stmt(this.db, `UPDATE pay_jobs SET ${[...sets, 'updated_at = ?'].join(', ')} WHERE id = ?`).run(...values, this.now(), id);
  }

  /** Calls `fn` after every create, transition and update. */
  onChange(fn: (job: PayJob, from: JobStateName | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(job: PayJob, from: JobStateName | null): void {
    for (const l of this.listeners) l(job, from);
  }
}
