import type { Migration } from './types';

/**
 * Creator side (issue 16): held pay. A result accepted without a re-render (the audit plan
 * sampled it out under load) is `audited = 0`: it is paid only once a later result of the
 * same operator on the job passes a re-render. A failed re-render turns the operator's held
 * results into `verdict = 'forfeited'` (their tasks are rendered again by others). A task may
 * have one accepted result per operator: a backup lease's result (the slow tail) is paid too.
 */
export const heldPay: Migration = {
  version: 10,
  name: 'held-pay',
  up(db) {
    db.exec(`
      ALTER TABLE pay_verdicts ADD COLUMN audited INTEGER NOT NULL DEFAULT 1;
      DROP INDEX pay_verdicts_accepted_once;
      CREATE UNIQUE INDEX pay_verdicts_accepted_once ON pay_verdicts (job_id, task_idx, operator) WHERE verdict = 'accepted';
      CREATE INDEX pay_verdicts_audited ON pay_verdicts (job_id, operator, audited, verdict);
    `);
  },
};
