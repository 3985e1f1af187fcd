import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cyclesBenchmark, findBlender, keptCyclesBenchmark, runCyclesBenchmark } from '../../../../main/core/blender';
import type { BlenderInstall, CyclesBenchmark } from '../../../../main/core/blender';
import { CYCLES_BENCH_KEY } from '../../../../main/core/blender/cycles-bench';
import { cyclesBenchNote } from '../../../../main/core/node/node-blender';
import { operatorNetHooks } from '../../../../main/core/operator/work/worker-bridge';
import type { WorkerEvent } from '../../../../main/core/operator/work/worker';
import { OperatorService } from '../../../../main/core/operator/operator-service';
import { nativeEngineLoader } from '../../../../main/core/operator/hardware';
import { ManualIdleSource } from '../../../../main/core/operator/policy/idle-source';
import { SettingsKeys } from '../../../../main/core/settings-keys';
import { tempDataDir } from '../../../helpers/headless';
import { openStore } from '../../../../main/core/store';
import type { Store } from '../../../../main/core/store';
import { blenderPath, sayIfNoBlender } from '../../../helpers/blender';

const cpuOnly: BlenderInstall = { path: '/usr/bin/blender', version: '3.4.1', majorMinor: '3.4', devices: [{ type: 'CPU', name: 'CPU' }], denoiser: false, sandbox: 'bwrap' };

describe('what the hardware card says of the Cycles benchmark', () => {
  const b: CyclesBenchmark = { score: 35.2, samplesPerSecond: 352_000, renderSeconds: 1.7, device: 'CPU', blenderVersion: '3.4.1', threads: 2, at: 0 };
  it('names the score and its device, and that GPU backends Blender lists are not measured', () => {
    expect(cyclesBenchNote(cpuOnly, b)).toBe("Cycles score 35.2 on the CPU (2 threads, Blender 3.4.1); it prices this node's Blender work. Blender lists no GPU backend here (CUDA, OptiX, HIP…): only the CPU is measured.");
    const withGpu = { ...cpuOnly, devices: [...cpuOnly.devices, { type: 'OPTIX', name: 'RTX 4090' }, { type: 'CUDA', name: 'RTX 4090' }] };
    expect(cyclesBenchNote(withGpu, b)).toContain('Only the CPU is benchmarked: OPTIX RTX 4090, CUDA RTX 4090 are listed but not measured.');
    expect(cyclesBenchNote(cpuOnly, null, 'Blender was stopped')).toMatch(/^The Cycles benchmark failed: Blender was stopped\. Blender work is priced at the reference score/);
  });
});

sayIfNoBlender('Cycles benchmark tests');

describe.skipIf(!blenderPath)('the Cycles benchmark of this machine\'s Blender', () => {
  let install: BlenderInstall;
  let store: Store;
  const dir = mkdtempSync(join(tmpdir(), 'rayfarm-cycles-bench-'));
  beforeAll(async () => {
    install = (await findBlender())!;
    store = openStore(join(dir, 'data'));
  });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders once per Blender version, keeps the score in SQLite, and measures a new version again', async () => {
    let runs = 0;
    const counted = async (i: BlenderInstall) => {
      runs++;
      return runCyclesBenchmark(i);
    };
    // Two asking at once share one run.
    const [a, b] = await Promise.all([cyclesBenchmark(store.settings, install, counted), cyclesBenchmark(store.settings, install, counted)]);
    expect(runs).toBe(1);
    expect(a).toEqual(b);
    expect(a.score).toBeGreaterThan(0);
    expect(a.score).toBeCloseTo(a.samplesPerSecond / 1e4, 6);
    expect(a).toMatchObject({ device: 'CPU', blenderVersion: install.version });
    // Kept: asked again (a restart reads the same SQLite), nothing renders.
    expect(await cyclesBenchmark(store.settings, install, counted)).toEqual(a);
    expect(runs).toBe(1);
    expect(keptCyclesBenchmark(store.settings, install)).toEqual(a);
    // Another Blender version is another engine: measured on its own.
    const other = { ...install, version: '9.9.9' };
    expect(keptCyclesBenchmark(store.settings, other)).toBeNull();
    await cyclesBenchmark(store.settings, other, async (i) => ({ ...(await counted(i)), blenderVersion: i.version }));
    expect(runs).toBe(2);
    expect(Object.keys(store.settings.get<Record<string, unknown>>(CYCLES_BENCH_KEY, {})).sort()).toEqual([`${install.version}|CPU`, '9.9.9|CPU'].sort());
  });

  it('a kept result someone altered into nonsense is measured again rather than trusted', async () => {
    store.settings.set(CYCLES_BENCH_KEY, { [`${install.version}|CPU`]: { score: -5 } });
    expect(keptCyclesBenchmark(store.settings, install)).toBeNull();
  });
});

describe('an operator prices its finished task by the engine that rendered it', () => {
  it('a Blender task by the Cycles score, a glTF task by the native score', () => {
    const store = openStore(tempDataDir());
    try {
      const op = new OperatorService({ store, idle: new ManualIdleSource({ idleSeconds: 0, onBattery: false }), engine: nativeEngineLoader() });
      store.settings.set(SettingsKeys.operatorBenchmark, { score: 200 });
      op.setBlender(cpuOnly);
      op.setCyclesBenchmark({ score: 50, samplesPerSecond: 500_000, renderSeconds: 1, device: 'CPU', blenderVersion: '3.4.1', threads: 2, at: 0 }, 'measured');
      const hooks = operatorNetHooks(op, { cores: 2 });
      const lease = (id: string, engine?: string) => ({ leaseId: id, jobId: 'job-1', task: { frame: 0, index: 0 }, spec: { width: 64, height: 48, spp: 8, tiles: { x: 1, y: 1 }, ...(engine ? { engine } : {}) }, price: { perBenchHour: '3600' } });
      for (const [id, engine] of [['blend', 'blender-cycles/3.4'], ['gltf', undefined]] as const) {
        hooks.onWorkerEvent({ type: 'started', lease: lease(id, engine), creator: 'c', at: 0 } as unknown as WorkerEvent);
        // One hour of rendering at 3600 tokens per bench-hour.
        hooks.onWorkerEvent({ type: 'rendered', lease: lease(id, engine), renderMs: 3_600_000 } as unknown as WorkerEvent);
      }
      expect(String(op.history.get('blend')!.price)).toBe(String(1800n * 10n ** 18n));
      expect(String(op.history.get('gltf')!.price)).toBe(String(7200n * 10n ** 18n));
    } finally {
      store.close();
    }
  });
});
