/**
 * Group commit for hot paths. The database commits with synchronous = FULL: one fsync per
 * transaction, on the event loop (3–10 ms each on a busy disk). A creator feeding hundreds
 * of operators writes a few transactions per task, so those fsyncs alone would stall it.
 *
 * relaxedTx commits one transaction without waiting for the disk (synchronous = NORMAL for
 * that commit: in WAL mode the write reaches the WAL file and survives a killed process, and
 * only a power loss can undo it; the database is never left inconsistent). WalSync then makes
 * every such commit durable with one fsync of the WAL file on libuv's thread pool, shared by
 * every caller waiting at the time: the answer that depends on the write waits for it, the
 * event loop does not.
 */
import { fsync, openSync, closeSync, existsSync } from 'node:fs';
import type { Database } from 'better-sqlite3';

/** Runs `fn` in a transaction committed without an fsync (inside an outer transaction: as part of it). */
export function relaxedTx<T>(db: Database, fn: () => T): T {
  if (db.inTransaction) return fn();
  db.pragma('synchronous = NORMAL');
  try {
    return db.transaction(fn)();
  } finally {
    db.pragma('synchronous = FULL');
  }
}

/** Makes relaxed commits durable: one fsync of the WAL file at a time, shared by every caller waiting. */
export class WalSync {
  private fd: number | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /** fsyncs run so far (for tests and benchmarks). */
  syncs = 0;

  constructor(private readonly db: Database) {}

  /** Resolves once every transaction committed before this call is on disk. */
  sync(): Promise<void> {
    if (!this.running) {
      const p = this.run().finally(() => {
        if (this.running === p) this.running = undefined;
      });
      this.running = p;
      return p;
    }
    // The fsync in flight may have started before our commit: one more after it, shared by
    // everyone who asks meanwhile.
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.sync();
    });
    return this.queued;
  }

  private run(): Promise<void> {
    if (this.fd === undefined) {
      const wal = `${this.db.name}-wal`;
      // No WAL file: nothing was written since the last checkpoint closed it.
      if (!existsSync(wal)) return Promise.resolve();
      this.fd = openSync(wal, 'r');
    }
    const fd = this.fd;
    this.syncs++;
    return new Promise((resolve, reject) => fsync(fd, (err) => (err ? reject(err) : resolve())));
  }

  /** Closes the WAL file (before the database closes). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
