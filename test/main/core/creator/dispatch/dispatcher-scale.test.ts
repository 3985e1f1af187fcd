/** The dispatcher at scale: leases written behind, expiry without a walk, the slow tail, frames rewritten after a forfeit. */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../../../main/core/creator/dispatch/dispatcher';
import { DispatchOutput } from '../../../../../main/core/creator/dispatch/dispatch-output';
import { openStore, sha256Hex } from '../../../../../main/core/store';
import { header, offer, op, pixelsFor, setup, spec, stores, take } from './dispatch-helpers';

describe('Dispatcher, relaxed (group commit)', () => {
  it('writes leases and renewals behind, in order before any other write, and a restart sees them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-dispatch-'));
    const clock = { t: 1_000_000 };
    const store = openStore(dir);
    stores.push(store);
    const d = new Dispatcher({ db: store.db, blobs: store.blobs, now: () => clock.t, leaseMs: 10_000, durable: () => store.wal.sync() });
    const job = d.addJob({ spec: spec({ tiles: { x: 2, y: 1 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const a = take(d, 1, job.id);
    const b = take(d, 2, job.id);
    clock.t += 5000;
    d.renew(op(1), a.leaseId);
    // Queued, not yet written: a release of the other lease (its own transaction) writes them first.
    expect(d.release(op(2), b.leaseId, 'bye')).toEqual({ status: 'ok' });
    const row = store.db.prepare('SELECT state, deadline FROM dispatch_leases WHERE id = ?');
    expect(row.get(b.leaseId)).toMatchObject({ state: 'released' });
    expect(row.get(a.leaseId)).toMatchObject({ state: 'active', deadline: clock.t + 10_000 });
    clock.t += 1000;
    d.renew(op(1), a.leaseId);
    d.flush();
    expect(row.get(a.leaseId)).toMatchObject({ deadline: clock.t + 10_000 });
    // A second dispatcher over the same file (a restart) holds the lease and re-offers the released task.
    const again = new Dispatcher({ db: store.db, blobs: store.blobs, now: () => clock.t, leaseMs: 10_000, durable: () => store.wal.sync() });
    expect(again.held(op(1).peerId)).toBe(1);
    expect(again.job(job.id)!.progress.leased).toBe(1);
    await store.wal.sync();
  });

  it('takes back an expired lease before a request without walking every lease each time', () => {
    const { d, clock } = setup();
    const job = d.addJob({ spec: spec({ tiles: { x: 4, y: 4 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const first = take(d, 1, job.id);
    take(d, 2, job.id);
    clock.t += 4000;
    d.renew(op(2), take(d, 2, job.id).leaseId);
    clock.t += 6001;
    // op 1's lease is past its deadline: the next request gives its task back (to op 3, first in line).
    const next = take(d, 3, job.id);
    expect(next.task.index).toBe(first.task.index);
    expect(d.held(op(1).peerId)).toBe(0);
    expect(d.held(op(2).peerId)).toBe(1);
  });
});

describe('Dispatcher, slow tail', () => {
  it('with nothing left to hand out, re-issues the task out longest as a backup lease: the first verified result wins, a second within its lease is accepted too, and a task is backed up once', async () => {
    const { d, clock, store } = setup();
    const job = d.addJob({ spec: spec({ tiles: { x: 2, y: 1 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const slow = take(d, 1, job.id);
    const fast = take(d, 2, job.id);
    const px = pixelsFor(fast);
    expect(await d.deliver(op(2), header(fast, px), px)).toMatchObject({ verdict: 'accepted' });
    // Too early: the slow lease is younger than one lease time, so nothing is re-issued.
    clock.t += 5000;
    d.renew(op(1), slow.leaseId);
    expect(d.request(op(3), job.id, offer).status).toBe('none');
    clock.t += 5001;
    const backup = take(d, 3, job.id);
    expect(backup.task.index).toBe(slow.task.index);
    expect(backup.leaseId).not.toBe(slow.leaseId);
    // One backup per task; the slow operator keeps its own lease meanwhile.
    expect(d.request(op(4), job.id, offer).status).toBe('none');
    expect(d.held(op(1).peerId)).toBe(1);
    const bpx = pixelsFor(backup, 0.25);
    expect(await d.deliver(op(3), header(backup, bpx), bpx)).toMatchObject({ verdict: 'accepted' });
    expect(d.job(job.id)!.progress).toMatchObject({ state: 'done', done: 2 });
    // The slow operator's result, still within its renewed lease, is judged and accepted (the creator pays both) ...
    const spx = pixelsFor(slow, 0.75);
    expect(await d.deliver(op(1), header(slow, spx), spx)).toMatchObject({ verdict: 'accepted' });
    // ... but the task keeps the first verified result.
    expect(d.results(job.id).get(slow.task.index)).toBe(sha256Hex(bpx));
    expect(d.held(op(1).peerId)).toBe(0);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM dispatch_leases WHERE state = ?').get('done')).toEqual({ n: 3 });
  });

  it('a slow lease that fails while its backup runs does not put the task back in the queue', async () => {
    const { d, clock } = setup();
    const job = d.addJob({ spec: spec({ tiles: { x: 2, y: 1 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const slow = take(d, 1, job.id);
    const fast = take(d, 2, job.id);
    const px = pixelsFor(fast);
    await d.deliver(op(2), header(fast, px), px);
    clock.t += 9000;
    d.renew(op(1), slow.leaseId);
    clock.t += 1001;
    const backup = take(d, 3, job.id);
    expect(d.fail(op(1), slow.leaseId, 'driver crash')).toEqual({ status: 'ok' });
    // Still leased (to the backup): nobody else gets it.
    expect(d.request(op(4), job.id, offer).status).toBe('none');
    expect(d.job(job.id)!.progress.leased).toBe(1);
    expect(d.leaseCount(job.id)).toBe(1);
    expect(backup.task.index).toBe(slow.task.index);
  });
});

describe('DispatchOutput after a forfeit', () => {
  it('rewrites a frame whose tile was reopened and rendered again', async () => {
    const { d, store, dir } = setup();
    const out = join(dir, 'frames');
    const output = new DispatchOutput(d, store.blobs);
    // Two frames: the job is still running when frame 0 is written and its tile reopened.
    const job = d.addJob({ spec: spec({ tiles: { x: 2, y: 1 }, frames: { start: 0, end: 1 } }), scene: { hash: 'a'.repeat(64), bytes: 10 }, outDir: out });
    for (const n of [1, 2]) {
      const l = take(d, n, job.id);
      const px = pixelsFor(l, 0.9);
      await d.deliver(op(n), header(l, px), px);
    }
    const file = join(out, readdirSync(out)[0]!);
    const first = readFileSync(file);
    expect(output.framesWritten(job.id)).toBe(1);
    // A later re-render caught operator 1: its tile goes back to the queue and is rendered again.
    d.reopen(job.id, [0], op(1).address);
    // Never again to operator 1 (barred from that task; payments bar it from the job).
    const other = take(d, 1, job.id);
    expect(other.task.index).not.toBe(0);
    const again = take(d, 3, job.id);
    expect(again.task.index).toBe(0);
    const px = pixelsFor(again, 0.1);
    await d.deliver(op(3), header(again, px), px);
    expect(readFileSync(file).equals(first)).toBe(false);
  });
});
