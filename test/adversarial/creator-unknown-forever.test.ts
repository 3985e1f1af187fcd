/**
 * A creator that answers every result `unknown` ("deliver again later") forever, against an
 * honest operator: real nodes on 127.0.0.1, the real engine, the real escrow on anvil. The
 * operator renders no more than the tasks it already held, keeps every result, and when the
 * creator answers at last it is paid for each of them: it loses nothing.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../shared/job-spec';
import type { Verdict } from '../../main/core/net/result/messages';
import type { VerifyInput } from '../../main/core/creator/dispatch/dispatcher';
import { waitFor } from '../integration/net-helpers';
import { startPayCreator, startPayOperator, usePayFixture } from '../integration/payment-helpers';

const fx = usePayFixture();

/** Files under the operator's own result store. */
function keptResults(dir: string): string[] {
  const root = join(dir, 'operator', 'results');
  return readdirSync(root)
    .filter((d) => d !== 'tmp')
    .flatMap((d) => readdirSync(join(root, d)));
}

describe('a creator answering unknown forever', () => {
  it('costs an honest operator no more than the tasks it held, whose results are kept and paid in full once it answers', async () => {
    const creator = await startPayCreator(fx.chain, fx.chain.test.accounts[1]!);
    fx.track(creator.node);
    await fx.faucet(creator.wallet.address, 10n ** 21n);
    const honestVerify = creator.payments.verify.bind(creator.payments);
    let asked = 0;
    const stalling = { on: true };
    creator.payments.verify = async (i: VerifyInput): Promise<Verdict> => {
      asked++;
      return stalling.on ? { verdict: 'unknown', reason: 'deliver again later' } : honestVerify(i);
    };
    const hash = creator.node.store.blobs.put(fx.scene);
    const spec = JobSpecSchema.parse({ sceneId: hash, width: 32, height: 32, spp: 8, maxDepth: 4, output: 'exr-float', frames: { start: 0, end: 5 } });
    const job = creator.jobs.create({ spec, sceneBytes: fx.scene.byteLength, benchHours: 0.03, outDir: creator.node.dir });
    await creator.jobs.fund(job.id);
    creator.jobs.start(job.id);
    const op = await startPayOperator(fx.chain, creator.node.svc.stack.node.listenAddrs()[0]!, fx.chain.test.accounts[2]!, { net: { workerWaitRetryMs: 100 } });
    fx.track(op.node);
    const worker = op.node.svc.worker;

    // Many answers of "later": the operator keeps the results of the leases it holds (at most
    // two, fewer when its unpaid-work limit says so) and asks for nothing more.
    await waitFor(() => asked >= 8 && worker.waitingCount() > 0 && worker.waitingCount() === worker.heldCount(), 45_000, 'results delivered again and again');
    const held = worker.heldCount();
    expect(held).toBeLessThanOrEqual(2);
    expect(creator.node.svc.dispatcher.held(op.node.svc.stack.node.peerId)).toBe(held);
    expect(creator.node.svc.dispatcher.job(job.id)!.progress).toMatchObject({ done: 0, failed: 0 });
    expect(keptResults(op.node.dir)).toHaveLength(held);
    expect(op.payments.wallet.best(creator.states.get(job.id).chainJobId)).toBeUndefined();

    // The creator answers at last: the kept results are accepted and paid, then the job finishes.
    stalling.on = false;
    const done = await waitFor(() => {
      const j = creator.states.get(job.id);
      return j.state === 'complete' ? j : undefined;
    }, 90_000, 'the job to complete');
    const price = BigInt(done.taskPrice);
    await waitFor(() => op.payments.wallet.best(done.chainJobId)?.cumulativeAmount === (6n * price).toString(), 20_000, 'a voucher for all six tasks');
    expect(creator.jobs.summary(job.id)).toMatchObject({ accepted: 6, paid: (6n * price).toString() });
    await waitFor(() => keptResults(op.node.dir).length === 0, 10_000, 'results forgotten once paid');
  });
});
