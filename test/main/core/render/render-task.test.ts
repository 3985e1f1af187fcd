import { describe, expect, it } from 'vitest';
import { JobSpecSchema, splitJob } from '../../../../shared/job-spec';
import { stitch } from '../../../../main/core/output/assembler';
import { estimateJob, jobSecondsFromProbes, probeFrames, probeRects } from '../../../../main/core/creator/pay/estimator';
import { defaultThreads } from '../../../../main/core/engine';
import type { Probe } from '../../../../main/core/creator/pay/estimator';
import { nativeEngine, renderTask, SceneRenderer } from '../../../../main/core/render/render-task';
import { engineBuilt, sayIfNoEngine } from '../../../helpers/engine';
import { parseTokens } from '../../../../shared/pricing';
import { animatedScene, cornellBox } from '../../../../scripts/scenes/samples';

sayIfNoEngine('render and probe tests are');

const sceneId = 'b'.repeat(64);

describe('estimate arithmetic', () => {
  it('probes the first, middle and last frames', () => {
    expect(probeFrames({ frames: { start: 0, end: 0, step: 1 } })).toEqual([0]);
    expect(probeFrames({ frames: { start: 1, end: 24, step: 1 } })).toEqual([1, 12, 24]);
    expect(probeFrames({ frames: { start: 0, end: 10, step: 5 } })).toEqual([0, 5, 10]);
  });

  it('probes full-width bands spread down the frame, several rows per thread', () => {
    const bands = probeRects(640, 360, 2);
    expect(bands).toHaveLength(8);
    for (const b of bands) expect(b).toMatchObject({ x: 0, width: 640, height: 8 });
    expect(bands.map((b) => b.y)).toEqual([18, 63, 108, 153, 198, 243, 288, 333]);
    expect(probeRects(640, 360, 16)[0]!.height).toBe(22); // capped so the bands cover at most half the frame
    expect(probeRects(1920, 1080, 16)[0]!.height).toBe(64);
    expect(probeRects(16, 16, 4).every((b) => b.height === 1 && b.y >= 0 && b.y < 16)).toBe(true);
  });

  it('scales the probe cost by pixels, samples and tasks, using the nearest probe per frame', () => {
    const spec = JobSpecSchema.parse({ sceneId, width: 100, height: 50, spp: 10, frames: { start: 0, end: 3 }, tiles: { x: 2, y: 1 } });
    const probes: Probe[] = [
      { frame: 0, width: 100, height: 50, pixels: 50, spp: 1, seconds: 0, loadSeconds: 0.5, secondsPerSample: 1e-6 },
      { frame: 3, width: 100, height: 50, pixels: 50, spp: 1, seconds: 0, loadSeconds: 1, secondsPerSample: 2e-6 },
    ];
    // Frames 0, 1 take the first probe; 2, 3 the second. 2 tiles per frame, each loads once.
    const perFrame = (p: Probe) => 2 * p.loadSeconds + p.secondsPerSample * 100 * 50 * 10;
    expect(jobSecondsFromProbes(spec, probes).seconds).toBeCloseTo(2 * perFrame(probes[0]!) + 2 * perFrame(probes[1]!), 9);
  });
});

describe.skipIf(!engineBuilt)('renderTask on the native engine', () => {
  it('renders tiles that stitch into the full frame bit for bit, whatever the thread count', async () => {
    const doc = cornellBox();
    const spec = JobSpecSchema.parse({ sceneId, width: 64, height: 48, spp: 4, maxDepth: 4 });
    const [full] = splitJob(spec);
    const whole = await renderTask(nativeEngine, doc, spec, full!, { threads: 2 });
    const tiledSpec = { ...spec, tiles: { x: 3, y: 2 } };
    const renderer = new SceneRenderer(doc, nativeEngine);
    const tiles = [];
    for (const t of splitJob(tiledSpec)) tiles.push({ rect: t.rect, pixels: await renderTask(nativeEngine, renderer, tiledSpec, t, { threads: 1 }) });
    await renderer.dispose();
    const stitched = stitch(tiles, spec.width, spec.height);
    expect(Buffer.from(stitched.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
    // Something was lit: the light and walls are visible.
    expect(whole.some((v, i) => i % 4 !== 3 && v > 0.2)).toBe(true);
  });

  it('renders each frame of an animation at its own time and seed', async () => {
    const doc = animatedScene();
    const spec = JobSpecSchema.parse({ sceneId, width: 32, height: 24, spp: 2, frames: { start: 0, end: 12 } });
    const renderer = new SceneRenderer(doc, nativeEngine);
    const tasks = splitJob(spec);
    const first = await renderer.renderTask(spec, tasks[0]!);
    const again = await renderTask(nativeEngine, doc, spec, tasks[0]!);
    const later = await renderer.renderTask(spec, tasks[12]!);
    await renderer.dispose();
    expect(Buffer.from(again.buffer).equals(Buffer.from(first.pixels.buffer))).toBe(true);
    expect(Buffer.from(later.pixels.buffer).equals(Buffer.from(first.pixels.buffer))).toBe(false);
  });

  it('renders tasks of different frames started together on one renderer', async () => {
    const doc = animatedScene();
    const spec = JobSpecSchema.parse({ sceneId, width: 24, height: 16, spp: 1, frames: { start: 0, end: 3 } });
    const renderer = new SceneRenderer(doc, nativeEngine);
    const tasks = splitJob(spec);
    // Each new frame replaces the loaded one; the frames still in use must stay alive until their renders end.
    const all = await Promise.all(tasks.map((t) => renderer.renderTask(spec, t)));
    await renderer.dispose();
    for (const [i, r] of all.entries()) {
      const alone = await renderTask(nativeEngine, doc, spec, tasks[i]!);
      expect(Buffer.from(r.pixels.buffer).equals(Buffer.from(alone.buffer))).toBe(true);
    }
  });

  it('estimates a job from probes and prices it at its tier', async () => {
    const spec = JobSpecSchema.parse({ sceneId, width: 320, height: 180, spp: 16, frames: { start: 0, end: 23 }, tier: 'priority' });
    const est = await estimateJob(nativeEngine, animatedScene(), spec, { localScore: 150, baseRatePerBH: parseTokens('2'), nodes: 4 });
    expect(est.tasks).toBe(24);
    expect(est.probes.map((p) => p.frame)).toEqual([0, 11, 23]);
    expect(est.probes[0]!.pixels).toBe(probeRects(320, 180, defaultThreads()).reduce((n, r) => n + r.width * r.height, 0));
    expect(est.localSeconds).toBeGreaterThan(0);
    expect(est.benchHours).toBeCloseTo((est.localSeconds * 150) / 100 / 3600, 12);
    // Price = BH × 2 tokens × 2 (priority), rounded up to the smallest unit; fee 200 bps of it.
    const price = BigInt(est.price);
    const exact = est.benchHours * 4;
    expect(Number(price) / 1e18).toBeCloseTo(exact, 8);
    expect(BigInt(est.fee)).toBe((price * 200n) / 10_000n);
    expect(BigInt(est.operators) + BigInt(est.fee)).toBe(price);
    expect(est.wallTime.seconds).toBeCloseTo((est.localSeconds / 24) * 6, 6); // 24 tasks on 4 nodes of the same score
  });
});
