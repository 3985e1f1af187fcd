/**
 * store/ — what must survive: one SQLite database per data folder (better-sqlite3, WAL,
 * versioned migrations in migrations/), the settings table (keys in ../settings-keys.ts), a
 * content-addressed blob store on disk (temp file, fsync, rename) and the data-folder lock.
 * It is the bottom of main/core and imports no other capability.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { BlobStore } from './blob-store';
import { openDatabase, schemaVersion } from './database';
import { lockDataDir } from './lock';
import type { DataDirLock } from './lock';
import { migrations } from './migrations';
import { SettingsStore } from './settings';
import { WalSync } from './group-commit';

/** Everything kept on disk for one data folder. */
export interface Store {
  readonly dataDir: string;
  readonly db: Database;
  readonly blobs: BlobStore;
  readonly settings: SettingsStore;
  /** Makes relaxed commits (group-commit.ts) durable with one shared fsync. */
  readonly wal: WalSync;
  schemaVersion(): number;
  close(): void;
}

/**
 * Locks the data folder, opens `rayfarm.db` (WAL, migrated) and the blob store.
 * A second process opening the same folder gets DATA_DIR_IN_USE.
 */
export function openStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const lock: DataDirLock = lockDataDir(dataDir);
  let db: Database;
  try {
    db = openDatabase(join(dataDir, 'rayfarm.db'), migrations);
  } catch (err) {
    lock.release();
    throw err;
  }
  const blobs = new BlobStore(join(dataDir, 'blobs'));
  let closed = false;
  const wal = new WalSync(db);
  return {
    dataDir,
    db,
    blobs,
    settings: new SettingsStore(db),
    wal,
    schemaVersion: () => schemaVersion(db),
    close() {
      if (closed) return;
      closed = true;
      wal.close();
      db.close();
      lock.release();
    },
  };
}

export { BlobStore, BlobWriter, isBlobHash, sha256Hex } from './blob-store';
export { SettingsStore } from './settings';
export { relaxedTx, WalSync } from './group-commit';
export { resolveDataDir, defaultDataDir } from './data-dir';
export { migrations } from './migrations';
