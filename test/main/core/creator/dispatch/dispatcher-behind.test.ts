/**
 * Leases written behind (relaxed): a burst's rows wait until the event loop has a turn that
 * queues none (at most BEHIND_MAX_MS), then go in one transaction; a creator killed before
 * that loses those leases, and an operator holding one gets nothing accepted or paid for it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../../../main/core/creator/dispatch/dispatcher';
import { BEHIND_MAX_MS } from '../../../../../main/core/creator/dispatch/dispatcher-store';
import { openStore } from '../../../../../main/core/store';
import type { Store } from '../../../../../main/core/store';
import { waitFor } from '../../../../helpers/wait';
import { header, op, pixelsFor, spec, stores, take } from './dispatch-helpers';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

function relaxed(dir = mkdtempSync(join(tmpdir(), 'rf-dispatch-')), clock = { t: 1_000_000 }) {
  const store = openStore(dir);
  stores.push(store);
  const d = new Dispatcher({ db: store.db, blobs: store.blobs, now: () => clock.t, leaseMs: 10_000, disconnectGraceMs: 1000, durable: () => store.wal.sync() });
  return { d, store, dir, clock };
}

/** Lease rows on disk, read without flushing what is queued. */
const rows = (store: Store): number => (store.db.prepare('SELECT COUNT(*) AS n FROM dispatch_leases').get() as { n: number }).n;

/** A creator killed now: the handle goes without a flush of what is queued (committed rows are in the WAL file). */
function kill(store: Store): void {
  store.close();
  stores.splice(stores.indexOf(store), 1);
}

describe('Dispatcher, leases written behind', () => {
  it('holds a burst of leases while every turn makes more, then commits them all once a turn makes none', async () => {
    const { d, store } = relaxed();
    const job = d.addJob({ spec: spec({ frames: { start: 0, end: 39 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const t0 = performance.now();
    for (let i = 1; i <= 8; i++) {
      take(d, i, job.id);
      take(d, i, job.id);
      await turn();
    }
    // Well inside BEHIND_MAX_MS, every turn queued more: nothing written yet.
    if (performance.now() - t0 < BEHIND_MAX_MS / 2) expect(rows(store)).toBe(0);
    await waitFor(() => rows(store) === 16, 10_000, 'the burst to be committed');
    expect(store.db.prepare("SELECT COUNT(*) AS n FROM dispatch_tasks WHERE state = 'leased'").get()).toEqual({ n: 16 });
  });

  it('commits a burst that goes on, at most BEHIND_MAX_MS after its first lease', async () => {
    const { d, store } = relaxed();
    const job = d.addJob({ spec: spec({ frames: { start: 0, end: 999 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const t0 = performance.now();
    let taken = 0;
    // One lease every turn (a timer turn each, so the loop keeps moving); never a turn without one.
    while (rows(store) === 0 && taken < 1000) {
      take(d, ++taken, job.id);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(rows(store)).toBeGreaterThan(0);
    expect(taken).toBeLessThan(1000);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(BEHIND_MAX_MS - 1);
  });

  it('a creator killed before the commit forgets those leases: their tasks go out again and a result on one is not accepted', async () => {
    const first = relaxed();
    const job = first.d.addJob({ spec: spec({ frames: { start: 0, end: 3 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    // Committed: two leases, then a turn without more.
    const kept = take(first.d, 1, job.id);
    take(first.d, 2, job.id);
    await waitFor(() => rows(first.store) === 2, 10_000, 'the first leases to be committed');
    // Answered but still queued when the creator dies.
    const lost = take(first.d, 3, job.id);
    expect(rows(first.store)).toBe(2);
    kill(first.store);

    const second = relaxed(first.dir, first.clock);
    expect(second.d.job(job.id)!.progress).toMatchObject({ leased: 2, done: 0, state: 'active' });
    expect(second.d.held(op(1).peerId)).toBe(1);
    expect(second.d.held(op(3).peerId)).toBe(0);
    // The operator of the lost lease delivers: nothing is accepted (so nothing is paid) on a lease the creator does not know.
    const px = pixelsFor(lost);
    expect(await second.d.deliver(op(3), header(lost, px), px)).toMatchObject({ verdict: expect.not.stringMatching(/^accepted$/) });
    // Its task is handed out again; the committed lease still delivers.
    expect(take(second.d, 4, job.id).task.index).toBe(lost.task.index);
    const kpx = pixelsFor(kept);
    expect(await second.d.deliver(op(1), header(kept, kpx), kpx)).toEqual({ verdict: 'accepted' });
  });

  it('a read or another write first commits what is queued, in order', () => {
    const { d, store } = relaxed();
    const job = d.addJob({ spec: spec({ frames: { start: 0, end: 3 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const a = take(d, 1, job.id);
    take(d, 2, job.id);
    expect(rows(store)).toBe(0);
    // Releasing the first lease is its own transaction: the queued rows go first, then the release.
    expect(d.release(op(1), a.leaseId, 'bye')).toEqual({ status: 'ok' });
    expect(rows(store)).toBe(2);
    expect(store.db.prepare('SELECT state FROM dispatch_leases WHERE id = ?').get(a.leaseId)).toEqual({ state: 'released' });
    expect(store.db.prepare('SELECT state FROM dispatch_tasks WHERE job_id = ? AND idx = ?').get(job.id, a.task.index)).toEqual({ state: 'pending' });
  });
});
