/**
 * The worker keeps a result until the creator's answer is final and stored: an `unknown`
 * answer, a voucher that cannot be stored yet, or a paid acceptance without its voucher
 * leave it waiting (lease renewed, no new task of that creator); a locked wallet pauses new
 * paid leases only. Real dispatcher and SQLite; the creator's verdicts are driven by the test.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../../../../shared/job-spec';
import type { SignedVoucher } from '../../../../../shared/voucher';
import { Dispatcher } from '../../../../../main/core/creator/dispatch/dispatcher';
import type { DispatcherOptions } from '../../../../../main/core/creator/dispatch/dispatcher';
import { localLink } from '../../../../../main/core/node/links';
import type { Verdict } from '../../../../../main/core/net/result/messages';
import { ENGINE_ID } from '../../../../../main/core/net/work';
import { SceneCache } from '../../../../../main/core/operator/work/scene-cache';
import { Worker } from '../../../../../main/core/operator/work/worker';
import type { TaskRenderer, WorkerEvent, WorkerOptions } from '../../../../../main/core/operator/work/worker';
import { BlobStore, openStore } from '../../../../../main/core/store';
import type { Store } from '../../../../../main/core/store';
import { waitFor } from '../../../../helpers/wait';

const self = { peerId: 'me', address: `0x${'1'.repeat(40)}` };
const stores: Store[] = [];
const workers: Worker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const s of stores.splice(0)) s.close();
});

const renderer: TaskRenderer = { render: async ({ task }) => new Float32Array(task.rect.width * task.rect.height * 4).fill(0.5) };

function voucherFor(amount: string): SignedVoucher {
  return { jobId: `0x${'ab'.repeat(32)}`, operator: self.address, cumulativeAmount: amount, tasksRoot: `0x${'00'.repeat(32)}`, signature: `0x${'11'.repeat(65)}` } as unknown as SignedVoucher;
}

function setup(dispatcher: Partial<DispatcherOptions>, worker: Partial<WorkerOptions> = {}, price = '1') {
  const dir = mkdtempSync(join(tmpdir(), 'rf-settle-'));
  const store = openStore(dir);
  stores.push(store);
  const d = new Dispatcher({ db: store.db, blobs: store.blobs, leaseMs: 600, pricePerBenchHour: () => price, ...dispatcher });
  const results = new BlobStore(join(dir, 'operator', 'results'));
  const events: WorkerEvent[] = [];
  const hash = store.blobs.put(new Uint8Array([1, 2, 3]));
  const addJob = (frames: number, id?: string) =>
    d.addJob({ ...(id ? { id } : {}), spec: JobSpecSchema.parse({ sceneId: hash, width: 16, height: 16, spp: 1, frames: { start: 0, end: frames - 1 } }), scene: { hash, bytes: 3 } });
  const prices = new Map<string, string>();
  const w = new Worker({
    db: store.db,
    results,
    cache: new SceneCache(store.db, store.blobs, () => 1 << 30),
    renderer,
    jobs: () => d.list().filter((p) => p.state === 'active').map((p) => ({ jobId: p.id, creator: 'me', sceneBytes: 3, engine: ENGINE_ID, perBenchHour: prices.get(p.id) ?? price })),
    link: () => localLink(d, self),
    policy: () => ({ enabled: true, engines: [ENGINE_ID], maxSceneBytes: 1 << 30, minPricePerBenchHour: '0' }),
    onEvent: (e) => events.push(e),
    waitRetryMs: 30,
    depth: 1,
    ...worker,
  });
  workers.push(w);
  const rows = () => (store.db.prepare('SELECT COUNT(*) AS n FROM worker_leases').get() as { n: number }).n;
  return { d, w, store, results, events, addJob, rows, prices };
}

describe('Worker: a result is kept until its answer is final', () => {
  it('keeps a result the creator cannot judge (unknown forever): its lease stays current and no new task of that creator is taken', async () => {
    const gate = { locked: true, calls: 0 };
    const clock = { t: 1_000_000 };
    const now = () => clock.t;
    const s = setup({ now, verify: () => (++gate.calls, gate.locked ? { verdict: 'unknown', reason: "the creator's wallet is locked" } : { verdict: 'accepted' }) }, { now }, '0');
    const job = s.addJob(4);
    s.w.start();
    await waitFor(() => s.w.waitingCount() === 1, 8000, 'the result kept after unknown');
    // Two lease lifetimes (600 ms) pass: the worker renews the lease and delivers again.
    for (let i = 0; i < 3; i++) {
      const calls = gate.calls;
      clock.t += 400;
      await waitFor(() => (s.d.nextDeadline() ?? 0) > clock.t + 300 && gate.calls > calls, 8000, 'the lease renewed and the result delivered again');
      s.d.tick();
      expect(s.d.held('me')).toBe(1);
    }
    // Exposure is bounded: one task rendered, nothing else leased, the result kept on disk.
    expect(s.events.filter((e) => e.type === 'leased')).toHaveLength(1);
    expect(s.events.some((e) => e.type === 'verdict')).toBe(false);
    expect(s.rows()).toBe(1);
    expect(s.d.job(job.id)!.progress.failed).toBe(0);
    const kept = s.events.find((e) => e.type === 'rendered')!;
    gate.locked = false;
    s.w.redeliverWaiting();
    await waitFor(() => s.events.some((e) => e.type === 'verdict' && e.lease.leaseId === kept.lease.leaseId), 8000, 'accepted once the creator could judge');
    expect(s.events.filter((e) => e.type === 'leased').length).toBeGreaterThan(1);
  });

  it('keeps a paid result whose voucher the hook cannot store yet (none came) until the voucher comes, and deletes it only after onVerdict stored it', async () => {
    const gate = { sign: false };
    const stored: { voucher: SignedVoucher; blobStillThere: boolean }[] = [];
    const ref: { results?: BlobStore } = {};
    const s = setup(
      {
        payments: {
          taskPrice: () => '1000',
          // The creator cannot sign yet: the answer carries no voucher; a later delivery gets the latest one.
          answer: async () => (gate.sign ? { voucher: voucherFor('1000') } : {}),
          duplicate: () => (gate.sign ? { verdict: 'accepted', voucher: voucherFor('1000') } : { verdict: 'accepted', reason: 'the voucher follows' }),
        },
      },
      {
        onVerdict: (_lease, _creator, verdict: Verdict) => {
          // A hook that wants the voucher before the result is forgotten throws without one.
          if (!verdict.voucher) throw new Error('accepted without a voucher; asking for it again');
          const held = s.events.find((e) => e.type === 'rendered');
          const hash = (s.store.db.prepare('SELECT result_hash FROM worker_leases').get() as { result_hash: string } | undefined)?.result_hash;
          stored.push({ voucher: verdict.voucher, blobStillThere: !!held && !!hash && ref.results!.has(hash) });
        },
      },
    );
    ref.results = s.results;
    s.addJob(1);
    s.w.start();
    await waitFor(() => s.events.filter((e) => e.type === 'waiting').length >= 2, 8000, 'kept twice for lack of a voucher');
    expect(s.rows()).toBe(1);
    gate.sign = true;
    await waitFor(() => stored.length === 1, 8000, 'voucher stored');
    expect(stored[0]!.blobStillThere).toBe(true);
    await waitFor(() => s.rows() === 0, 8000, 'result forgotten after the voucher');
    const v = s.events.find((e) => e.type === 'verdict');
    expect(v && v.type === 'verdict' && v.verdict.voucher?.cumulativeAmount).toBe('1000');
  });

  it('keeps the result when its voucher cannot be stored yet (wallet locked) and settles it when asked again', async () => {
    const wallet = { locked: true };
    const stored: string[] = [];
    const s = setup(
      { payments: { taskPrice: () => '1000', answer: async () => ({ voucher: voucherFor('1000') }), duplicate: () => ({ verdict: 'accepted', voucher: voucherFor('1000') }) } },
      {
        onVerdict: (_l, _c, verdict) => {
          if (wallet.locked) throw new Error('A voucher arrived while the wallet is locked');
          if (verdict.voucher) stored.push(verdict.voucher.cumulativeAmount);
        },
        waitRetryMs: 60_000,
      },
    );
    const job = s.addJob(1);
    s.w.start();
    await waitFor(() => s.w.waitingCount() === 1, 8000, 'kept while locked');
    const hash = (s.store.db.prepare('SELECT result_hash FROM worker_leases').get() as { result_hash: string }).result_hash;
    expect(s.results.has(hash)).toBe(true);
    expect(s.d.job(job.id)!.progress.done).toBe(1);
    wallet.locked = false;
    s.w.redeliverWaiting();
    await waitFor(() => stored.length === 1, 8000, 'voucher stored after unlock');
    await waitFor(() => s.rows() === 0, 8000, 'forgotten');
    expect(s.results.has(hash)).toBe(false);
    expect(existsSync(s.results.pathOf(hash))).toBe(false);
  });

  it('a locked wallet pauses new paid leases only: free work goes on', async () => {
    const pause = { reason: 'The wallet is locked' as string | undefined };
    // Only the paid job's leases carry a task price; the other job is priced but unpaid.
    const s = setup(
      {
        payments: {
          taskPrice: (jobId) => (jobId === 'job-paid' ? '1000' : undefined),
          answer: async () => ({ voucher: voucherFor('1000') }),
        },
      },
      { paidPause: () => pause.reason, depth: 2 },
    );
    const paidJob = s.addJob(2, 'job-paid');
    const freeJob = s.addJob(2, 'job-free');
    s.w.start();
    await waitFor(() => s.d.job(freeJob.id)!.progress.state === 'done', 8000, 'free job done');
    expect(s.d.job(paidJob.id)!.progress.done).toBe(0);
    expect(s.events.filter((e) => e.type === 'leased' && e.lease.jobId === paidJob.id)).toHaveLength(0);
    // Leases of the paid job went straight back without blame.
    expect(s.store.db.prepare('SELECT COUNT(*) AS n FROM dispatch_failures').get()).toEqual({ n: 0 });
    pause.reason = undefined;
    s.w.paidWorkResumed();
    await waitFor(() => s.d.job(paidJob.id)!.progress.state === 'done', 8000, 'paid job done after unlock');
  });
});

describe('Worker: what it owns', () => {
  it("never evicts a scene it did not fetch: this node's own job's scene stays in the store whatever the cache size", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rf-own-scene-'));
    const store = openStore(dir);
    stores.push(store);
    const d = new Dispatcher({ db: store.db, blobs: store.blobs });
    const own = store.blobs.put(new Uint8Array(64).fill(4));
    const job = d.addJob({ spec: JobSpecSchema.parse({ sceneId: own, width: 16, height: 16, spp: 1, frames: { start: 0, end: 2 } }), scene: { hash: own, bytes: 64 } });
    const w = new Worker({
      db: store.db,
      results: new BlobStore(join(dir, 'operator', 'results')),
      // A cache of one byte: anything it owns is evicted at once.
      cache: new SceneCache(store.db, store.blobs, () => 1),
      renderer,
      jobs: () => d.list().filter((p) => p.state === 'active').map((p) => ({ jobId: p.id, creator: 'me', sceneBytes: 64, engine: ENGINE_ID, perBenchHour: '0' })),
      link: () => localLink(d, self),
      policy: () => ({ enabled: true, engines: [ENGINE_ID], maxSceneBytes: 1 << 30, minPricePerBenchHour: '0' }),
    });
    workers.push(w);
    w.start();
    await waitFor(() => d.job(job.id)!.progress.state === 'done', 8000, 'own job done');
    // A second own job: the cache evicts what it owns that no held lease uses.
    const other = store.blobs.put(new Uint8Array(64).fill(5));
    const job2 = d.addJob({ spec: JobSpecSchema.parse({ sceneId: other, width: 16, height: 16, spp: 1 }), scene: { hash: other, bytes: 64 } });
    w.kick();
    await waitFor(() => d.job(job2.id)!.progress.state === 'done', 8000, 'second own job done');
    expect(store.blobs.has(own)).toBe(true);
    expect(store.blobs.has(other)).toBe(true);
  });
});
