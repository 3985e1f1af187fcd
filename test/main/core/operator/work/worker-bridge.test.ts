import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../../../../shared/job-spec';
import { parseTokens } from '../../../../../shared/pricing';
import { nativeEngineLoader } from '../../../../../main/core/operator/hardware';
import { ManualIdleSource } from '../../../../../main/core/operator/policy/idle-source';
import { OperatorService } from '../../../../../main/core/operator/operator-service';
import { operatorNetHooks, taskPrice } from '../../../../../main/core/operator/work/worker-bridge';
import { NetService } from '../../../../../main/core/node/net-service';
import { openStore } from '../../../../../main/core/store';
import { sampleScene, waitFor } from '../../../../integration/net-helpers';
import type { Node } from '../../../../integration/net-helpers';

let scene: Uint8Array;
let node: Node | undefined;
let creator: Node | undefined;
let op: OperatorService | undefined;
beforeAll(async () => {
  scene = await sampleScene('animated.glb');
});
afterEach(async () => {
  op?.stop(); // its clock reads the store: stop it before the store closes
  await node?.stop();
  await creator?.stop();
  node = undefined;
  creator = undefined;
  op = undefined;
});

/**
 * A creator node (which does not render) and an operator node whose worker follows an
 * operator service driven by a scripted idle source, on loopback.
 */
async function start(idle: ManualIdleSource) {
  const cdir = mkdtempSync(join(tmpdir(), 'rf-creator-'));
  const cstore = openStore(cdir);
  const creatorSvc = await NetService.start({ store: cstore, operator: false, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, log: (l) => process.env.RF_DEBUG && console.log('C', l), dispatcher: { pricePerBenchHour: () => '2', leaseMs: 6000 } });
  creator = { svc: creatorSvc, store: cstore, dir: cdir, lines: [], stop: async () => { await creatorSvc.stop(); cstore.close(); } };
  const dir = mkdtempSync(join(tmpdir(), 'rf-opnode-'));
  // The operator service and the node share one data folder, as in the app.
  const store = openStore(dir);
  op = new OperatorService({ store, idle, engine: nativeEngineLoader(), pollMs: 20 });
  op.setPolicy({ idleOnly: true, idleMinutes: 1 });
  op.start();
  const hooks = operatorNetHooks(op);
  const svc = await NetService.start({ store, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [creatorSvc.stack.node.listenAddrs()[0]!], mdns: false, log: (l) => process.env.RF_DEBUG && console.log(l), ...hooks });
  op.attachWorker({ handBack: (r) => svc.worker.handBack(r), progress: () => svc.worker.progress() });
  node = { svc, store, dir, lines: [], stop: async () => { await svc.stop(); store.close(); } };
  // Both sides have proved who they are before any work is asked for.
  const cid = creatorSvc.stack.node.peerId;
  const oid = svc.stack.node.peerId;
  await waitFor(() => svc.stack.node.peers.get(cid)?.address && creatorSvc.stack.node.peers.get(oid)?.address, 20_000, 'the two nodes bound');
  return { creatorSvc, svc, store, cstore, op };
}

/** Polls the dispatcher until the job is no longer active (its progress then). */
function finished(svc: NetService, jobId: string, ms = 60_000) {
  return waitFor(() => (svc.dispatcher.job(jobId)?.row.state !== 'active' ? svc.dispatcher.job(jobId)!.progress : null), ms, `job ${jobId} finished`);
}

describe('operator service + network worker', () => {
  it('prices a task from its bench-hours and the lease rate', () => {
    // One hour at score 100 is one bench-hour: 2 tokens at 2 per BH.
    expect(taskPrice(3600_000, 100, '2')).toBe(parseTokens('2'));
    expect(taskPrice(1800_000, 200, '2')).toBe(parseTokens('2'));
    expect(taskPrice(1000, null, 'junk')).toBe(0n);
  });

  it('records each rendered task with its price and verdict', async () => {
    const idle = new ManualIdleSource({ idleSeconds: 600, onBattery: false });
    const { creatorSvc, cstore, op } = await start(idle);
    const hash = cstore.blobs.put(scene);
    const spec = JobSpecSchema.parse({ sceneId: hash, width: 32, height: 32, spp: 2, output: 'exr-float', frames: { start: 0, end: 1 } });
    const job = creatorSvc.submit({ spec, outDir: mkdtempSync(join(tmpdir(), 'rf-out-')) });
    expect(await finished(creatorSvc, job.id)).toMatchObject({ state: 'done', done: 2, failed: 0 });
    const rows = await waitFor(() => {
      const r = op.history.list({ jobId: job.id });
      return r.length === 2 && r.every((e) => e.verdict === 'verified') ? r : null;
    }, 10_000, 'two verified tasks');
    expect(rows.map((r) => r.frame).sort()).toEqual([0, 1]);
    for (const r of rows) {
      expect(r.durationMs).toBeGreaterThan(0);
      expect(BigInt(r.price)).toBeGreaterThan(0n);
    }
    expect(BigInt(op.history.earnings({ days: 1, utcOffsetMinutes: -new Date().getTimezoneOffset() }).today)).toBe(rows.reduce((a, r) => a + BigInt(r.price), 0n));
  });

  it('hands the running task back when the person returns, and the job still completes with no failure', async () => {
    const idle = new ManualIdleSource({ idleSeconds: 600, onBattery: false });
    const { creatorSvc, cstore, op } = await start(idle);
    const hash = cstore.blobs.put(scene);
    // Big enough to still be rendering when the mouse moves.
    const spec = JobSpecSchema.parse({ sceneId: hash, width: 128, height: 128, spp: 256, output: 'exr-float', frames: { start: 0, end: 0 } });
    const job = creatorSvc.submit({ spec, outDir: mkdtempSync(join(tmpdir(), 'rf-out-')) });
    await waitFor(() => op.currentTask(), 60_000, 'a task rendering');
    const first = op.currentTask()!;
    idle.setIdle(0); // the person is back
    const gone = await waitFor(() => op.history.get(first.taskId)?.verdict === 'handed-back', 2000, 'task handed back');
    expect(gone).toBe(true);
    expect(op.history.get(first.taskId)!.reason).toMatch(/You are using this machine/);
    expect(op.currentTask()).toBeNull();
    expect(op.status().state).toBe('idle');
    // The creator takes it back without a strike (at once, or when the short lease lapses if the
    // release message was lost), and nothing renders while the person is here.
    await waitFor(() => creatorSvc.dispatcher.job(job.id)!.progress.leased === 0, 15_000, 'the lease back with the creator');
    expect(creatorSvc.dispatcher.job(job.id)!.progress).toMatchObject({ failed: 0, leased: 0, done: 0 });
    expect(op.shouldWork()).toBe(false);
    // When the person leaves again it renders to the end.
    idle.setIdle(600);
    op.setPolicy({}); // re-check now rather than on the next tick
    const done = await finished(creatorSvc, job.id, 60_000);
    expect(done).toMatchObject({ state: 'done', done: 1, failed: 0 });
    // The verdict reaches the operator just after the creator marks the job done.
    const rows = await waitFor(() => {
      const r = op.history.list({ jobId: job.id });
      return r.some((e) => e.verdict === 'verified') ? r : null;
    }, 10_000, 'the verdict');
    expect(rows.map((r) => r.verdict).sort()).toEqual(['handed-back', 'verified']);
    expect(op.history.list({ verdict: 'failed' })).toHaveLength(0);
  }, 120_000);
});
