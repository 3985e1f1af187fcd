import type { Migration } from './types';

/**
 * A paused public job records why (escrow-low or creator) in its own column, so the top-up
 * logic no longer reads the reason out of the note's text. Rows paused before this version
 * get the reason their note gave.
 */
export const pauseReason: Migration = {
  version: 7,
  name: 'pause-reason',
  up(db) {
    db.exec(`
      ALTER TABLE pay_jobs ADD COLUMN paused_for TEXT;
      UPDATE pay_jobs SET paused_for = CASE WHEN note LIKE 'escrow low%' THEN 'escrow-low' ELSE 'creator' END WHERE state = 'paused';
    `);
  },
};
