/**
 * Under the sampled audit plan with held pay (what bench:scale runs), an operator whose
 * result fails its re-render is barred from the job: its next work request must get a clear
 * refusal in words, not a dropped stream, and an honest operator still finishes and is paid.
 */
import { describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../shared/job-spec';
import { engineTaskRenderer } from '../../main/core/operator/work/engine-renderer';
import { ENGINE_ID } from '../../main/core/net/work';
import { startNode } from '../integration/net-helpers';
import type { Node } from '../integration/net-helpers';
import { startPayCreator, usePayFixture } from '../integration/payment-helpers';
import { waitFor } from '../integration/net-helpers';

const fx = usePayFixture();

describe('a barred operator under the sampled audit plan', () => {
  it('gets a refusal it can read for its next work request after its result is rejected', async () => {
    const creator = await startPayCreator(fx.chain, fx.chain.test.accounts[1]!, { audit: {} });
    fx.track(creator.node);
    const hash = creator.node.store.blobs.put(fx.scene);
    await fx.faucet(creator.wallet.address, 10n ** 21n);
    const spec = JobSpecSchema.parse({ sceneId: hash, width: 32, height: 32, spp: 8, maxDepth: 4, output: 'exr-float', frames: { start: 0, end: 1 }, tiles: { x: 2, y: 1 } });
    const job = creator.jobs.create({ spec, sceneBytes: fx.scene.byteLength, benchHours: 0.02, outDir: creator.node.dir });
    await creator.jobs.fund(job.id, undefined, 3n * BigInt(job.tasks) * BigInt(job.taskPrice));
    creator.jobs.start(job.id);

    const wallet = fx.chain.test.accounts[5]!;
    const node: Node = await startNode({ bootstrap: [creator.node.svc.stack.node.listenAddrs()[0]!], operator: false, signer: wallet.connect(fx.chain.conn.provider) });
    fx.track(node);
    node.store.blobs.put(fx.scene);
    const engine = engineTaskRenderer(node.store.blobs);
    fx.track({ stop: () => engine.dispose() });
    const peer = creator.node.svc.stack.node.peerId;
    const ask = () => node.svc.stack.work.request(peer, job.id, { engines: [ENGINE_ID], maxSceneBytes: 1 << 30 });

    const first = await waitFor(async () => {
      const r = await ask();
      return r.status === 'ok' ? r.lease : undefined;
    }, 20_000, 'a lease');
    // Half the tile left grey in 8 × 8 blocks: certain to fail its re-render (a newcomer's
    // result is re-rendered before the answer).
    const px = (await engine.render({ spec: first.spec, task: first.task, sceneHash: first.scene.hash, signal: new AbortController().signal, onProgress: () => undefined })).slice();
    for (let i = 0; i < px.length / 4; i++) {
      const x = i % first.task.rect.width;
      const y = Math.floor(i / first.task.rect.width);
      if ((Math.floor(x / 8) + Math.floor(y / 8)) % 2 === 0) for (let c = 0; c < 3; c++) px[i * 4 + c] = 0.5;
    }
    const verdict = await node.svc.stack.result.deliver(peer, { leaseId: first.leaseId, jobId: first.jobId, taskIndex: first.task.index, width: first.task.rect.width, height: first.task.rect.height, renderMs: 5 }, new Uint8Array(px.buffer));
    expect(verdict).toMatchObject({ verdict: 'rejected', reason: expect.stringMatching(/differ/) });
    // One bad result is one rejection in its reputation, not two.
    expect(creator.reputation.get(wallet.address)).toMatchObject({ rejected: 1 });

    // Its next requests, spaced as it is told (retryAfterMs), are answered with the reason in
    // words: barred from this job. Not a dropped stream, and no task.
    for (let i = 0; i < 3; i++) {
      const next = await ask();
      expect(next).toMatchObject({ status: 'none', reason: expect.stringMatching(/re-render of one of your results on this job failed/) });
    }
    expect(creator.node.svc.dispatcher.held(node.svc.stack.node.peerId)).toBe(0);
  });
});
