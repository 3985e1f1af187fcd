import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, relaxedTx } from '../../../../main/core/store';
import type { Store } from '../../../../main/core/store';

let stores: Store[] = [];
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
});
function open(dir = mkdtempSync(join(tmpdir(), 'rf-gc-'))): Store {
  const s = openStore(dir);
  stores.push(s);
  return s;
}
const FULL = 2;

describe('group commit', () => {
  it('relaxedTx: commits, and every later commit is FULL again, even after a throw', () => {
    const s = open();
    relaxedTx(s.db, () => s.settings.set('a', 1));
    expect(s.db.pragma('synchronous', { simple: true })).toBe(FULL);
    expect(() => relaxedTx(s.db, () => {
      s.settings.set('b', 2);
      throw new Error('boom');
    })).toThrow('boom');
    expect(s.db.pragma('synchronous', { simple: true })).toBe(FULL);
    expect(s.settings.get('a', 0)).toBe(1);
    // The failed transaction left nothing behind.
    expect(s.settings.get('b', 0)).toBe(0);
  });

  it('relaxedTx: inside another transaction it is part of it (rolled back with it)', () => {
    const s = open();
    expect(() =>
      s.db.transaction(() => {
        relaxedTx(s.db, () => s.settings.set('c', 3));
        throw new Error('outer fails');
      })(),
    ).toThrow('outer fails');
    expect(s.settings.get('c', 0)).toBe(0);
  });

  it('relaxed commits survive a reopen of the data folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-gc-'));
    const s = open(dir);
    relaxedTx(s.db, () => s.settings.set('kept', 'yes'));
    await s.wal.sync();
    s.close();
    stores = [];
    expect(open(dir).settings.get('kept', 'no')).toBe('yes');
  });

  it('WalSync: callers waiting at once share fsyncs (at most two for any number)', async () => {
    const s = open();
    relaxedTx(s.db, () => s.settings.set('x', 1));
    const before = s.wal.syncs;
    await Promise.all(Array.from({ length: 20 }, (_, i) => {
      relaxedTx(s.db, () => s.settings.set(`k${i}`, i));
      return s.wal.sync();
    }));
    expect(s.wal.syncs - before).toBeGreaterThanOrEqual(1);
    expect(s.wal.syncs - before).toBeLessThanOrEqual(2);
  });
});
