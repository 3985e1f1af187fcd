import type { Database } from 'better-sqlite3';

/** One schema step. `version` values are unique and only ever grow. */
export interface Migration {
  version: number;
  name: string;
  up(db: Database): void;
}
