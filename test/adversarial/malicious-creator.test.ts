/**
 * A creator that tries not to pay, against honest operators, on a real anvil escrow and real
 * nodes on 127.0.0.1. Each attack ends with the honest operator's token balance asserted
 * exactly: it is paid for every task it was signed for, and what it can lose to a creator
 * that withholds or shortens vouchers is bounded by its limit (one task's pay by default).
 */
import { ZeroHash, id } from 'ethers';
import { describe, expect, it } from 'vitest';
import { signVoucher } from '../../main/core/chain/voucher';
import type { PaymentHooks } from '../../main/core/creator/dispatch/dispatcher';
import type { CreatorPayments } from '../../main/core/creator/pay/payments';
import type { PayJob } from '../../main/core/creator/pay/job-state';
import { OperatorPayments } from '../../main/core/operator/pay/operator-payments';
import { RayfarmError } from '../../main/core/errors';
import { JobSpecSchema } from '../../shared/job-spec';
import { feeOf } from '../../shared/pricing';
import { escrowDomain } from '../../shared/voucher';
import { expectRevert } from '../contracts/fixture';
import { waitFor } from '../helpers/wait';
import { startPayCreator, startPayOperator, usePayFixture } from '../integration/payment-helpers';
import type { PayCreator, PayOperator } from '../integration/payment-helpers';

const fx = usePayFixture();

/** A creator (dishonest through `hooks`) and one honest operator; a 4-task job funded and started. */
async function farm(creatorAccount: number, operatorAccount: number, hooks?: (c: { creator: PayCreator; honest: CreatorPayments }) => Partial<PaymentHooks>) {
  const ref: { creator?: PayCreator } = {};
  const creator = await startPayCreator(fx.chain, fx.chain.test.accounts[creatorAccount]!, hooks ? { hooks: (honest) => hooks({ creator: new Proxy({} as PayCreator, { get: (_t, k) => ref.creator![k as keyof PayCreator] }), honest }) } : {});
  ref.creator = creator;
  fx.track(creator);
  await fx.faucet(creator.wallet.address, 10n ** 21n);
  const addr = creator.node.svc.stack.node.listenAddrs()[0]!;
  const op = await startPayOperator(fx.chain, addr, fx.chain.test.accounts[operatorAccount]!);
  fx.track(op);
  const hash = creator.node.store.blobs.put(fx.scene);
  const spec = JobSpecSchema.parse({ sceneId: hash, width: 32, height: 32, spp: 8, maxDepth: 4, output: 'exr-float', frames: { start: 0, end: 3 } });
  const job = creator.jobs.create({ spec, sceneBytes: fx.scene.byteLength, benchHours: 0.02, outDir: creator.node.dir });
  const start = await fx.chain.conn.token.balanceOf(op.wallet.address);
  await creator.jobs.fund(job.id);
  creator.jobs.start(job.id);
  return { creator, op, job: creator.states.get(job.id), start };
}

/** Whatever the operator still holds, redeemed now; returns what its balance gained since `start`. */
async function settle(op: PayOperator, job: PayJob, start: bigint): Promise<bigint> {
  await op.payments.redeemer.redeemNow(job.chainJobId);
  return (await fx.chain.conn.token.balanceOf(op.wallet.address)) - start;
}

function acceptedFor(c: PayCreator, job: PayJob, op: PayOperator): number {
  return c.ledger.verdicts(job.id).filter((v) => v.verdict === 'accepted' && v.operator === op.wallet.address).length;
}

/** The operator stopped working for the creator for `why`, and says so in its log. */
async function stoppedFor(op: PayOperator, why: RegExp): Promise<void> {
  const [s] = await waitFor(() => (op.payments.stoppedCreators().length ? op.payments.stoppedCreators() : undefined), 30_000, 'the operator to stop');
  expect(s!.reason).toMatch(why);
  expect(op.node.lines.some((l) => l.includes('stopped working for creator') && why.test(l))).toBe(true);
  // No more work for that creator: it asks for nothing, and holds nothing once its last delivery settles.
  expect(op.payments.mayAsk({ jobId: 'any', creator: s!.creator, sceneBytes: 0, engine: 'x', perBenchHour: '0' }, [])).toBe(false);
  await waitFor(() => op.node.svc.worker.heldCount() === 0 || undefined, 30_000, 'the operator to hold nothing');
}

describe('a malicious creator', () => {
  it('self-redeem mid-job: the creator allocates the rest to itself and redeems its own voucher; the operator is paid exactly for every task it was signed for', async () => {
    const { creator, op, job, start } = await farm(1, 2);
    await waitFor(() => op.payments.wallet.best(job.chainJobId), 60_000, 'a first voucher');
    const self = creator.wallet.connect(fx.chain.conn.provider);
    const escrow = fx.chain.conn.escrow.connect(self);
    const domain = escrowDomain(31337, escrow.address);
    // A voucher to itself for the whole budget pays nothing without an allocation of its own...
    const grab = await signVoucher(self, domain, { jobId: job.chainJobId, operator: self.address, cumulativeAmount: BigInt(job.budget), resultsRoot: ZeroHash });
    await expectRevert(escrow.redeemVoucher(grab), 'EscrowAllocationExhausted');
    // ...and with one, only what was never allocated to the operator.
    const { unallocated } = await escrow.getJob(job.chainJobId);
    await escrow.allocate(job.chainJobId, [self.address], [unallocated]);
    await escrow.redeemVoucher(grab);
    const share = await escrow.shareOf(job.chainJobId, op.wallet.address);
    expect(share.allocated).toBeGreaterThan(0n);
    // The job can allocate nothing more, so it pauses; the operator finishes what it holds.
    await waitFor(() => creator.states.get(job.id).state === 'paused' || undefined, 30_000, 'the job to pause');
    await waitFor(() => op.node.svc.worker.heldCount() === 0 || undefined, 30_000, 'the operator to finish');
    const tasks = BigInt(acceptedFor(creator, job, op));
    expect(tasks).toBeGreaterThan(0n);
    const earned = tasks * BigInt(job.taskPrice);
    expect(BigInt(op.payments.wallet.best(job.chainJobId)!.cumulativeAmount)).toBe(earned);
    expect(await settle(op, job, start)).toBe(earned - feeOf(earned, job.feeBps));
    expect(await escrow.redeemed(job.chainJobId, op.wallet.address)).toBe(earned);
  });

  it('withheld voucher: the creator accepts a task and sends no voucher; the operator stops after that one task and is owed nothing else', async () => {
    const { creator, op, job, start } = await farm(3, 4, () => ({ answer: async () => ({}) }));
    await stoppedFor(op, /sent no voucher/);
    // It rendered exactly one task for this creator: its limit.
    expect(acceptedFor(creator, job, op)).toBe(1);
    // A restart remembers: the creator gets no second chance at unpaid work.
    const restarted = new OperatorPayments({ db: op.node.store.db, chain: fx.chain.conn, signer: op.wallet.connect(fx.chain.conn.provider), address: op.wallet.address, threshold: 1n });
    expect(restarted.stoppedCreators()).toEqual(op.payments.stoppedCreators());
    expect(await settle(op, job, start)).toBe(0n);
  });

  it('short voucher: the creator signs less than the leased price; the operator stops and redeems exactly what was signed', async () => {
    const { creator, op, job, start } = await farm(5, 6, ({ creator: c }) => ({
      answer: async (e) => {
        const j = c.states.get(e.jobId);
        const signer = c.wallet.connect(fx.chain.conn.provider);
        const voucher = await signVoucher(signer, escrowDomain(31337, fx.chain.conn.escrow.address), { jobId: j.chainJobId, operator: e.operator.address, cumulativeAmount: BigInt(j.taskPrice) / 2n, resultsRoot: ZeroHash });
        return { voucher };
      },
    }));
    await stoppedFor(op, /less than the leased price/);
    expect(acceptedFor(creator, job, op)).toBe(1);
    const half = BigInt(job.taskPrice) / 2n;
    expect(await settle(op, job, start)).toBe(half - feeOf(half, job.feeBps));
  });

  it('voucher for another job: the creator pays with a voucher of another escrow job; the operator refuses it and stops', async () => {
    const other = id('another-escrow-job');
    const { creator, op, job, start } = await farm(7, 8, ({ creator: c }) => ({
      answer: async (e) => {
        const j = c.states.get(e.jobId);
        const signer = c.wallet.connect(fx.chain.conn.provider);
        const voucher = await signVoucher(signer, escrowDomain(31337, fx.chain.conn.escrow.address), { jobId: other, operator: e.operator.address, cumulativeAmount: BigInt(j.taskPrice), resultsRoot: ZeroHash });
        return { voucher };
      },
    }));
    await stoppedFor(op, /names escrow job/);
    expect(acceptedFor(creator, job, op)).toBe(1);
    expect(op.payments.wallet.best(other)).toBeUndefined();
    expect(await settle(op, job, start)).toBe(0n);
  });

  it('lease without allocation: the creator leases tasks and claims an allocation it never made; the operator reads the chain and does no work', async () => {
    const { creator, op, job, start } = await farm(5, 6, ({ creator: c }) => ({
      admit: () => undefined,
      leasePay: (j) => ({ chainJobId: c.states.get(j).chainJobId, allocated: (10n ** 20n).toString() }),
    }));
    await waitFor(() => op.node.lines.find((l) => /not working on .* allocated 0 to this operator on chain/.test(l)), 30_000, 'the operator to refuse');
    expect(creator.ledger.verdicts(job.id)).toEqual([]);
    expect(op.node.svc.worker.heldCount()).toBe(0);
    expect(await settle(op, job, start)).toBe(0n);
  });

  it("lease on someone else's escrow job: the creator points its lease at another creator's job where the operator has an allocation; the operator refuses before working and stops", async () => {
    // Someone else's job, on which this operator really has an allocation.
    const other = fx.chain.test.accounts[0]!;
    const otherJob = id('someone-elses-job');
    const op8 = fx.chain.test.accounts[8]!;
    await fx.chain.conn.token.connect(other).faucet(other.address, 10n ** 18n);
    await fx.chain.conn.token.connect(other).approve(fx.chain.conn.escrow.address, 10n ** 18n);
    await fx.chain.conn.escrow.connect(other).openJob(otherJob, 10n ** 18n, 100, ZeroHash);
    await fx.chain.conn.escrow.connect(other).allocate(otherJob, [op8.address], [10n ** 18n]);
    const { creator, op, job, start } = await farm(7, 8, () => ({ leasePay: () => ({ chainJobId: otherJob, allocated: (10n ** 18n).toString() }) }));
    await stoppedFor(op, /opened by/);
    expect(creator.ledger.verdicts(job.id)).toEqual([]);
    expect(await settle(op, job, start)).toBe(0n);
  });

  it('closing early: the creator requests close after the first voucher; the operator takes no new task, redeems within the grace period and is paid exactly', async () => {
    const { creator, op, job, start } = await farm(9, 2);
    await waitFor(() => op.payments.wallet.best(job.chainJobId), 60_000, 'a first voucher');
    const escrow = fx.chain.conn.escrow.connect(creator.wallet.connect(fx.chain.conn.provider));
    await escrow.requestClose(job.chainJobId);
    await expectRevert(escrow.close(job.chainJobId), 'EscrowGracePeriodActive');
    await waitFor(() => op.node.svc.worker.heldCount() === 0 || undefined, 30_000, 'the operator to finish what it holds');
    // The redeemer sees the close request and redeems on its own, long before the grace period ends.
    const earned = BigInt(acceptedFor(creator, job, op)) * BigInt(job.taskPrice);
    await waitFor(async () => (await escrow.redeemed(job.chainJobId, op.wallet.address)) === earned || undefined, 30_000, 'the redeemer');
    // No new work on a job that is closing.
    const lease = { leaseId: 'l-late', jobId: job.id, ttlMs: 1000, task: { index: 3, id: 't3', frame: 3, tileX: 0, tileY: 0, rect: { x: 0, y: 0, width: 32, height: 32 } }, spec: job.spec, scene: { hash: job.sceneHash, bytes: 1 }, engine: 'x', price: { tier: job.tier, perBenchHour: '1', amount: job.taskPrice }, pay: { chainJobId: job.chainJobId, allocated: job.taskPrice } };
    expect(await op.payments.admitLease(lease, { jobId: job.id, creator: 'c', sceneBytes: 0, engine: 'x', perBenchHour: '1' }, [])).toMatch(/closing/);
    await fx.chain.test.increaseTime(fx.chain.grace);
    await escrow.close(job.chainJobId);
    expect((await fx.chain.conn.token.balanceOf(op.wallet.address)) - start).toBe(earned - feeOf(earned, job.feeBps));
  });

  it('front-run openJob with the same id: funding refuses a job opened by another wallet and spends nothing', async () => {
    const creator = await startPayCreator(fx.chain, fx.chain.test.accounts[3]!);
    fx.track(creator);
    const attacker = fx.chain.test.accounts[4]!;
    await fx.faucet(creator.wallet.address, 10n ** 21n);
    await fx.faucet(attacker.address, 10n ** 18n);
    const hash = creator.node.store.blobs.put(fx.scene);
    const spec = JobSpecSchema.parse({ sceneId: hash, width: 32, height: 32, spp: 8, maxDepth: 4, output: 'exr-float' });
    const job = creator.jobs.create({ spec, sceneBytes: fx.scene.byteLength, benchHours: 0.02 });
    const before = await fx.chain.conn.token.balanceOf(creator.wallet.address);
    // The attacker saw the id (say, in the mempool) and opens it first.
    await fx.chain.conn.token.connect(attacker).approve(fx.chain.conn.escrow.address, 10n ** 18n);
    await fx.chain.conn.escrow.connect(attacker).openJob(job.chainJobId, 10n ** 18n, job.feeBps, job.specHash);
    const err = await creator.jobs.fund(job.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RayfarmError);
    expect((err as RayfarmError).code).toBe('JOB_NOT_OURS');
    expect((err as RayfarmError).message).toContain(attacker.address);
    expect(creator.states.get(job.id).state).toBe('draft');
    expect(await fx.chain.conn.token.balanceOf(creator.wallet.address)).toBe(before);
    expect(await fx.chain.conn.token.allowance(creator.wallet.address, fx.chain.conn.escrow.address)).toBe(0n);
    // After a crash with the openJob recorded as sent, reconcile does not mark it funded either.
    creator.states.update(job.id, { fundTx: '0x' + '11'.repeat(32) });
    await creator.jobs.reconcile();
    expect(creator.states.get(job.id)).toMatchObject({ state: 'draft', note: expect.stringContaining('not by this wallet') });
  });
});
