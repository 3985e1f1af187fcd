/**
 * Prepared statements kept per database. better-sqlite3 compiles a statement on every
 * `prepare`; on the creator's hot paths (a lease, a result) the same few statements ran
 * thousands of times a minute and their compilation showed in profiles (bench:scale).
 */
import type { Database, Statement } from 'better-sqlite3';

const cache = new WeakMap<Database, Map<string, Statement>>();

/** The prepared statement for `sql` on `db`, compiled once. */
export function stmt(db: Database, sql: string): Statement {
  let m = cache.get(db);
  if (!m) {
    m = new Map();
    cache.set(db, m);
  }
  let s = m.get(sql);
  if (!s) {
    s = db.prepare(sql);
    m.set(sql, s);
  }
  return s;
}
