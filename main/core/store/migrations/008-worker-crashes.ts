import type { Migration } from './types';

/**
 * Operator side (issue 14): tasks whose render took the renderer down. A row is written
 * before each render and removed after it ends normally, so a crash of the whole process
 * leaves it behind; a task with two attempts is refused from then on instead of replayed
 * at every start.
 */
export const workerCrashes: Migration = {
  version: 8,
  name: 'worker-crashes',
  up(db) {
    db.exec(`
      CREATE TABLE worker_task_crashes (
        task_key TEXT PRIMARY KEY,
        attempts INTEGER NOT NULL,
        last_reason TEXT,
        at INTEGER NOT NULL
      );
    `);
  },
};
