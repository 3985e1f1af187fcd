/**
 * Locking never costs pay: an operator composed as the app composes it (a real WalletService,
 * PublicModeSlot and runAppPublicMode over a NetService on 127.0.0.1, the real engine, the
 * escrow on anvil) locks its wallet while it renders a paid job. It keeps its identity, takes
 * no new paid task, stores the vouchers that arrive while locked without redeeming, and after
 * the unlock finishes the job and redeems every task it rendered.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEther } from 'ethers';
import { describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../shared/job-spec';
import { feeOf } from '../../shared/pricing';
import { PublicModeSlot, runAppPublicMode } from '../../main/core/node/public-mode';
import { PAID_PAUSE_LOCKED } from '../../main/core/node/app-network';
import { NetService } from '../../main/core/node/net-service';
import type { WorkerEvent } from '../../main/core/operator/work/worker';
import { openStore } from '../../main/core/store';
import { WalletService } from '../../main/core/wallet/wallet-service';
import { waitFor } from './net-helpers';
import { startPayCreator, usePayFixture } from './payment-helpers';

const fx = usePayFixture();

describe('a wallet that locks while the node earns', () => {
  it('keeps the identity, pauses new paid tasks, keeps the vouchers that arrive while locked and redeems them after unlock', async () => {
    const creator = await startPayCreator(fx.chain, fx.chain.test.accounts[1]!);
    fx.track(creator.node);
    await fx.faucet(creator.wallet.address, 10n ** 21n);

    // The operator, composed as the app does.
    const store = openStore(mkdtempSync(join(tmpdir(), 'rf-lock-')));
    fx.track({ stop: async () => store.close() });
    const wallet = new WalletService({ dataDir: store.dataDir, chain: fx.chain.conn, db: store.db, scryptN: 1024 });
    fx.track({ stop: async () => wallet.dispose() });
    const password = 'correct horse battery staple';
    const { address } = await wallet.create(password);
    await (await fx.chain.test.accounts[0]!.sendTransaction({ to: address, value: parseEther('1') })).wait();
    const slot = new PublicModeSlot({ store, baseRatePerBH: () => 2n * 10n ** 18n });
    const events: WorkerEvent[] = [];
    let leasesAtLock = -1;
    const svc = await NetService.start({
      store,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: [creator.node.svc.stack.node.listenAddrs()[0]!],
      mdns: false,
      signer: wallet.signer(),
      ...slot.netConfig(),
      paidPause: () => (wallet.status().unlocked ? undefined : PAID_PAUSE_LOCKED),
      workerWaitRetryMs: 200,
      log: () => undefined,
      onWorkerEvent: (e) => {
        events.push(e);
        // The auto-lock strikes while the first paid task renders.
        if (e.type === 'started' && leasesAtLock < 0) {
          leasesAtLock = events.filter((x) => x.type === 'leased').length;
          wallet.lock();
        }
      },
    });
    fx.track(svc);
    const stopPublic = runAppPublicMode({ slot, store, chain: fx.chain.conn, net: svc, wallet, baseRatePerBH: () => 2n * 10n ** 18n, log: () => undefined });
    fx.track({ stop: stopPublic });
    await waitFor(() => slot.current, 10_000, 'public mode on');

    const hash = creator.node.store.blobs.put(fx.scene);
    const spec = JobSpecSchema.parse({ sceneId: hash, width: 32, height: 32, spp: 8, maxDepth: 4, output: 'exr-float', frames: { start: 0, end: 5 } });
    const job = creator.jobs.create({ spec, sceneBytes: fx.scene.byteLength, benchHours: 0.03, outDir: creator.node.dir });
    await creator.jobs.fund(job.id);
    creator.jobs.start(job.id);
    const chainJobId = creator.states.get(job.id).chainJobId;
    const price = BigInt(creator.states.get(job.id).taskPrice);

    // Locked: the tasks already leased finish and their vouchers are stored; nothing new is taken.
    await waitFor(() => leasesAtLock > 0 && svc.worker.heldCount() === 0 && !slot.current && slot.lockedIntake, 60_000, 'the held tasks settled while locked');
    const rendered = creator.ledger.verdicts(job.id).filter((v) => v.verdict === 'accepted').length;
    expect(rendered).toBe(leasesAtLock);
    await waitFor(() => slot.lockedIntake?.wallet.best(chainJobId)?.cumulativeAmount === (BigInt(rendered) * price).toString(), 20_000, 'the vouchers kept while locked');
    expect(events.filter((e) => e.type === 'leased')).toHaveLength(leasesAtLock);
    expect(svc.stack.node.signer.address).toBe(address);
    expect(creator.node.svc.stack.node.peers.get(svc.stack.node.peerId)?.address).toBe(address.toLowerCase());
    expect(slot.lockedIntake!.redeemer.list()).toEqual([]);
    expect(await fx.chain.conn.escrow.redeemed(chainJobId, address)).toBe(0n);

    // Unlocked: the job goes on to the end and everything is redeemed to the same address.
    await wallet.unlock(password);
    const done = await waitFor(() => {
      const j = creator.states.get(job.id);
      return j.state === 'complete' ? j : undefined;
    }, 90_000, 'the job to complete after unlock');
    const total = 6n * price;
    await waitFor(() => slot.current?.operator.wallet.best(chainJobId)?.cumulativeAmount === total.toString(), 20_000, 'a voucher for all six tasks');
    await slot.current!.operator.redeemer.redeemNow(done.chainJobId);
    expect(await fx.chain.conn.escrow.redeemed(chainJobId, address)).toBe(total);
    // A new wallet: its whole token balance is this job's pay, less the network fee.
    expect(await fx.chain.conn.token.balanceOf(address)).toBe(total - feeOf(total, 50));
  });
});
