import type { Migration } from './types';

/**
 * The creator's dispatcher (jobs it offers, their tasks, leases and who failed what) and the
 * operator's worker (leases it holds, results not yet delivered, its scene cache).
 */
export const dispatch: Migration = {
  version: 4,
  name: 'dispatch',
  up(db) {
    db.exec(`
      CREATE TABLE dispatch_jobs (
        id TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        scene_hash TEXT NOT NULL,
        scene_bytes INTEGER NOT NULL,
        out_dir TEXT,
        state TEXT NOT NULL,
        lease_ms INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        finished_at INTEGER
      );
      CREATE TABLE dispatch_tasks (
        job_id TEXT NOT NULL REFERENCES dispatch_jobs(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        state TEXT NOT NULL,
        result_hash TEXT,
        operator TEXT,
        done_at INTEGER,
        PRIMARY KEY (job_id, idx)
      );
      CREATE TABLE dispatch_leases (
        id TEXT PRIMARY KEY,
        job_id TEXT NOT NULL REFERENCES dispatch_jobs(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        operator TEXT NOT NULL,
        address TEXT NOT NULL,
        state TEXT NOT NULL,
        leased_at INTEGER NOT NULL,
        deadline INTEGER NOT NULL,
        price TEXT NOT NULL
      );
      CREATE INDEX dispatch_leases_active ON dispatch_leases (state, deadline);
      CREATE TABLE dispatch_failures (
        job_id TEXT NOT NULL REFERENCES dispatch_jobs(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        operator TEXT NOT NULL,
        at INTEGER NOT NULL,
        reason TEXT NOT NULL
      );
      CREATE INDEX dispatch_failures_job ON dispatch_failures (job_id);
      CREATE TABLE worker_leases (
        lease_id TEXT PRIMARY KEY,
        creator TEXT NOT NULL,
        lease TEXT NOT NULL,
        state TEXT NOT NULL,
        result_hash TEXT,
        render_ms REAL,
        received_at INTEGER NOT NULL
      );
      CREATE TABLE worker_scene_cache (
        hash TEXT PRIMARY KEY,
        bytes INTEGER NOT NULL,
        last_used INTEGER NOT NULL
      );
    `);
  },
};
