import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../../../main/core/creator/dispatch/dispatcher';
import { openStore, sha256Hex } from '../../../../../main/core/store';
import { waitFor } from '../../../../helpers/wait';
import { header, offer, op, pixelsFor, setup, spec, stores, take } from './dispatch-helpers';

describe('Dispatcher', () => {
  it('splits frames and tiles into tasks and gives each operator at most two', () => {
    const { d } = setup();
    const job = d.addJob({ spec: spec({ frames: { start: 1, end: 3 }, tiles: { x: 2, y: 2 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    expect(job.tasks).toBe(12);
    const l1 = take(d, 1);
    const l2 = take(d, 1);
    expect([l1.task.index, l2.task.index]).toEqual([0, 1]);
    expect(l1.task.rect).toEqual({ x: 0, y: 0, width: 8, height: 8 });
    expect(d.request(op(1), undefined, offer).status).toBe('none');
    expect(take(d, 2).task.index).toBe(2);
  });

  it('accepts a result, stores its pixels and finishes the job', async () => {
    const { d, store } = setup();
    const job = d.addJob({ spec: spec(), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const lease = take(d, 1);
    const px = pixelsFor(lease);
    const finished: string[] = [];
    d.onJobFinished((p) => finished.push(p.state));
    expect(await d.deliver(op(1), header(lease, px), px)).toEqual({ verdict: 'accepted' });
    expect(finished).toEqual(['done']);
    const hash = d.results(job.id).get(0)!;
    expect(store.blobs.get(hash).equals(Buffer.from(px))).toBe(true);
    expect(await d.deliver(op(1), header(lease, px), px)).toMatchObject({ verdict: 'duplicate' });
    // Nobody but the lease holder may deliver for it.
    const job2 = d.addJob({ spec: spec(), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const l2 = take(d, 1, job2.id);
    expect(await d.deliver(op(2), header(l2, px), px)).toMatchObject({ verdict: 'rejected' });
  });

  it('reads one result per lease: a rejected result cannot be re-rolled, an old lease is worth nothing, and the operator is barred from the task', async () => {
    const clock = { t: 1_000_000 };
    const store = openStore(mkdtempSync(join(tmpdir(), 'rf-dispatch-')));
    stores.push(store);
    let verified = 0;
    // The verify hook plays a creator whose check rejects anything but 0.5 everywhere.
    const d = new Dispatcher({
      db: store.db,
      blobs: store.blobs,
      now: () => clock.t,
      leaseMs: 10_000,
      ownRetryAfterMs: 0,
      verify: ({ pixels }) => {
        verified++;
        return pixels.every((v) => v === 0.5) ? { verdict: 'accepted' } : { verdict: 'rejected', reason: 'patches differ' };
      },
    });
    const job = d.addJob({ spec: spec({ frames: { start: 0, end: 1 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const lease = take(d, 1);
    const cheat = new Float32Array(lease.task.rect.width * lease.task.rect.height * 4).fill(0.5);
    cheat[17] = 0.25;
    const px = new Uint8Array(cheat.buffer);
    expect(await d.deliver(op(1), header(lease, px), px)).toMatchObject({ verdict: 'rejected' });
    // Flip a low bit and send again on the same lease: refused before any re-render.
    const bits = new Uint32Array(cheat.buffer.slice(0));
    bits[17] = bits[17]! ^ 1;
    const rerolled = new Uint8Array(bits.buffer);
    expect(await d.deliver(op(1), header(lease, rerolled), rerolled)).toMatchObject({ verdict: 'rejected' });
    expect(verified).toBe(1);
    // The operator never gets the task again, not even when nothing else is left.
    const other = take(d, 1);
    expect(other.task.index).not.toBe(lease.task.index);
    const honest = pixelsFor(other);
    expect(await d.deliver(op(1), header(other, honest), honest)).toEqual({ verdict: 'accepted' });
    clock.t += 60_000;
    expect(d.request(op(1), job.id, offer).status).not.toBe('ok');
    // A stale lease: operator 2 takes the task, lets the lease expire, then delivers honest pixels.
    const stale = take(d, 2);
    expect(stale.task.index).toBe(lease.task.index);
    clock.t += 10_001;
    d.tick();
    const good = pixelsFor(stale);
    expect(await d.deliver(op(2), header(stale, good), good)).toMatchObject({ verdict: 'rejected' });
    expect(verified).toBe(2);
    expect(d.job(job.id)!.progress.done).toBe(1);
    // After a restart the bar holds.
    const d2 = new Dispatcher({ db: store.db, blobs: store.blobs, now: () => clock.t, leaseMs: 10_000, ownRetryAfterMs: 0 });
    clock.t += 60_000;
    expect(d2.request(op(1), job.id, offer).status).not.toBe('ok');
    expect(d2.request(op(2), job.id, offer)).toMatchObject({ status: 'ok', lease: { task: { index: lease.task.index } } });
  });

  it('keeps the lease of a result the creator cannot judge yet (unknown) current for a later delivery', async () => {
    const clock = { t: 1_000_000 };
    const store = openStore(mkdtempSync(join(tmpdir(), 'rf-dispatch-')));
    stores.push(store);
    const gate = { locked: true };
    const d = new Dispatcher({
      db: store.db,
      blobs: store.blobs,
      now: () => clock.t,
      leaseMs: 10_000,
      verify: () => (gate.locked ? { verdict: 'unknown', reason: 'locked' } : { verdict: 'accepted' }),
    });
    d.addJob({ spec: spec(), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const lease = take(d, 1);
    const px = pixelsFor(lease);
    clock.t += 9_000;
    expect(await d.deliver(op(1), header(lease, px), px)).toMatchObject({ verdict: 'unknown' });
    clock.t += 9_000;
    d.tick();
    gate.locked = false;
    expect(await d.deliver(op(1), header(lease, px), px)).toEqual({ verdict: 'accepted' });
  });

  it('rejects non-finite pixels and counts it as a failure', async () => {
    const { d } = setup();
    d.addJob({ spec: spec(), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const lease = take(d, 1);
    const px = pixelsFor(lease, Number.NaN);
    expect((await d.deliver(op(1), header(lease, px), px)).verdict).toBe('rejected');
    expect(take(d, 2).task.index).toBe(0);
  });

  it('takes back an expired lease, re-leases it to someone else, bans an operator after two failures and fails a task after three', () => {
    const { d, clock } = setup();
    const job = d.addJob({ spec: spec({ frames: { start: 0, end: 3 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const a = take(d, 1);
    take(d, 1);
    clock.t += 10_001;
    d.tick();
    // Operator 1 failed tasks 0 and 1: banned from the job.
    expect(d.request(op(1), job.id, offer)).toMatchObject({ status: 'denied' });
    const b = take(d, 2);
    expect(b.task.index).toBe(a.task.index);
    expect(d.fail(op(2), b.leaseId, 'crashed')).toEqual({ status: 'ok' });
    const c = take(d, 3);
    expect(c.task.index).toBe(1);
    const c2 = take(d, 3);
    expect(c2.task.index).toBe(0);
    d.fail(op(3), c2.leaseId, 'crashed');
    expect(d.job(job.id)!.progress.failed).toBe(1);
  });

  it('gives a task back to the operator that failed it only when nothing else is left and nobody took it for a while', async () => {
    const first = setup();
    const { d, clock, dir } = first;
    const job = d.addJob({ spec: spec({ frames: { start: 0, end: 2 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const a = take(d, 1);
    expect(d.fail(op(1), a.leaseId, 'the connection dropped')).toEqual({ status: 'ok' });
    // Other tasks first, and no immediate retry of the failed one.
    const b = take(d, 1);
    const c = take(d, 1);
    expect([b.task.index, c.task.index]).toEqual([1, 2]);
    for (const l of [b, c]) {
      const px = pixelsFor(l);
      expect((await d.deliver(op(1), header(l, px), px)).verdict).toBe('accepted');
    }
    expect(d.request(op(1), job.id, offer)).toMatchObject({ status: 'none' });
    // A restart keeps the failure's time; after the cool-down the farm's only operator may retry.
    first.store.close();
    stores.splice(stores.indexOf(first.store), 1);
    const again = setup(dir, clock);
    clock.t += 5000;
    const retry = take(again.d, 1, job.id);
    expect(retry.task.index).toBe(a.task.index);
    const px = pixelsFor(retry);
    expect((await again.d.deliver(op(1), header(retry, px), px)).verdict).toBe('accepted');
    expect(again.d.job(job.id)!.progress).toMatchObject({ state: 'done', done: 3, failed: 0 });
    // A second failure on the job bans the operator, as before.
    const job2 = again.d.addJob({ spec: spec({ frames: { start: 0, end: 1 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    again.d.fail(op(1), take(again.d, 1, job2.id).leaseId, 'x');
    again.d.fail(op(1), take(again.d, 1, job2.id).leaseId, 'x');
    clock.t += 60_000;
    expect(again.d.job(job2.id)!.progress.waiting).toBeNull();
    expect(again.d.request(op(1), job2.id, offer)).toMatchObject({ status: 'denied' });
    // The creator learns why the job no longer moves, until someone else takes a task.
    expect(again.d.job(job2.id)!.progress.waiting).toMatch(/^No operator can take the 2 remaining tasks: the only operator asking for it failed this job twice/);
    take(again.d, 2, job2.id);
    expect(again.d.job(job2.id)!.progress.waiting).toBeNull();
  });

  it('release puts the task back without blame', () => {
    const { d } = setup();
    const job = d.addJob({ spec: spec(), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    for (let i = 0; i < 3; i++) {
      const l = take(d, 1, job.id);
      expect(d.release(op(1), l.leaseId, 'person came back')).toEqual({ status: 'ok' });
    }
    expect(take(d, 1, job.id).task.index).toBe(0);
  });

  it('a disconnected operator loses its leases after the grace time', () => {
    const { d, clock } = setup();
    d.addJob({ spec: spec(), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    take(d, 1);
    d.peerGone('peer-1');
    clock.t += 1001;
    d.tick();
    expect(take(d, 2).task.index).toBe(0);
  });

  it('survives a restart: done tasks stay done, active leases stay valid, pending ones are served', async () => {
    const first = setup();
    const job = first.d.addJob({ spec: spec({ frames: { start: 0, end: 3 } }), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const l0 = take(first.d, 1);
    const l1 = take(first.d, 1);
    const px = pixelsFor(l0);
    await first.d.deliver(op(1), header(l0, px), px);
    first.store.close();
    stores.splice(stores.indexOf(first.store), 1);

    const second = setup(first.dir, first.clock);
    expect(second.d.job(job.id)!.progress).toMatchObject({ done: 1, leased: 1, state: 'active' });
    // The lease from before the restart can still deliver.
    const px1 = pixelsFor(l1);
    expect(await second.d.deliver(op(1), header(l1, px1), px1)).toEqual({ verdict: 'accepted' });
    expect(take(second.d, 2).task.index).toBe(2);
    expect(take(second.d, 2).task.index).toBe(3);
  });

  it('group commit: an accepted result is answered only once it is on disk, and asked about meanwhile it is "unknown"', async () => {
    const store = openStore(mkdtempSync(join(tmpdir(), 'rf-dispatch-')));
    stores.push(store);
    let release!: () => void;
    const disk = new Promise<void>((r) => (release = r));
    let synced = 0;
    const d = new Dispatcher({ db: store.db, blobs: store.blobs, durable: () => disk.then(() => void synced++) });
    const job = d.addJob({ spec: spec(), scene: { hash: 'a'.repeat(64), bytes: 10 } });
    const lease = take(d, 1, job.id);
    const px = pixelsFor(lease);
    let answered = false;
    const verdict = d.deliver(op(1), header(lease, px), px).then((v) => {
      answered = true;
      return v;
    });
    // The row and the pixels are written, but nobody hears "accepted" before the fsync.
    await waitFor(() => d.job(job.id)!.progress.done === 1, 10_000, 'the task to be marked done');
    expect(store.blobs.has(sha256Hex(px))).toBe(true);
    expect(answered).toBe(false);
    expect(d.expect(op(1), header(lease, px))).toMatchObject({ verdict: 'unknown' });
    release();
    expect(await verdict).toMatchObject({ verdict: 'accepted' });
    expect(synced).toBe(1);
    expect(d.expect(op(1), header(lease, px))).toMatchObject({ verdict: 'duplicate' });
  });
});

