import { describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../shared/job-spec';
import type { JobSpec } from '../../shared/job-spec';
import { feeOf } from '../../shared/pricing';
import { waitFor } from './net-helpers';
import { startPayCreator, startPayOperator, usePayFixture } from './payment-helpers';
import type { CheatKind, PayCreator, PayOperator } from './payment-helpers';

const fx = usePayFixture();

async function fundCreator(c: PayCreator, amount: bigint): Promise<void> {
  await fx.faucet(c.wallet.address, amount);
}

function spec(hash: string, o: Record<string, unknown>): JobSpec {
  return JobSpecSchema.parse({ sceneId: hash, width: 32, height: 32, spp: 8, maxDepth: 4, output: 'exr-float', ...o });
}

async function balances(addrs: string[]): Promise<bigint[]> {
  return Promise.all(addrs.map((a) => fx.chain.conn.token.balanceOf(a)));
}

describe('public mode: verified work is paid', () => {
  it('honest operators are paid exactly tasks × price − fee, the treasury the fee; the creator goes offline after signing and they still redeem; the creator closes and takes back the rest', async () => {
    const creator = await startPayCreator(fx.chain, fx.chain.test.accounts[1]!);
    fx.track(creator);
    await fundCreator(creator, 10n ** 21n);
    const addr = creator.node.svc.stack.node.listenAddrs()[0]!;
    const ops: PayOperator[] = [];
    for (const i of [2, 3]) {
      const o = await startPayOperator(fx.chain, addr, fx.chain.test.accounts[i]!);
      ops.push(o);
      fx.track(o);
    }
    const hash = creator.node.store.blobs.put(fx.scene);
    const s = spec(hash, { frames: { start: 0, end: 1 }, tiles: { x: 2, y: 1 } });
    const before = await balances([...ops.map((o) => o.wallet.address), fx.chain.treasury, creator.wallet.address]);
    const draft = creator.jobs.create({ spec: s, sceneBytes: fx.scene.byteLength, benchHours: 0.02, outDir: creator.node.dir });
    expect(draft.state).toBe('draft');
    const steps: string[] = [];
    await creator.jobs.fund(draft.id, (st) => steps.push(`${st.step}:${st.status}`));
    expect(steps).toEqual(['approve:sending', 'approve:sent', 'approve:mined', 'openJob:sending', 'openJob:sent', 'openJob:mined']);
    creator.jobs.start(draft.id);
    const done = await waitFor(() => {
      const j = creator.states.get(draft.id);
      return j.state === 'complete' && j.closableAt !== null ? j : undefined;
    }, 60_000, 'the job to complete');
    const price = BigInt(done.taskPrice);
    const total = price * BigInt(done.tasks);
    expect(creator.jobs.summary(draft.id)).toMatchObject({ paid: total.toString(), fee: feeOf(total, 50).toString(), accepted: 4, rejected: 0 });
    // Offline from here on: nothing the creator runs is needed for the operators to be paid.
    await creator.node.stop();
    await waitFor(async () => {
      let sum = 0n;
      for (const o of ops) sum += await fx.chain.conn.escrow.redeemed(done.chainJobId, o.wallet.address);
      return sum === total;
    }, 30_000, 'every voucher redeemed');
    const after = await balances([...ops.map((o) => o.wallet.address), fx.chain.treasury, creator.wallet.address]);
    const gained = ops.reduce((s2, _o, i) => s2 + after[i]! - before[i]!, 0n);
    expect(gained).toBe(total - feeOf(total, 50));
    expect(after[2]! - before[2]!).toBe(feeOf(total, 50));
    for (const o of ops) expect(o.payments.redeemer.list().filter((r) => r.state === 'mined').length).toBeGreaterThan(0);
    // After the grace period the creator's key closes the job; the budget was exactly the price.
    await fx.chain.test.increaseTime(fx.chain.grace + 1);
    const closing = fx.chain.conn.escrow.connect(creator.wallet.connect(fx.chain.conn.provider));
    await closing.close(done.chainJobId);
    expect((await fx.chain.conn.escrow.getJob(done.chainJobId)).closed).toBe(true);
    expect((await balances([creator.wallet.address]))[0]).toBe(before[3]! - total);
  }, 180_000);

  it('every kind of cheat is caught, unpaid, and its task re-rendered by an honest operator who is paid for all of them', async () => {
    const creator = await startPayCreator(fx.chain, fx.chain.test.accounts[4]!, { maxTaskFailures: 20 });
    fx.track(creator);
    await fundCreator(creator, 10n ** 21n);
    const addr = creator.node.svc.stack.node.listenAddrs()[0]!;
    const kinds: CheatKind[] = ['random', 'fewer-samples', 'copied-task', 'other-job', 'altered-10pct'];
    const cheaters: PayOperator[] = [];
    for (const [i, kind] of kinds.entries()) {
      const o = await startPayOperator(fx.chain, addr, fx.chain.test.accounts[5 + i]!, { cheat: kind });
      cheaters.push(o);
      fx.track(o);
    }
    const hash = creator.node.store.blobs.put(fx.scene);
    const s = spec(hash, { frames: { start: 0, end: 3 }, tiles: { x: 2, y: 2 } });
    const job = creator.jobs.create({ spec: s, sceneBytes: fx.scene.byteLength, benchHours: 0.04, outDir: creator.node.dir });
    // Each cheater was allocated its first task's pay before it worked; that stays its own
    // (unredeemable without a voucher) until the job closes, so the budget carries one task per cheater.
    await creator.jobs.fund(job.id, undefined, BigInt(job.budget) + BigInt(kinds.length) * BigInt(job.taskPrice));
    const before = await balances(cheaters.map((c) => c.wallet.address));
    creator.jobs.start(job.id);
    // Every cheater delivers and is rejected before the honest operator joins.
    await waitFor(() => cheaters.every((c) => creator.ledger.verdicts(job.id).some((v) => v.operator === c.wallet.address)), 60_000, 'every cheater to deliver');
    const honest = await startPayOperator(fx.chain, addr, fx.chain.test.accounts[3]!);
    fx.track(honest);
    const done = await waitFor(() => {
      const j = creator.states.get(job.id);
      return j.state === 'complete' && j.closableAt !== null ? j : undefined;
    }, 90_000, 'the job to complete');
    const verdicts = creator.ledger.verdicts(job.id);
    for (const c of cheaters) {
      const mine = verdicts.filter((v) => v.operator === c.wallet.address);
      expect(mine.length, c.cheat).toBeGreaterThan(0);
      expect(mine.every((v) => v.verdict === 'rejected'), c.cheat).toBe(true);
      for (const v of mine) expect(v.patches.length + (v.code === 'RESULT_CONSTANT' ? 1 : 0)).toBeGreaterThan(0);
      expect(c.payments.wallet.best(done.chainJobId), c.cheat).toBeUndefined();
      expect(creator.reputation.get(c.wallet.address).verified).toBe(0);
    }
    const accepted = verdicts.filter((v) => v.verdict === 'accepted');
    expect(accepted.length).toBe(16);
    expect(accepted.every((v) => v.operator === honest.wallet.address)).toBe(true);
    const total = BigInt(done.taskPrice) * 16n;
    await waitFor(async () => (await fx.chain.conn.escrow.redeemed(done.chainJobId, honest.wallet.address)) === total, 30_000, 'the honest operator redeemed');
    const after = await balances(cheaters.map((c) => c.wallet.address));
    expect(after).toEqual(before);
    expect(creator.jobs.summary(job.id)).toMatchObject({ paid: total.toString(), rejected: verdicts.length - 16 });
  }, 180_000);
  it('a job whose escrow runs low pauses and asks for a top-up, then completes; an operator whose minimum price is higher skips it', async () => {
    const creator = await startPayCreator(fx.chain, fx.chain.test.accounts[1]!);
    fx.track(creator);
    await fundCreator(creator, 10n ** 21n);
    const addr = creator.node.svc.stack.node.listenAddrs()[0]!;
    const picky = await startPayOperator(fx.chain, addr, fx.chain.test.accounts[8]!, { minPrice: '1000' });
    fx.track(picky);
    const hash = creator.node.store.blobs.put(fx.scene);
    const s = spec(hash, { frames: { start: 0, end: 3 } });
    const job = creator.jobs.create({ spec: s, sceneBytes: fx.scene.byteLength, benchHours: 0.02, outDir: creator.node.dir });
    const price = BigInt(job.taskPrice);
    await creator.jobs.fund(job.id, undefined, 2n * price);
    creator.jobs.start(job.id);
    const honest = await startPayOperator(fx.chain, addr, fx.chain.test.accounts[2]!);
    fx.track(honest);
    const paused = await waitFor(() => {
      const j = creator.states.get(job.id);
      return j.state === 'paused' ? j : undefined;
    }, 60_000, 'the job to pause');
    expect(paused.note).toMatch(/escrow low/);
    expect(creator.ledger.counts(job.id).accepted).toBe(2);
    await expect(Promise.resolve().then(() => creator.jobs.resume(job.id))).rejects.toMatchObject({ code: 'JOB_ESCROW_LOW' });
    const topped = await creator.jobs.topUp(job.id, 2n * price);
    expect(topped.state).toBe('running');
    expect(topped.funded).toBe((4n * price).toString());
    const done = await waitFor(() => {
      const j = creator.states.get(job.id);
      return j.state === 'complete' ? j : undefined;
    }, 60_000, 'the job to complete');
    expect(creator.jobs.summary(done.id)).toMatchObject({ accepted: 4, paid: (4n * price).toString() });
    expect(creator.ledger.verdicts(job.id).some((v) => v.operator === picky.wallet.address)).toBe(false);
    expect(creator.states.events(job.id).map((e) => e.to)).toEqual(['draft', 'funded', 'running', 'paused', 'running', 'complete']);
  }, 180_000);
});
