/**
 * The leases a worker holds, in memory (Held) and in SQLite (worker_leases), so a restart
 * delivers what was rendered and keeps what the creator still honours.
 */
import type { Database } from 'better-sqlite3';
import { LeaseSchema } from '../../net/work/messages';
import type { Lease } from '../../net/work/messages';
import type { BlobStore } from '../../store';

/** A lease the worker holds, and where its task stands. */
export interface Held {
  lease: Lease;
  creator: string;
  state: 'queued' | 'rendering' | 'rendered' | 'waiting';
  renewedAt: number;
  fetch?: Promise<void>;
  abort: AbortController;
  /** A rendered result: its hash in the worker's store and render time. */
  result?: { hash: string; renderMs: number };
  /** Waiting: when to deliver again, and how many times it waited. */
  retryAt?: number;
  waits?: number;
}

/** Whether a lease is paid work: the creator fixed a task price in it (public mode). */
export function paidLease(lease: Lease): boolean {
  return lease.price.amount !== undefined && BigInt(lease.price.amount) > 0n;
}

/** A stored lease as a restart finds it. */
export interface StoredLease {
  lease: Lease;
  creator: string;
  state: string;
  resultHash: string | null;
  renderMs: number | null;
}

/** worker_leases: one row per held lease, with its result's hash once rendered. */
export class WorkerLeaseStore {
  constructor(private readonly db: Database) {}

  /** Inserts or updates a lease's row (a result hash, once set, is kept). */
  save(h: Pick<Held, 'lease' | 'creator' | 'state'>, resultHash: string | null, renderMs: number | null, now: number): void {
    this.db
      .prepare(
        'INSERT INTO worker_leases (lease_id, creator, lease, state, result_hash, render_ms, received_at) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
          'ON CONFLICT(lease_id) DO UPDATE SET state = excluded.state, result_hash = COALESCE(excluded.result_hash, worker_leases.result_hash), render_ms = COALESCE(excluded.render_ms, worker_leases.render_ms)',
      )
      .run(h.lease.leaseId, h.creator, JSON.stringify(h.lease), h.state, resultHash, renderMs, now);
  }

  /** Forgets a lease. */
  delete(leaseId: string): void {
    this.db.prepare('DELETE FROM worker_leases WHERE lease_id = ?').run(leaseId);
  }

  /**
   * Every stored lease that still passes today's checks, oldest first. Results no lease
   * names are deleted (a crash between forgetting a settled lease and deleting its result
   * leaves one behind; the store is the worker's own).
   */
  restore(results: BlobStore, log: (line: string) => void): StoredLease[] {
    const rows = this.db.prepare('SELECT * FROM worker_leases ORDER BY received_at').all() as { lease_id: string; creator: string; lease: string; state: string; result_hash: string | null; render_ms: number | null }[];
    const named = new Set(rows.map((r) => r.result_hash).filter((h): h is string => !!h));
    for (const h of results.hashes()) if (!named.has(h)) results.delete(h);
    const out: StoredLease[] = [];
    for (const r of rows) {
      // Re-checked like a lease off the wire: the row may predate today's limits.
      const parsed = LeaseSchema.safeParse(JSON.parse(r.lease));
      if (!parsed.success) {
        log(`worker: dropping stored lease ${r.lease_id}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        this.delete(r.lease_id);
        continue;
      }
      out.push({ lease: parsed.data, creator: r.creator, state: r.state, resultHash: r.result_hash, renderMs: r.render_ms });
    }
    return out;
  }
}

/**
 * Most rendered results kept at once for answers still to come. They no longer use the
 * device, so they do not count against `depth`: a creator that vanished holding some must not
 * stall work for everyone else. The cap bounds the disk they take (a 4K float frame is
 * ~130 MB) when creators keep not answering.
 */
export const MAX_UNSETTLED_RESULTS = 16;

/** How many more leases fit: up to `depth` tasks still to render, and room to keep each one's result. */
export function roomFor(held: Iterable<Held>, depth: number): number {
  let toRender = 0;
  let unsettled = 0;
  for (const h of held) {
    if (h.state === 'queued' || h.state === 'rendering') toRender++;
    else unsettled++;
  }
  return Math.max(0, Math.min(MAX_UNSETTLED_RESULTS - unsettled - toRender, depth - toRender));
}
