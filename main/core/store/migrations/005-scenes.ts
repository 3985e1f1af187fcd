import type { Migration } from './types';

/** The creator's scene library: each packaged scene by its sha256, with its summary. */
export const scenes: Migration = {
  version: 5,
  name: 'scenes',
  up(db) {
    db.exec(`
      CREATE TABLE scenes (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        summary TEXT NOT NULL,
        preview_hash TEXT,
        imported_at INTEGER NOT NULL
      );
      CREATE INDEX scenes_imported_at ON scenes (imported_at);
    `);
  },
};
