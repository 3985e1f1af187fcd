import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadScene, renderTileDetailed } from '../../../../main/core/engine';
import type { EngineScene } from '../../../../main/core/engine';
import { latestBenchmarkScore } from '../../../../main/core/operator/benchmark';
import { SettingsKeys } from '../../../../main/core/settings-keys';
import { nativeEngineLoader } from '../../../../main/core/operator/hardware';
import { ManualIdleSource } from '../../../../main/core/operator/policy/idle-source';
import { OperatorService } from '../../../../main/core/operator/operator-service';
import type { OperatorWorkerHandle } from '../../../../main/core/operator/operator-service';
import { watchWalletLock } from '../../../../main/core/operator/work/worker-bridge';
import { openStore } from '../../../../main/core/store';
import type { Store } from '../../../../main/core/store';
import type { BenchmarkProgress, OperatorNotice, OperatorStatus } from '../../../../shared/api';
import { cameraAt, cornellRoom } from '../engine/fixtures';
import { tempDataDir } from '../../../helpers/headless';

/** Polls `f` until it is truthy or the deadline passes. */
async function until<T>(f: () => T, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The smallest real worker: it renders a task with the native engine and, asked to hand
 * the task back, aborts the render and records it as handed back (the network worker
 * releases the lease the same way, which the creator re-queues without a strike).
 */
class EngineTaskWorker implements OperatorWorkerHandle {
  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;
  lastProgress = 0;
  handedBack: string[] = [];

  constructor(
    private readonly op: OperatorService,
    private readonly scene: EngineScene,
  ) {}

  start(taskId: string, spp: number): Promise<void> {
    if (!this.op.shouldWork()) throw new Error('the policy says no');
    this.abort = new AbortController();
    this.op.history.recordStarted({ taskId, jobId: 'job-1', jobName: 'Cornell room', frame: 0, price: 10n ** 17n });
    this.running = renderTileDetailed({
      scene: this.scene, camera: cameraAt([0, 1, 3.4]), width: 128, height: 128, spp, seed: 7, threads: this.op.threads(2),
      signal: this.abort.signal,
      onProgress: (f) => (this.lastProgress = f),
    }).then(
      () => this.op.history.recordFinished(taskId, { outcome: 'submitted' }),
      (err: { code?: string; message: string }) => {
        if (err.code !== 'ENGINE_CANCELLED') this.op.history.recordFinished(taskId, { outcome: 'failed', reason: err.message });
      },
    );
    return this.running;
  }

  progress(): number {
    return this.lastProgress;
  }

  async handBack(reason: string): Promise<void> {
    const id = this.op.currentTask()?.taskId;
    this.abort?.abort();
    await this.running;
    if (id) {
      this.op.history.recordFinished(id, { outcome: 'handed-back', reason });
      this.handedBack.push(id);
    }
  }
}

describe('OperatorService', () => {
  let store: Store;
  let idle: ManualIdleSource;
  let op: OperatorService;

  beforeEach(() => {
    store = openStore(tempDataDir());
    idle = new ManualIdleSource({ idleSeconds: 0, onBattery: false });
    op = new OperatorService({ store, idle, engine: nativeEngineLoader(), pollMs: 20 });
    op.start();
  });
  afterEach(() => {
    op.stop();
    store.close();
  });

  it('stores the policy, refuses a bad schedule, and pauses for an hour', () => {
    expect(op.policy()).toMatchObject({ enabled: true, idleOnly: true, idleMinutes: 5 });
    expect(op.setPolicy({ idleMinutes: 2, schedule: 'mon-fri 22:00-07:00' })).toMatchObject({ idleMinutes: 2, schedule: 'mon-fri 22:00-07:00' });
    expect(() => op.setPolicy({ schedule: 'someday 10:00' })).toThrow(/not valid/);
    const before = Date.now();
    const p = op.pause('1h');
    expect(p.pausedUntil! - before).toBeGreaterThanOrEqual(3600_000 - 1000);
    expect(op.status()).toMatchObject({ state: 'paused', decision: { reason: 'paused' } });
    expect(op.pause('resume').pausedUntil).toBeNull();
  });

  it('keeps to the GPU share by resting between tasks', () => {
    let now = 1_000_000;
    const timed = new OperatorService({ store, idle, engine: nativeEngineLoader(), now: () => now, overrides: { idleOnly: false, gpuShare: 25 } });
    expect(timed.shouldWork()).toBe(true);
    timed.history.recordStarted({ taskId: 'g1', jobId: 'j', frame: 0, price: 0n, startedAt: now });
    now += 10_000;
    timed.history.recordFinished('g1', { outcome: 'submitted', finishedAt: now, durationMs: 10_000 });
    // 25 %: ten seconds of work, then thirty of rest.
    expect(timed.shouldWork()).toBe(false);
    now += 29_999;
    expect(timed.shouldWork()).toBe(false);
    now += 1;
    expect(timed.shouldWork()).toBe(true);
    timed.stop();
  });

  it('flags and config files win over stored settings', () => {
    const forced = new OperatorService({ store, idle, engine: nativeEngineLoader(), overrides: { idleOnly: true, idleMinutes: 30, maxThreads: 1 } });
    forced.setPolicy({ idleMinutes: 3 });
    expect(forced.policy()).toMatchObject({ idleMinutes: 30, maxThreads: 1 });
    expect(forced.threads(16)).toBe(1);
    forced.stop();
  });

  it('hands a running task back within a second of the person returning: nothing lost, no failure recorded', async () => {
    const scene = await loadScene(cornellRoom().builder.build());
    const worker = new EngineTaskWorker(op, scene);
    op.attachWorker(worker);
    const statuses: OperatorStatus[] = [];
    op.onStatus((s) => statuses.push(s));
    op.setPolicy({ idleMinutes: 1 });
    idle.setIdle(120); // away for two minutes
    expect(op.shouldWork()).toBe(true);

    // A long render (many samples), stopped by the person coming back.
    const done = worker.start('task-1', 4096);
    await until(() => worker.lastProgress > 0);
    expect(op.status()).toMatchObject({ state: 'rendering', currentTask: { taskId: 'task-1', jobName: 'Cornell room' } });
    const back = Date.now();
    idle.setIdle(0); // the mouse moves
    await until(() => worker.handedBack.length === 1, 5000);
    await done;
    const took = Date.now() - back;
    expect(took).toBeLessThan(1000);
    expect(op.history.get('task-1')).toMatchObject({ verdict: 'handed-back', reason: expect.stringMatching(/You are using this machine/) });
    expect(op.history.list({ verdict: 'failed' })).toHaveLength(0);
    expect(op.currentTask()).toBeNull();
    expect(op.status().state).toBe('idle');
    expect(statuses.some((s) => s.state === 'rendering')).toBe(true);
    expect(() => worker.start('task-2', 4)).toThrow(/policy says no/);

    // Away again: a short task renders to the end and is submitted.
    idle.setIdle(600);
    await worker.start('task-3', 2);
    expect(op.history.get('task-3')).toMatchObject({ verdict: 'submitted' });
    scene.dispose();
  });

  it('watches the wallet: one notification per locked spell while work waits', async () => {
    const notices: OperatorNotice[] = [];
    op.onNotice((n) => notices.push(n));
    let locked = true;
    let waiting = 0;
    const stop = watchWalletLock(op, { walletLocked: () => locked, waitingJobs: () => waiting, intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 30));
    expect(notices).toHaveLength(0); // locked, but nothing waits
    waiting = 2;
    await until(() => notices.length === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(notices).toHaveLength(1); // once per spell
    locked = false;
    await new Promise((r) => setTimeout(r, 30));
    locked = true;
    await until(() => notices.length === 2);
    expect(notices[1]).toMatchObject({ kind: 'wallet-locked', body: expect.stringContaining('2 jobs are waiting') });
    stop();
  });

  it('notifies when a task is verified and when the wallet is locked while work waits', async () => {
    const notices: OperatorNotice[] = [];
    op.onNotice((n) => notices.push(n));
    op.history.recordStarted({ taskId: 't', jobId: 'j', jobName: 'Spheres', frame: 2, price: 10n ** 18n });
    op.history.recordFinished('t', { outcome: 'submitted' });
    op.history.recordVerdict('t', { verdict: 'verified' });
    op.reportWalletLocked(1);
    await until(() => notices.length === 2);
    expect(notices.map((n) => n.kind)).toEqual(['task-verified', 'wallet-locked']);
    expect(op.status().todayEarned).toBe((10n ** 18n).toString());
  });

  it('marks tasks paid by the redeemer\'s mined redemptions, with one notification per burst', async () => {
    const chainJob = `0x${'cd'.repeat(32)}`;
    for (const [id, cum] of [['r1', 1n], ['r2', 2n], ['r3', 3n]] as const) {
      op.history.recordStarted({ taskId: id, jobId: 'job-x', jobName: 'Spheres', frame: Number(cum), price: 10n ** 18n });
      op.history.recordFinished(id, { outcome: 'submitted' });
      const voucher = { jobId: chainJob, operator: `0x${'11'.repeat(20)}`, cumulativeAmount: (cum * 10n ** 18n).toString(), resultsRoot: `0x${'00'.repeat(32)}`, signature: `0x${'22'.repeat(65)}` };
      op.history.recordVerdict(id, { verdict: 'verified', voucher: JSON.stringify(voucher), voucherAmount: voucher.cumulativeAmount });
    }
    const notices: OperatorNotice[] = [];
    op.onNotice((n) => notices.push(n));
    const insert = store.db.prepare(
      'INSERT INTO pay_redemptions (chain_id, escrow, chain_job_id, operator, cumulative, trigger, state, tx_hash, created_at, updated_at) VALUES (31337, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const escrow = `0x${'ee'.repeat(20)}`;
    insert.run(escrow, chainJob, `0x${'11'.repeat(20)}`, (2n * 10n ** 18n).toString(), 'threshold', 'mined', '0xaaa1', 1, 2);
    insert.run(escrow, chainJob, `0x${'11'.repeat(20)}`, (3n * 10n ** 18n).toString(), 'job-ended', 'sent', '0xaaa2', 3, 4);
    expect(op.syncRedemptions()).toBe(2);
    expect(op.syncRedemptions()).toBe(0);
    expect(['r1', 'r2', 'r3'].map((id) => op.history.get(id)!.redemptionTx)).toEqual(['0xaaa1', '0xaaa1', null]);
    await until(() => notices.some((n) => n.kind === 'payment-redeemed'));
    expect(notices.filter((n) => n.kind === 'payment-redeemed')).toEqual([expect.objectContaining({ body: '2 verified tasks were paid into your wallet.' })]);
    store.db.prepare("UPDATE pay_redemptions SET state = 'mined' WHERE tx_hash = '0xaaa2'").run();
    expect(op.syncRedemptions()).toBe(1);
    expect(op.history.get('r3')!.redemptionTx).toBe('0xaaa2');
  });

  it('runs the benchmark on the real engine in steps with progress, stores it and exposes the score', async () => {
    // Two short steps keep the test fast; the app uses the standard 4 x 16 spp.
    const quick = new OperatorService({ store, idle, engine: nativeEngineLoader(), benchmark: { steps: 2, spp: 2 } });
    const progress: BenchmarkProgress[] = [];
    quick.onBenchmarkProgress((p) => progress.push(p));
    const [r, same] = await Promise.all([quick.benchmark.run(), quick.benchmark.run()]);
    expect(same).toEqual(r); // a second click joins the run in flight
    expect(r.score).toBeGreaterThan(0);
    expect(r.samplesPerSecond).toBeGreaterThan(0);
    expect(r.backend).toBe('cpu');
    expect(progress.map((p) => p.step)).toEqual([0, 1, 2, 2]);
    expect(progress.at(-1)).toMatchObject({ running: false, fraction: 1 });
    expect(quick.benchmark.history()).toEqual([r]);
    expect(latestBenchmarkScore(store.settings)).toBe(r.score);
    expect(store.settings.get(SettingsKeys.operatorBenchmark, null)).toMatchObject({ score: r.score, backend: 'cpu' });
    expect(quick.status().latestScore).toBe(r.score);
    // The creator's estimate uses the newest all-threads CPU score too.
    expect(store.settings.get<{ score: number } | null>('engine.benchmark', null)?.score).toBe(r.score);
    quick.stop();
  });

  it('status: lists the creators the payments stopped working for, with why', () => {
    expect(op.status().paymentStops).toEqual([]);
    const stops = [{ creator: '12D3KooWcreator', reason: 'it accepted task f0 of job-1 but sent no voucher', at: 1 }];
    const detach = op.attachWorker({ handBack: async () => undefined, paymentStops: () => stops });
    expect(op.status().paymentStops).toEqual(stops);
    detach();
    expect(op.status().paymentStops).toEqual([]);
  });

  it('reports the hardware, with a clear line when there is no usable GPU', async () => {
    const hw = await op.readHardware();
    expect(hw.cpu.cores).toBeGreaterThan(0);
    expect(hw.engineAvailable).toBe(true);
    expect(hw.engineDevices.some((d) => d.backend === 'cpu')).toBe(true);
    if (!hw.usableGpu) expect(hw.notes.join(' ')).toMatch(/No usable GPU: .*CPU backend/);
    else expect(hw.gpus.some((g) => g.usable)).toBe(true);
  });

  it('shows the Blender the node found (version, engine id, devices, sandbox) on the hardware card', async () => {
    expect((await op.readHardware()).blender).toBeUndefined();
    op.setBlender({ path: '/usr/bin/blender', version: '3.4.1', majorMinor: '3.4', devices: [{ type: 'CPU', name: 'CPU' }, { type: 'OPTIX', name: 'RTX 4090' }], denoiser: false, sandbox: 'bwrap' });
    expect((await op.readHardware()).blender).toEqual({ version: '3.4.1', path: '/usr/bin/blender', engine: 'blender-cycles/3.4', devices: [{ type: 'CPU', name: 'CPU' }, { type: 'OPTIX', name: 'RTX 4090' }], sandboxed: true });
    op.setBlender(null);
    expect((await op.readHardware()).blender).toBeNull();
  });
});
