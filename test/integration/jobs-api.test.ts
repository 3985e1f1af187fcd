/**
 * The jobs.* API on a real public-mode node (a network of one: its own worker renders and
 * is paid), anvil and the engine.
 */
import '../../main/core/polyfills';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobHandlers } from '../../main/core/api/job-handlers';
import { PublicMode, PublicModeSlot } from '../../main/core/node/public-mode';
import { startRayfarmNode } from '../../main/core/node/start-node';
import type { RayfarmNode } from '../../main/core/node/start-node';
import { openStore } from '../../main/core/store';
import type { Store } from '../../main/core/store';
import { JobSpecSchema } from '../../shared/job-spec';
import { sampleScene, waitFor } from './net-helpers';
import { startPayChain } from './payment-helpers';
import type { PayChain } from './payment-helpers';

let chain: PayChain;
let store: Store;
let pm: PublicMode;
let node: RayfarmNode;
const events: { event: string; payload: unknown }[] = [];
let handlers: ReturnType<typeof jobHandlers>;
const ctx = {} as never;

beforeAll(async () => {
  chain = await startPayChain(120);
  const key = chain.test.accounts[1]!;
  await chain.conn.token.connect(chain.test.accounts[0]!).faucet(key.address, 10n ** 21n);
  store = openStore(mkdtempSync(join(tmpdir(), 'rf-jobs-api-')));
  pm = new PublicMode({ store, chain: chain.conn, signer: key, address: key.address, baseRatePerBH: () => 2n * 10n ** 18n, redeemIntervalMs: 200 });
  const payments = new PublicModeSlot({ store, baseRatePerBH: () => 2n * 10n ** 18n });
  payments.current = pm;
  node = await startRayfarmNode({ store, net: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false }, signer: key, payments, log: () => undefined });
  handlers = jobHandlers({ publicMode: () => pm, problem: () => 'off', emit: (event, payload) => events.push({ event, payload }) });
});
afterAll(async () => {
  await node?.stop();
  store?.close();
  await chain?.stop();
});

describe('jobs API', () => {
  it('create → fund (a progress event per transaction) → start → complete, with verdicts, vouchers, transitions and reputation', async () => {
    const scene = await sampleScene('animated.glb');
    const sceneId = store.blobs.put(scene);
    const spec = JobSpecSchema.parse({ sceneId, width: 32, height: 32, spp: 4, maxDepth: 3, frames: { start: 0, end: 1 }, output: 'exr-float' });
    const draft = await handlers['jobs.create']({ spec, benchHours: 0.01 }, ctx);
    expect(draft).toMatchObject({ state: 'draft', tasks: 2, paid: '0' });
    const funded = await handlers['jobs.fund']({ jobId: draft.id }, ctx);
    expect(funded).toMatchObject({ state: 'funded', funded: draft.budget });
    expect(events.filter((e) => e.event === 'job.fundStep').map((e) => (e.payload as { step: string; status: string }).status)).toEqual(['sending', 'sent', 'mined', 'sending', 'sent', 'mined']);
    await handlers['jobs.start']({ jobId: draft.id }, ctx);
    await waitFor(async () => (await handlers['jobs.get']({ jobId: draft.id }, ctx)).job.state === 'complete', 60_000, 'the job to complete');
    const detail = await handlers['jobs.get']({ jobId: draft.id }, ctx);
    expect(detail.verdicts.map((v) => v.verdict)).toEqual(['accepted', 'accepted']);
    expect(detail.verdicts.every((v) => v.pixelsChecked >= 256 && v.patches.length > 0 && v.maxError === 0)).toBe(true);
    expect(detail.vouchers).toEqual([expect.objectContaining({ tasks: 2, cumulativeAmount: (BigInt(draft.taskPrice) * 2n).toString() })]);
    expect(detail.events.map((e) => e.to)).toEqual(['draft', 'funded', 'running', 'complete']);
    expect(detail.job.paid).toBe((BigInt(draft.taskPrice) * 2n).toString());
    const rep = await handlers['jobs.reputation'](undefined, ctx);
    expect(rep.formula).toMatch(/verified \+ 1/);
    expect(rep.operators[0]).toMatchObject({ verified: 2, rejected: 0 });
    expect((await handlers['jobs.list'](undefined, ctx)).map((j) => j.id)).toContain(draft.id);
    // The node's own redeemer is paid once the close is requested.
    await waitFor(async () => (await chain.conn.escrow.redeemed(detail.job.chainJobId, chain.test.accounts[1]!.address)) === BigInt(detail.job.paid), 30_000, 'the redemption');
  });

  it('refuses what the state machine does not allow, with a stable code', async () => {
    const list = await handlers['jobs.list'](undefined, ctx);
    await expect(Promise.resolve().then(() => handlers['jobs.start']({ jobId: list[0]!.id }, ctx))).rejects.toMatchObject({ code: 'JOB_BAD_TRANSITION' });
    await expect(Promise.resolve().then(() => handlers['jobs.get']({ jobId: 'nope' }, ctx))).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
  });
  it('refuses to delete a draft whose payment was sent but not yet mined (JOB_FUNDING_SENT), and the job is funded once it is', async () => {
    const key = chain.test.accounts[1]!;
    const sceneId = store.blobs.put(await sampleScene('animated.glb'));
    const spec = JobSpecSchema.parse({ sceneId, width: 32, height: 32, spp: 4, maxDepth: 3, frames: { start: 0, end: 0 } });
    const draft = await handlers['jobs.create']({ spec, benchHours: 0.01 }, ctx);
    // Allowed beforehand, so the one transaction left to send is the escrow's openJob.
    await chain.conn.token.connect(key).approve(chain.conn.escrow.address, BigInt(draft.budget));
    const before = await chain.conn.token.balanceOf(key.address);
    const escrowBefore = await chain.conn.token.balanceOf(chain.conn.escrow.address);
    const provider = chain.test.provider;
    await provider.send('evm_setAutomine', [false]);
    let funding: unknown;
    try {
      const sent = events.length;
      funding = handlers['jobs.fund']({ jobId: draft.id }, ctx);
      await waitFor(
        () => events.slice(sent).some((e) => e.event === 'job.fundStep' && (e.payload as { jobId: string; step: string; status: string }).jobId === draft.id && (e.payload as { status: string }).status === 'sent'),
        30_000,
        'the openJob transaction to be sent',
      );
      // The payment is on its way: deleting the draft as unpaid would forget tokens about to be locked.
      await expect(handlers['jobs.cancel']({ jobId: draft.id }, ctx)).rejects.toMatchObject({ code: 'JOB_FUNDING_SENT', message: expect.stringMatching(/already sent to the chain/) });
      expect((await handlers['jobs.get']({ jobId: draft.id }, ctx)).job.state).toBe('draft');
      expect((await handlers['jobs.list'](undefined, ctx)).map((j) => j.id)).toContain(draft.id);
    } finally {
      await provider.send('evm_setAutomine', [true]);
      await provider.send('evm_mine', []);
    }
    const funded = (await funding) as { state: string; funded: string };
    expect(funded).toMatchObject({ state: 'funded', funded: draft.budget });
    // Nothing lost: what left the wallet is held by the escrow for this job.
    expect(before - (await chain.conn.token.balanceOf(key.address))).toBe(BigInt(draft.budget));
    expect((await chain.conn.token.balanceOf(chain.conn.escrow.address)) - escrowBefore).toBe(BigInt(draft.budget));
    const onChain = await chain.conn.escrow.getJob((await handlers['jobs.get']({ jobId: draft.id }, ctx)).job.chainJobId);
    expect(onChain.balance).toBe(BigInt(draft.budget));
  });
});
