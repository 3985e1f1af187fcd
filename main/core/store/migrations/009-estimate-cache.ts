import type { Migration } from './types';

/**
 * Creator side (issue 18): the probe renders of a job estimate, kept by scene, settings and
 * this machine's benchmark score, so opening a scene again (or after a restart) prices it
 * from what was measured instead of rendering probes for seconds each time.
 */
export const estimateCache: Migration = {
  version: 9,
  name: 'estimate-cache',
  up(db) {
    db.exec(`
      CREATE TABLE estimate_probes (
        scene_id TEXT NOT NULL,
        spec_key TEXT NOT NULL,
        score REAL NOT NULL,
        probes TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (scene_id, spec_key, score)
      );
    `);
  },
};
