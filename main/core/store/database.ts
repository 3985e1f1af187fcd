import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { RayfarmError } from '../errors';
import type { Migration } from './migrations/types';

/** Opens (creating if needed) a SQLite file in WAL mode and brings its schema up to date. */
export function openDatabase(file: string, migrations: readonly Migration[]): Database {
  let db: Database;
  try {
    db = new BetterSqlite3(file);
  } catch (err) {
    throw new RayfarmError('STORE_OPEN_FAILED', `Could not open the database ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma('journal_mode = WAL');
    // FULL, not NORMAL: in WAL mode NORMAL skips the fsync at each commit, so a power loss can
    // roll back the last transactions. Here a committed row can be money the other side
    // already holds (a voucher the creator signed and sent, a verdict the operator acted on
    // by deleting its result), so every commit must be on disk before it is answered.
    // The rows are small and few per task; the cost is one fsync per transaction.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
  } catch (err) {
    db.close();
    if (err instanceof RayfarmError) throw err;
    const msg = (err as Error).message;
    if (/not a database|malformed/i.test(msg)) {
      throw new RayfarmError('STORE_CORRUPT', `The database ${file} is damaged (${msg}). Move it aside to start fresh.`, { cause: err });
    }
    throw err;
  }
  return db;
}

/** The schema version a database is at (`PRAGMA user_version`). */
export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies each migration newer than the file's `user_version`, each in its own
 * transaction, so a crash mid-way leaves the file at the last complete version.
 */
export function migrate(db: Database, migrations: readonly Migration[]): number {
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.version === sorted[i - 1]!.version) {
      throw new Error(`Two migrations share version ${sorted[i]!.version}`);
    }
  }
  const current = schemaVersion(db);
  const latest = sorted.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new RayfarmError(
      'STORE_TOO_NEW',
      `This data folder was written by a newer Rayfarm (schema ${current}; this version knows up to ${latest}). Update Rayfarm.`,
    );
  }
  for (const m of sorted) {
    if (m.version <= current) continue;
    db.transaction(() => {
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return schemaVersion(db);
}
