/**
 * A malicious operator against a paying creator: real nodes on 127.0.0.1, the real engine,
 * the real escrow on anvil. The attacker re-rolls a rejected result, renders part of a tile,
 * copies a frame, reuses an accepted result for another task and delivers on a stale lease;
 * each time it gains nothing, the creator re-renders patches once per lease at most, and the
 * creator pays exactly for the honest tasks, to whoever rendered them.
 */
import { Wallet } from 'ethers';
import { describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../shared/job-spec';
import type { JobSpec } from '../../shared/job-spec';
import { engineTaskRenderer } from '../../main/core/operator/work/engine-renderer';
import type { Lease } from '../../main/core/net/work/messages';
import { ENGINE_ID } from '../../main/core/net/work';
import type { Verdict } from '../../main/core/net/result/messages';
import { startNode, waitFor } from '../integration/net-helpers';
import type { Node } from '../integration/net-helpers';
import { startPayCreator, startPayOperator, usePayFixture } from '../integration/payment-helpers';
import type { CheatKind, PayCreator, PayOperator } from '../integration/payment-helpers';

const fx = usePayFixture();

function spec(hash: string, o: Record<string, unknown>): JobSpec {
  return JobSpecSchema.parse({ sceneId: hash, width: 32, height: 32, spp: 8, maxDepth: 4, output: 'exr-float', ...o });
}

async function paidJob(creator: PayCreator, s: JobSpec, benchHours: number) {
  await fx.faucet(creator.wallet.address, 10n ** 21n);
  const job = creator.jobs.create({ spec: s, sceneBytes: fx.scene.byteLength, benchHours, outDir: creator.node.dir });
  // Three times the price of the tasks: what is allocated to a cheater stays fenced for it
  // until the job closes, and the honest operator must still be covered.
  await creator.jobs.fund(job.id, undefined, 3n * BigInt(job.tasks) * BigInt(job.taskPrice));
  creator.jobs.start(job.id);
  return job;
}

/** An operator that speaks the protocols by hand: it asks for leases and delivers whatever bytes it likes. */
async function handDriven(creator: PayCreator, wallet: Wallet) {
  const node: Node = await startNode({ bootstrap: [creator.node.svc.stack.node.listenAddrs()[0]!], operator: false, signer: wallet.connect(fx.chain.conn.provider) });
  fx.track(node);
  node.store.blobs.put(fx.scene);
  const engine = engineTaskRenderer(node.store.blobs);
  fx.track({ stop: () => engine.dispose() });
  const peer = creator.node.svc.stack.node.peerId;
  return {
    node,
    async lease(jobId: string): Promise<Lease | undefined> {
      const r = await node.svc.stack.work.request(peer, jobId, { engines: [ENGINE_ID], maxSceneBytes: 1 << 30 });
      return r.status === 'ok' ? r.lease : undefined;
    },
    async render(l: Lease, over: Partial<JobSpec> = {}, task = l.task): Promise<Float32Array> {
      return engine.render({ spec: { ...l.spec, ...over }, task, sceneHash: l.scene.hash, signal: new AbortController().signal, onProgress: () => undefined });
    },
    deliver(l: Lease, px: Float32Array): Promise<Verdict> {
      return node.svc.stack.result.deliver(peer, { leaseId: l.leaseId, jobId: l.jobId, taskIndex: l.task.index, width: l.task.rect.width, height: l.task.rect.height, renderMs: 5 }, new Uint8Array(px.buffer, px.byteOffset, px.byteLength));
    },
  };
}

/**
 * A partial render: half the tile, in a checkerboard of 8 × 8 blocks, left a flat grey (the
 * 16 patches of a 512-pixel tile all miss it with probability 2^-16, so the rejection the
 * re-roll starts from is certain).
 */
function partial(full: Float32Array, width: number): Float32Array {
  const out = full.slice();
  for (let i = 0; i < out.length / 4; i++) {
    const x = i % width;
    const y = Math.floor(i / width);
    if ((Math.floor(x / 8) + Math.floor(y / 8)) % 2 === 0) for (let c = 0; c < 3; c++) out[i * 4 + c] = 0.5;
  }
  return out;
}

describe('a malicious operator gains nothing', () => {
  it('re-roll, reused result and stale lease: refused without a second re-render, the attacker paid only for its one honest task', async () => {
    // Leases long enough for the hand-driven attacker to render and deliver on a loaded box
    // (3 s expired first under load, turning the partial render's rejection into a stale one).
    const creator = await startPayCreator(fx.chain, fx.chain.test.accounts[1]!, { leaseMs: 10_000 });
    fx.track(creator.node);
    const hash = creator.node.store.blobs.put(fx.scene);
    const job = await paidJob(creator, spec(hash, { frames: { start: 0, end: 1 }, tiles: { x: 2, y: 1 } }), 0.02);
    const price = BigInt(creator.states.get(job.id).taskPrice);
    const atk = await handDriven(creator, fx.chain.test.accounts[5]!);
    const mine = () => creator.ledger.verdicts(job.id).filter((v) => v.operator === fx.chain.test.accounts[5]!.address);

    // Re-roll: a partial render is rejected; the same result with a low bit flipped, sent again on the same lease, is refused unread.
    const a = await waitFor(() => atk.lease(job.id), 20_000, 'a lease');
    const cheat = partial(await atk.render(a), a.task.rect.width);
    expect(await atk.deliver(a, cheat)).toMatchObject({ verdict: 'rejected' });
    const flipped = cheat.slice();
    const bits = new Uint32Array(flipped.buffer);
    for (let k = 0; k < 3; k++) {
      bits[k * 4] = bits[k * 4]! ^ 1;
      const again = await atk.deliver(a, flipped);
      expect(again).toMatchObject({ verdict: 'rejected', reason: expect.stringMatching(/not a current lease/) });
      expect(again.voucher).toBeUndefined();
    }
    expect(mine()).toHaveLength(1);

    // One honest task: paid exactly its price. The rejected task is never given back to the attacker.
    const b = await waitFor(() => atk.lease(job.id), 20_000, 'a second lease');
    expect(b.task.index).not.toBe(a.task.index);
    const honestB = await atk.render(b);
    const vb = await atk.deliver(b, honestB);
    expect(vb.verdict).toBe('accepted');
    expect(vb.voucher?.cumulativeAmount).toBe(price.toString());

    // Reused result: B's accepted pixels delivered for another task are rejected; two rejections bar it from the job.
    const c = await waitFor(() => atk.lease(job.id), 20_000, 'a third lease');
    expect([a.task.index, b.task.index]).not.toContain(c.task.index);
    expect(await atk.deliver(c, honestB)).toMatchObject({ verdict: 'rejected' });
    expect(mine().map((v) => v.verdict).sort()).toEqual(['accepted', 'rejected', 'rejected']);
    expect(await atk.lease(job.id)).toBeUndefined();
    expect(creator.reputation.get(fx.chain.test.accounts[5]!.address)).toMatchObject({ verified: 1, rejected: 2 });

    // Stale lease: another attacker lets its lease expire, then delivers honest pixels: nothing.
    const late = await handDriven(creator, fx.chain.test.accounts[6]!);
    const d = await waitFor(() => late.lease(job.id), 20_000, 'a lease to let expire');
    const honestD = await late.render(d);
    await waitFor(() => creator.node.svc.dispatcher.held(late.node.svc.stack.node.peerId) === 0, 40_000, 'the lease to expire');
    const vd = await late.deliver(d, honestD);
    expect(vd).toMatchObject({ verdict: 'rejected', reason: expect.stringMatching(/not a current lease/) });
    expect(vd.voucher).toBeUndefined();

    // An honest operator finishes the job; the creator pays exactly four tasks.
    const honest = await startPayOperator(fx.chain, creator.node.svc.stack.node.listenAddrs()[0]!, fx.chain.test.accounts[3]!);
    fx.track(honest.node);
    const done = await waitFor(() => {
      const j = creator.states.get(job.id);
      return j.state === 'complete' ? j : undefined;
    }, 60_000, 'the job to complete');
    const accepted = creator.ledger.verdicts(job.id).filter((v) => v.verdict === 'accepted');
    expect(accepted).toHaveLength(4);
    expect(creator.jobs.summary(done.id)).toMatchObject({ accepted: 4, paid: (4n * price).toString() });
    expect(creator.ledger.latest(job.id, fx.chain.test.accounts[5]!.address)?.cumulativeAmount).toBe(price.toString());
    expect(creator.ledger.latest(job.id, fx.chain.test.accounts[6]!.address)).toBeUndefined();
    await waitFor(() => honest.payments.wallet.best(done.chainJobId)?.cumulativeAmount === (3n * price).toString(), 10_000, 'the honest voucher for three tasks');
  }, 180_000);

  it('partial render and copied frame through the real worker: rejected, unpaid, barred from the task; the honest operator is paid for every task', async () => {
    const creator = await startPayCreator(fx.chain, fx.chain.test.accounts[2]!, { maxTaskFailures: 20 });
    fx.track(creator.node);
    const addr = creator.node.svc.stack.node.listenAddrs()[0]!;
    const kinds: CheatKind[] = ['partial-blocks', 'copied-task'];
    const cheaters: PayOperator[] = [];
    for (const [i, kind] of kinds.entries()) {
      const o = await startPayOperator(fx.chain, addr, fx.chain.test.accounts[7 + i]!, { cheat: kind });
      cheaters.push(o);
      fx.track(o.node);
    }
    const hash = creator.node.store.blobs.put(fx.scene);
    const job = await paidJob(creator, spec(hash, { frames: { start: 0, end: 1 }, tiles: { x: 2, y: 2 } }), 0.02);
    const before = await Promise.all(cheaters.map((c) => fx.chain.conn.token.balanceOf(c.wallet.address)));
    await waitFor(() => cheaters.every((c) => creator.ledger.verdicts(job.id).some((v) => v.operator === c.wallet.address)), 60_000, 'every cheater to deliver');
    const honest = await startPayOperator(fx.chain, addr, fx.chain.test.accounts[4]!);
    fx.track(honest.node);
    const done = await waitFor(() => {
      const j = creator.states.get(job.id);
      return j.state === 'complete' ? j : undefined;
    }, 90_000, 'the job to complete');
    const verdicts = creator.ledger.verdicts(job.id);
    for (const c of cheaters) {
      const theirs = verdicts.filter((v) => v.operator === c.wallet.address);
      expect(theirs.length, c.cheat).toBeGreaterThan(0);
      expect(theirs.every((v) => v.verdict === 'rejected'), c.cheat).toBe(true);
      // One shot per task: never two verdicts for the same task from the same operator.
      expect(new Set(theirs.map((v) => v.taskIndex)).size, c.cheat).toBe(theirs.length);
      expect(c.payments.wallet.best(done.chainJobId), c.cheat).toBeUndefined();
    }
    const price = BigInt(done.taskPrice);
    expect(verdicts.filter((v) => v.verdict === 'accepted').every((v) => v.operator === honest.wallet.address)).toBe(true);
    expect(creator.jobs.summary(job.id)).toMatchObject({ accepted: 8, paid: (8n * price).toString() });
    await waitFor(() => honest.payments.wallet.best(done.chainJobId)?.cumulativeAmount === (8n * price).toString(), 10_000, 'the honest voucher for every task');
    expect(await Promise.all(cheaters.map((c) => fx.chain.conn.token.balanceOf(c.wallet.address)))).toEqual(before);
  });
});
