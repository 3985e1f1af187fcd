/**
 * A request for several tasks at once on a paid job is admitted task by task against the
 * escrow, as separate requests would be: an operator asking for two tasks when the escrow
 * covers one more gets one, so the creator never leases work it cannot pay for, and a
 * second operator asking after it is told to wait for a top-up. Real Dispatcher, SQLite
 * file, CreatorPayments, reputation and voucher ledger.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet } from 'ethers';
import { afterEach, describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../../../../shared/job-spec';
import { escrowDomain } from '../../../../../shared/voucher';
import { Dispatcher } from '../../../../../main/core/creator/dispatch/dispatcher';
import { ReputationBook } from '../../../../../main/core/creator/dispatch/reputation';
import { CreatorPayments } from '../../../../../main/core/creator/pay/payments';
import { JobStateStore } from '../../../../../main/core/creator/pay/job-state';
import { VoucherLedger } from '../../../../../main/core/creator/proof/voucher-ledger';
import { ENGINE_ID } from '../../../../../main/core/net/work/constants';
import type { WorkAnswer } from '../../../../../main/core/net/work/messages';
import { openStore } from '../../../../../main/core/store';
import type { Store } from '../../../../../main/core/store';

const PRICE = 10n ** 15n;
const offer = { engines: [ENGINE_ID], maxSceneBytes: 1 << 30 };
let stores: Store[] = [];
afterEach(() => {
  for (const s of stores) s.close();
  stores = [];
});

/** A running paid job of 8 tasks whose escrow holds `fundedTasks` tasks' pay. */
function paidJob(fundedTasks: bigint) {
  const store = openStore(mkdtempSync(join(tmpdir(), 'rf-count-escrow-')));
  stores.push(store);
  const creator = Wallet.createRandom();
  const jobs = new JobStateStore(store.db);
  const ref: { d?: Dispatcher } = {};
  const payments = new CreatorPayments({
    jobs,
    ledger: new VoucherLedger(store.db, true),
    reputation: new ReputationBook(store.db),
    secret: new Uint8Array(32).fill(7),
    loadScene: () => Promise.reject(new Error('nothing is verified here')),
    signer: () => creator,
    domain: escrowDomain(31337, '0x' + '11'.repeat(20)),
    leased: (jobId) => ref.d?.leaseCount(jobId) ?? 0,
  });
  const d = new Dispatcher({ db: store.db, blobs: store.blobs, payments, maxLeasesPerOperator: 2 });
  ref.d = d;
  const spec = JobSpecSchema.parse({ sceneId: 'cd'.repeat(32), width: 32, height: 32, spp: 4, frames: { start: 0, end: 1 }, tiles: { x: 2, y: 2 } });
  const job = d.addJob({ spec, scene: { hash: spec.sceneId, bytes: 10 } });
  const funded = (PRICE * fundedTasks).toString();
  jobs.create({ id: job.id, chainJobId: '0x' + '44'.repeat(32), spec, specHash: '55'.repeat(32), sceneHash: spec.sceneId, sceneBytes: 10, tier: 'economy', feeBps: 50, tasks: job.tasks, taskPrice: PRICE.toString(), budget: funded, funded, maxPrice: null, benchHours: 1, chainId: 31337, escrow: null, creator: creator.address, outDir: null, fundTx: null, closeTx: null, closableAt: null, refund: null, note: null });
  jobs.transition(job.id, 'funded');
  jobs.transition(job.id, 'running');
  return { d, jobId: job.id };
}

const op = (n: number) => ({ peerId: `12D3KooWop${n}`, address: Wallet.createRandom().address });
const leases = (a: WorkAnswer) => (a.status === 'ok' && a.lease ? 1 + (a.more?.length ?? 0) : 0);

describe('several tasks in one request, against the escrow', () => {
  it('an escrow covering one more task gives one lease to a request for two; the next operator waits for a top-up', () => {
    const { d, jobId } = paidJob(1n);
    const greedy = op(1);
    const first = d.request(greedy, jobId, offer, 2);
    expect(leases(first)).toBe(1);
    expect(d.leaseCount(jobId)).toBe(1);
    const second = d.request(op(2), jobId, offer, 2);
    expect(second).toMatchObject({ status: 'none', reason: 'the job is waiting for a top-up of its escrow' });
    expect(d.leaseCount(jobId)).toBe(1);
  });

  it('an escrow covering enough gives both, never past the per-operator limit however many are asked for', () => {
    const { d, jobId } = paidJob(8n);
    expect(leases(d.request(op(1), jobId, offer, 2))).toBe(2);
    expect(leases(d.request(op(2), jobId, offer, 4))).toBe(2);
    expect(d.leaseCount(jobId)).toBe(4);
  });
});
