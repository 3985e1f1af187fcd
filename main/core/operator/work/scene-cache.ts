/**
 * The operator's cache of scenes fetched from creators: blobs in the store, tracked in
 * SQLite with their last use, evicted least-recently-used first when the total passes the
 * cap (never a scene a held lease still needs).
 */
import type { Database } from 'better-sqlite3';
import type { BlobStore } from '../../store';
import { fetchWithRetry } from './worker-retry';

/** A size-capped LRU of scene blobs. */
export class SceneCache {
  constructor(
    private readonly db: Database,
    private readonly blobs: BlobStore,
    private readonly capBytes: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Marks a scene as used now (after a fetch or before a render). */
  touch(hash: string, bytes: number): void {
    this.db
      .prepare('INSERT INTO worker_scene_cache (hash, bytes, last_used) VALUES (?, ?, ?) ON CONFLICT(hash) DO UPDATE SET last_used = excluded.last_used, bytes = excluded.bytes')
      .run(hash, bytes, this.now());
  }

  /** Total bytes cached. */
  total(): number {
    return (this.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS n FROM worker_scene_cache').get() as { n: number }).n;
  }

  /** Removes least-recently-used scenes until the cache fits, keeping `inUse`. Returns the hashes removed. */
  evict(inUse: ReadonlySet<string>): string[] {
    const cap = this.capBytes();
    let total = this.total();
    const removed: string[] = [];
    if (total <= cap) return removed;
    const rows = this.db.prepare('SELECT hash, bytes FROM worker_scene_cache ORDER BY last_used ASC').all() as { hash: string; bytes: number }[];
    for (const r of rows) {
      if (total <= cap) break;
      if (inUse.has(r.hash)) continue;
      this.blobs.delete(r.hash);
      this.db.prepare('DELETE FROM worker_scene_cache WHERE hash = ?').run(r.hash);
      total -= r.bytes;
      removed.push(r.hash);
    }
    return removed;
  }

  /** Whether the cache fetched (and so owns) this scene. */
  tracks(hash: string): boolean {
    return this.db.prepare('SELECT 1 FROM worker_scene_cache WHERE hash = ?').get(hash) !== undefined;
  }

  /**
   * Makes sure a scene is here, fetching it (with retries) when not, then marks it used and
   * evicts what no held lease needs. The cache owns only scenes it fetched: one already in the
   * store that it does not track (this node's own job's scene, in a network of one) is never
   * its to evict.
   */
  async ensure(hash: string, bytes: number, fetch: () => Promise<void>, o: { signal: AbortSignal; inUse: () => ReadonlySet<string>; onRetry: (err: unknown) => void }): Promise<void> {
    const owned = !this.has(hash) || this.tracks(hash);
    await fetchWithRetry(fetch, () => this.has(hash), o.signal, o.onRetry);
    if (owned) this.touch(hash, bytes);
    this.evict(o.inUse());
  }

  /** Whether the scene's blob is in the store. */
  has(hash: string): boolean {
    return this.blobs.has(hash);
  }
}
