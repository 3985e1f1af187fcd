/**
 * Held pay under load, on the creator's real payment path: the Dispatcher with its SQLite
 * file, CreatorPayments with the real verifier, audit plan, reputation and voucher ledger
 * (EIP-712 vouchers signed by a real key). Re-renders come from a deterministic stand-in
 * for the engine (every pixel a hash of its place), so an honest result matches and a cheat
 * does not. "Under load": the audit plan is told the creator has no spare re-render slot.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterEach, describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../../../../shared/job-spec';
import type { TaskRect } from '../../../../../shared/job-spec';
import { escrowDomain } from '../../../../../shared/voucher';
import { Dispatcher } from '../../../../../main/core/creator/dispatch/dispatcher';
import { ReputationBook } from '../../../../../main/core/creator/dispatch/reputation';
import { CreatorPayments } from '../../../../../main/core/creator/pay/payments';
import { heldPayTies } from '../../../../../main/core/creator/pay/held-pay';
import { JobStateStore } from '../../../../../main/core/creator/pay/job-state';
import { VoucherLedger } from '../../../../../main/core/creator/proof/voucher-ledger';
import type { Lease } from '../../../../../main/core/net/work/messages';
import { ENGINE_ID } from '../../../../../main/core/net/work/constants';
import { openStore, sha256Hex } from '../../../../../main/core/store';
import type { Store } from '../../../../../main/core/store';
import { waitFor } from '../../../../helpers/wait';

const PRICE = 10n ** 15n;
const offer = { engines: [ENGINE_ID], maxSceneBytes: 1 << 30 };
let stores: Store[] = [];
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
});

/** The "scene": every channel a hash of (frame, x, y, channel); `wrong` gives a cheat's noise instead. */
function pixels(frame: number, rect: TaskRect, wrong = false): Float32Array {
  const out = new Float32Array(rect.width * rect.height * 4);
  let i = 0;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      for (let c = 0; c < 3; c++) {
        const h = Math.imul(x + 1, 73856093) ^ Math.imul(y + 1, 19349663) ^ Math.imul(frame + 1, 83492791) ^ Math.imul(c + (wrong ? 9 : 1), 2654435761);
        out[i++] = 0.05 + ((Math.imul(h ^ (h >>> 15), 2246822507) >>> 0) % 10_000) / 5000;
      }
      out[i++] = 1;
    }
  }
  return out;
}

/** Under load: no spare slot, no newcomer favour; a 10 % floor and a certain audit at 6 held. */
const UNDER_LOAD = { spare: 0, maxBacklog: 0, newcomerResults: 0, floorRate: 0.1, maxHeld: 6 };

function farm(secretByte: number, clock = { t: 1_000_000 }, audit: typeof UNDER_LOAD | 'app default' = UNDER_LOAD) {
  const store = openStore(mkdtempSync(join(tmpdir(), 'rf-held-')));
  stores.push(store);
  const creator = Wallet.createRandom();
  const now = () => clock.t;
  const jobs = new JobStateStore(store.db, now);
  const ledger = new VoucherLedger(store.db, true);
  const reputation = new ReputationBook(store.db);
  const ref: { d?: Dispatcher } = {};
  const payments = new CreatorPayments({
    jobs,
    ledger,
    reputation,
    secret: new Uint8Array(32).fill(secretByte),
    loadScene: () => Promise.reject(new Error('re-renders come from the stand-in')),
    signer: () => creator,
    domain: escrowDomain(31337, '0x' + '11'.repeat(20)),
    leased: (jobId) => ref.d?.leaseCount(jobId) ?? 0,
    patchRenderer: (_s, task, rect) => Promise.resolve(pixels(task.frame, rect)),
    ...(audit === 'app default' ? {} : { audit }),
    held: heldPayTies(() => ref.d, store.blobs),
    durable: () => store.wal.sync(),
    now,
  });
  const d = new Dispatcher({ db: store.db, blobs: store.blobs, now, verify: (i) => payments.verify(i), payments, durable: () => store.wal.sync(), maxTaskFailures: 8 });
  ref.d = d;
  const spec = JobSpecSchema.parse({ sceneId: 'ab'.repeat(32), width: 32, height: 32, spp: 4, frames: { start: 0, end: 9 }, tiles: { x: 2, y: 2 } });
  const job = d.addJob({ spec, scene: { hash: spec.sceneId, bytes: 10 } });
  jobs.create({ id: job.id, chainJobId: '0x' + '22'.repeat(32), spec, specHash: '33'.repeat(32), sceneHash: spec.sceneId, sceneBytes: 10, tier: 'economy', feeBps: 50, tasks: job.tasks, taskPrice: PRICE.toString(), budget: (PRICE * 100n).toString(), funded: (PRICE * 100n).toString(), maxPrice: null, benchHours: 1, chainId: 31337, escrow: null, creator: creator.address, outDir: null, fundTx: null, closeTx: null, closableAt: null, refund: null, note: null });
  jobs.transition(job.id, 'funded');
  jobs.transition(job.id, 'running');
  const finished = new Promise<void>((r) => d.onJobFinished(() => r()));
  return { d, ledger, payments, jobId: job.id, finished };
}

interface Op {
  peerId: string;
  address: string;
  /** Whether this operator cheats on its n-th result. */
  cheats: (n: number) => boolean;
  delivered: number;
  refused: number;
}

const operator = (n: number, cheats: (k: number) => boolean = () => false): Op => ({ peerId: `peer-${n}`, address: Wallet.createRandom().address.toLowerCase(), cheats, delivered: 0, refused: 0 });

/** One turn of an operator: take a task, render it (or cheat), deliver it; false when it got none. */
async function turn(d: Dispatcher, jobId: string, op: Op): Promise<boolean> {
  const a = d.request(op, jobId, offer);
  if (a.status !== 'ok') {
    op.refused++;
    return false;
  }
  const lease: Lease = a.lease;
  const px = new Uint8Array(pixels(lease.task.frame, lease.task.rect, op.cheats(op.delivered)).buffer);
  op.delivered++;
  const v = await d.deliver(op, { leaseId: lease.leaseId, jobId, taskIndex: lease.task.index, width: lease.task.rect.width, height: lease.task.rect.height, format: 'rgba32f', bytes: px.byteLength, sha256: sha256Hex(px), renderMs: 1, signature: `0x${'0'.repeat(130)}` }, px);
  expect(['accepted', 'rejected']).toContain(v.verdict);
  return true;
}

const paid = (ledger: VoucherLedger, jobId: string, op: Op): bigint => BigInt(ledger.latest(jobId, op.address)?.cumulativeAmount ?? '0');

describe("the app's audit plan", () => {
  it('re-renders every result before answering it and pays it at once, however many re-renders are waiting: nothing is held', async () => {
    const f = farm(1, undefined, 'app default');
    // Fifty re-renders already waiting: the sampled plan would hold pay here.
    const releases: (() => void)[] = [];
    for (let i = 0; i < 50; i++) void f.payments.audits.run(() => new Promise<void>((r) => releases.push(r)));
    const op = operator(1);
    const cheat = operator(2, (n) => n === 1);
    for (let n = 1; n <= 6; n++) {
      expect(await turn(f.d, f.jobId, op)).toBe(true);
      expect(f.ledger.held(f.jobId, op.address)).toEqual([]);
      expect(paid(f.ledger, f.jobId, op)).toBe(BigInt(n) * PRICE);
    }
    // A cheated result is caught at once, not sampled out.
    expect(await turn(f.d, f.jobId, cheat)).toBe(true);
    expect(await turn(f.d, f.jobId, cheat)).toBe(true);
    expect(paid(f.ledger, f.jobId, cheat)).toBe(PRICE);
    expect(f.payments.audits.counts).toEqual({ seen: 8, audited: 8 });
    releases.forEach((r) => r());
  });
});

describe('held pay under load', () => {
  it('an honest operator is paid exactly for every result once the job ends, though most were never re-rendered', async () => {
    const f = farm(1);
    const honest = operator(1);
    while (await turn(f.d, f.jobId, honest));
    await f.finished;
    expect(honest.delivered).toBe(40);
    // Most results were sampled out, yet the closing re-render of its tail paid them all.
    expect(f.payments.audits.counts.audited).toBeLessThan(40);
    expect(f.ledger.held(f.jobId, honest.address)).toEqual([]);
    expect(paid(f.ledger, f.jobId, honest)).toBe(40n * PRICE);
    expect(f.ledger.latest(f.jobId, honest.address)!.tasks).toBe(40);
    expect(f.d.job(f.jobId)!.progress).toMatchObject({ state: 'done', done: 40 });
  });

  it('an operator cheating on a third of its results is never vouchered for a result once caught, and earns less per result than honest work (over 24 jobs)', async () => {
    let cheatPaid = 0n;
    let cheatDelivered = 0;
    let caught = 0;
    // Lease ids are random, so which results are drawn differs per run: the bounds are loose (≥ 4σ).
    for (let secret = 2; secret < 26; secret++) {
      const f = farm(secret);
      const honest = operator(1);
      const cheat = operator(2, (n) => n % 3 === 2);
      // What the cheat's vouchers were worth while it was not yet caught.
      let beforeCaught = 0n;
      for (let round = 0; round < 200; round++) {
        const a = await turn(f.d, f.jobId, cheat);
        // Background re-renders run before the next turn: the same order on every run.
        await f.payments.held.drained();
        if (!f.payments.held.barred(f.jobId, cheat.address)) beforeCaught = paid(f.ledger, f.jobId, cheat);
        const b = await turn(f.d, f.jobId, honest);
        await f.payments.held.drained();
        if (!a && !b) break;
      }
      await f.finished;
      const barred = f.payments.held.barred(f.jobId, cheat.address);
      if (barred) {
        caught++;
        // Nothing vouchered since it was caught, and no more tasks for it.
        expect(paid(f.ledger, f.jobId, cheat)).toBe(beforeCaught);
        expect(f.d.request(cheat, f.jobId, offer).status).not.toBe('ok');
      }
      // Its forfeited tasks were rendered again: the job ends complete, the honest operator paid for all it did.
      expect(f.d.job(f.jobId)!.progress).toMatchObject({ state: 'done', done: 40 });
      expect(f.ledger.verdicts(f.jobId).filter((v) => v.verdict === 'forfeited').every((v) => v.operator.toLowerCase() === cheat.address)).toBe(true);
      expect(paid(f.ledger, f.jobId, honest)).toBe(BigInt(honest.delivered) * PRICE);
      cheatPaid += paid(f.ledger, f.jobId, cheat);
      cheatDelivered += cheat.delivered;
    }
    // Caught in most jobs; and over all of them the cheat earned clearly less per result than
    // the price an honest operator earns for each (held pay: a held result is paid only if the
    // next re-render passes, which a cheat at rate f fails with probability f).
    expect(caught).toBeGreaterThanOrEqual(8);
    expect(cheatPaid * 100n).toBeLessThan(BigInt(cheatDelivered) * PRICE * 90n);
  });

  it('slow tail: a backup lease of a slow task is paid to both operators when both results pass within their leases', async () => {
    const clock = { t: 1_000_000 };
    const f = farm(5, clock);
    const slow = operator(1);
    const fast = operator(2);
    const a = f.d.request(slow, f.jobId, offer);
    if (a.status !== 'ok') throw new Error('no lease');
    while (await turn(f.d, f.jobId, fast));
    expect(fast.delivered).toBe(39);
    clock.t += 50_000;
    f.d.renew(slow, a.lease.leaseId);
    clock.t += 10_001;
    // Nothing left to hand out and the slow task out longer than a lease time: re-issued as a backup.
    expect(await turn(f.d, f.jobId, fast)).toBe(true);
    await f.finished;
    const px = new Uint8Array(pixels(a.lease.task.frame, a.lease.task.rect).buffer);
    const late = await f.d.deliver(slow, { leaseId: a.lease.leaseId, jobId: f.jobId, taskIndex: a.lease.task.index, width: a.lease.task.rect.width, height: a.lease.task.rect.height, format: 'rgba32f', bytes: px.byteLength, sha256: sha256Hex(px), renderMs: 1, signature: `0x${'0'.repeat(130)}` }, px);
    expect(late.verdict).toBe('accepted');
    // Held after the job ended: re-rendered in the background at once, then paid.
    await waitFor(() => f.payments.held.pending === 0 && f.ledger.held(f.jobId, slow.address).length === 0, 10_000, 'the late result re-rendered');
    expect(paid(f.ledger, f.jobId, fast)).toBe(40n * PRICE);
    expect(paid(f.ledger, f.jobId, slow)).toBe(PRICE);
  });
});
