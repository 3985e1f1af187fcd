import type { Migration } from './types';

/** The operator's benchmark scores and the history of every task it rendered. */
export const operator: Migration = {
  version: 2,
  name: 'operator',
  up(db) {
    db.exec(`
      CREATE TABLE operator_benchmarks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        score REAL NOT NULL,
        samples_per_second REAL NOT NULL,
        backend TEXT NOT NULL,
        device TEXT NOT NULL,
        threads INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL
      );
      CREATE TABLE operator_tasks (
        task_id TEXT PRIMARY KEY,
        job_id TEXT NOT NULL,
        job_name TEXT NOT NULL,
        frame INTEGER NOT NULL,
        tile INTEGER,
        creator TEXT,
        started_at INTEGER NOT NULL,
        finished_at INTEGER,
        duration_ms INTEGER,
        price TEXT NOT NULL,
        verdict TEXT NOT NULL,
        reason TEXT,
        voucher TEXT,
        voucher_amount TEXT,
        redemption_tx TEXT,
        redeemed_at INTEGER,
        redeemed_amount TEXT
      );
      CREATE INDEX operator_tasks_started ON operator_tasks (started_at);
      CREATE INDEX operator_tasks_job ON operator_tasks (job_id);
    `);
  },
};
