import type { Migration } from './types';

/**
 * Payments (issue 7). Creator side: each public job's state machine and escrow facts, the
 * verifier's verdicts (one accepted result per task at most), the vouchers it signed.
 * Operator side: vouchers received, what it knows of each job's end, its redemptions.
 * Both: operator reputation. Amounts are decimal strings in the token's smallest unit.
 */
export const payments: Migration = {
  version: 6,
  name: 'payments',
  up(db) {
    db.exec(`
      CREATE TABLE pay_jobs (
        id TEXT PRIMARY KEY,
        chain_job_id TEXT NOT NULL UNIQUE,
        state TEXT NOT NULL,
        spec TEXT NOT NULL,
        spec_hash TEXT NOT NULL,
        scene_hash TEXT NOT NULL,
        scene_bytes INTEGER NOT NULL,
        tier TEXT NOT NULL,
        fee_bps INTEGER NOT NULL,
        tasks INTEGER NOT NULL,
        task_price TEXT NOT NULL,
        budget TEXT NOT NULL,
        funded TEXT NOT NULL DEFAULT '0',
        max_price TEXT,
        bench_hours REAL NOT NULL,
        chain_id INTEGER,
        escrow TEXT,
        creator TEXT,
        out_dir TEXT,
        fund_tx TEXT,
        close_tx TEXT,
        closable_at INTEGER,
        refund TEXT,
        note TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE pay_job_events (
        job_id TEXT NOT NULL REFERENCES pay_jobs(id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        note TEXT
      );
      CREATE TABLE pay_verdicts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL,
        task_idx INTEGER NOT NULL,
        operator TEXT NOT NULL,
        peer TEXT,
        result_hash TEXT NOT NULL,
        verdict TEXT NOT NULL,
        code TEXT,
        reason TEXT,
        price TEXT NOT NULL,
        pixels_checked INTEGER NOT NULL DEFAULT 0,
        max_error REAL NOT NULL DEFAULT 0,
        patches TEXT NOT NULL DEFAULT '[]',
        verify_ms REAL NOT NULL DEFAULT 0,
        at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX pay_verdicts_accepted_once ON pay_verdicts (job_id, task_idx) WHERE verdict = 'accepted';
      CREATE INDEX pay_verdicts_by_operator ON pay_verdicts (job_id, operator, verdict);
      CREATE TABLE pay_vouchers_issued (
        job_id TEXT NOT NULL,
        chain_job_id TEXT NOT NULL,
        operator TEXT NOT NULL,
        tasks INTEGER NOT NULL,
        cumulative TEXT NOT NULL,
        results_root TEXT NOT NULL,
        signature TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (job_id, operator, tasks)
      );
      CREATE TABLE pay_vouchers_received (
        chain_id INTEGER NOT NULL,
        escrow TEXT NOT NULL,
        chain_job_id TEXT NOT NULL,
        operator TEXT NOT NULL,
        creator TEXT NOT NULL,
        cumulative TEXT NOT NULL,
        results_root TEXT NOT NULL,
        signature TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (chain_id, escrow, chain_job_id, operator, cumulative)
      );
      CREATE TABLE pay_job_watch (
        chain_id INTEGER NOT NULL,
        escrow TEXT NOT NULL,
        chain_job_id TEXT NOT NULL,
        ended INTEGER NOT NULL DEFAULT 0,
        closable_at INTEGER,
        closed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (chain_id, escrow, chain_job_id)
      );
      CREATE TABLE pay_redemptions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        chain_id INTEGER NOT NULL,
        escrow TEXT NOT NULL,
        chain_job_id TEXT NOT NULL,
        operator TEXT NOT NULL,
        cumulative TEXT NOT NULL,
        trigger TEXT NOT NULL,
        state TEXT NOT NULL,
        tx_hash TEXT,
        operator_amount TEXT,
        fee TEXT,
        error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE reputation (
        address TEXT PRIMARY KEY,
        verified INTEGER NOT NULL DEFAULT 0,
        rejected INTEGER NOT NULL DEFAULT 0,
        timed_out INTEGER NOT NULL DEFAULT 0,
        updated_at INTEGER NOT NULL
      );
    `);
  },
};
