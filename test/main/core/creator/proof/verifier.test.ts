import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobSpecSchema, splitJob } from '../../../../../shared/job-spec';
import type { JobSpec, Task } from '../../../../../shared/job-spec';
import { SceneRenderer } from '../../../../../main/core/render/render-task';
import { Verifier, scenePatchRenderer } from '../../../../../main/core/creator/proof/verifier';
import { choosePatches, detectionProbability, sampleKey, samplePixelCount } from '../../../../../main/core/creator/proof/verify-sample';
import { cornellBox } from '../../../../../scripts/scenes/samples';

const spec: JobSpec = JobSpecSchema.parse({ sceneId: 'c'.repeat(64), width: 48, height: 32, spp: 8, tiles: { x: 2, y: 1 }, seed: 7, maxDepth: 4 });
const tasks = splitJob(spec);
let renderer: SceneRenderer;
let verifier: Verifier;
const honest = new Map<number, Float32Array>();

function hashOf(px: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(px.buffer, px.byteOffset, px.byteLength)).digest('hex');
}

/** Verifies on a fresh lease (fresh patches) unless `leaseId` is given. */
function check(task: Task, pixels: Float32Array, s: JobSpec = spec, v: Verifier = verifier, leaseId = `l-${randomBytes(8).toString('hex')}`) {
  return v.verify({ jobId: 'job-1', leaseId, spec: s, task, pixels, resultHash: hashOf(pixels) });
}

/** A copy of `px` with a random `fraction` of its pixels scaled by 1.5 (at least one). */
function alter(px: Float32Array, fraction: number): Float32Array {
  const out = px.slice();
  const n = px.length / 4;
  const k = Math.max(1, Math.round(n * fraction));
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(Math.random() * (n - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
    const p = order[i]!;
    for (let c = 0; c < 3; c++) out[p * 4 + c] = out[p * 4 + c]! * 1.5 + 0.01;
  }
  return out;
}

beforeAll(async () => {
  renderer = new SceneRenderer(cornellBox());
  verifier = new Verifier({ secret: randomBytes(32), render: scenePatchRenderer(renderer) });
  for (const t of tasks) honest.set(t.index, (await renderer.renderTask(spec, t)).pixels);
});
afterAll(async () => {
  await renderer?.dispose();
});

describe('Verifier: honest results', () => {
  it('accepts an honest CPU result, bit-identical on every re-rendered pixel', async () => {
    const r = await check(tasks[0]!, honest.get(0)!);
    expect(r).toMatchObject({ verdict: 'accepted', mismatchedPixels: 0, maxError: 0 });
    expect(r.pixelsChecked).toBe(samplePixelCount(24 * 32));
    expect(r.patches.length).toBeGreaterThan(0);
    for (const p of r.patches) {
      expect(p.x).toBeGreaterThanOrEqual(tasks[0]!.rect.x);
      expect(p.x + p.width).toBeLessThanOrEqual(tasks[0]!.rect.x + tasks[0]!.rect.width);
    }
  });

  it('accepts a rare pixel a few per cent off (a CUDA sample that took another path), not many', async () => {
    const one = honest.get(0)!.slice();
    for (let c = 0; c < 3; c++) one[(5 * 24 + 7) * 4 + c] = one[(5 * 24 + 7) * 4 + c]! * 1.05;
    for (let t = 0; t < 5; t++) expect((await check(tasks[0]!, one, spec, new Verifier({ secret: randomBytes(32), render: scenePatchRenderer(renderer) }))).verdict).toBe('accepted');
    const many = honest.get(0)!.map((v, i) => (i % 4 === 3 ? v : v * 1.05 + 1e-3));
    expect(await check(tasks[0]!, many)).toMatchObject({ verdict: 'rejected', code: 'RESULT_MISMATCH' });
  });

  it('accepts float rounding of the size seen between CPU and CUDA', async () => {
    const px = honest.get(1)!.slice();
    for (let i = 0; i < px.length; i++) if (i % 4 !== 3) px[i] = px[i]! * (1 + 3e-4 * Math.sin(i)) + 1e-7;
    expect((await check(tasks[1]!, px)).verdict).toBe('accepted');
  });
});

describe('Verifier: cheats', () => {
  it('rejects random pixels', async () => {
    const px = new Float32Array(honest.get(0)!.length).map((_, i) => (i % 4 === 3 ? 1 : Math.random()));
    expect(await check(tasks[0]!, px)).toMatchObject({ verdict: 'rejected', code: 'RESULT_MISMATCH' });
  });

  it('rejects a render with a quarter of the samples', async () => {
    const low = (await renderer.renderTask({ ...spec, spp: spec.spp / 4 }, tasks[0]!)).pixels;
    const r = await check(tasks[0]!, low);
    expect(r).toMatchObject({ verdict: 'rejected', code: 'RESULT_MISMATCH' });
    expect(r.mismatchedPixels).toBeGreaterThan(r.pixelsChecked / 4);
  });

  it('rejects a frame copied from another task', async () => {
    expect(await check(tasks[0]!, honest.get(1)!)).toMatchObject({ verdict: 'rejected', code: 'RESULT_MISMATCH' });
  });

  it('rejects a result of another job (same scene, another seed)', async () => {
    const other = (await renderer.renderTask({ ...spec, seed: 8 }, tasks[0]!)).pixels;
    expect(await check(tasks[0]!, other)).toMatchObject({ verdict: 'rejected', code: 'RESULT_MISMATCH' });
  });

  it('rejects a correct image with 10 % of its pixels altered, every time', async () => {
    for (let trial = 0; trial < 12; trial++) {
      const r = await check(tasks[trial % 2]!, alter(honest.get(trial % 2)!, 0.1));
      expect(r.verdict).toBe('rejected');
      expect(r.patches.some((p) => p.maxError > 0.25)).toBe(true);
    }
  });

  it('rejects a black frame where the preview is not black', async () => {
    const px = new Float32Array(honest.get(0)!.length).map((_, i) => (i % 4 === 3 ? 1 : 0));
    expect(await check(tasks[0]!, px)).toMatchObject({ verdict: 'rejected', code: 'RESULT_CONSTANT' });
  });

  it('rejects wrong size, non-finite values and a wrong hash before rendering anything', async () => {
    const good = honest.get(0)!;
    expect(await check(tasks[0]!, good.subarray(4))).toMatchObject({ code: 'RESULT_BAD_SIZE', renderMs: 0 });
    const nan = good.slice();
    nan[5] = Number.NaN;
    expect(await check(tasks[0]!, nan)).toMatchObject({ code: 'RESULT_NOT_FINITE' });
    const neg = good.slice();
    neg[6] = -1;
    expect(await check(tasks[0]!, neg)).toMatchObject({ code: 'RESULT_NOT_FINITE' });
    const r = await verifier.verify({ jobId: 'job-1', leaseId: 'l-1', spec, task: tasks[0]!, pixels: good, resultHash: 'ab'.repeat(32) });
    expect(r).toMatchObject({ verdict: 'rejected', code: 'RESULT_BAD_HASH' });
  });

  it('catches small alterations at the documented rate 1 − (1 − f)^n', async () => {
    // One altered pixel in a 24 × 32 tile (f = 1/768) checked on n = 256 pixels: p = 1 − C(767,256)/C(768,256) = 1/3.
    const trials = 60;
    let caught = 0;
    for (let t = 0; t < trials; t++) if ((await check(tasks[0]!, alter(honest.get(0)!, 0))).verdict === 'rejected') caught++;
    const n = samplePixelCount(768);
    const p = n / 768; // exact without replacement for a single altered pixel
    expect(detectionProbability(1 / 768, n)).toBeLessThanOrEqual(p);
    const sd = Math.sqrt(trials * p * (1 - p));
    expect(caught).toBeGreaterThan(trials * p - 4 * sd);
    expect(caught).toBeLessThan(trials * p + 4 * sd);
  });
});

describe('patch choice', () => {
  it('is the same for every result on one lease: flipping a low bit of a rejected result re-rolls nothing', async () => {
    const cheat = alter(honest.get(0)!, 0.3);
    const first = await check(tasks[0]!, cheat, spec, verifier, 'l-reroll');
    expect(first.verdict).toBe('rejected');
    for (let i = 0; i < 5; i++) {
      const flipped = cheat.slice();
      const bits = new Uint32Array(flipped.buffer);
      bits[i * 4] = bits[i * 4]! ^ 1;
      const again = await check(tasks[0]!, flipped, spec, verifier, 'l-reroll');
      expect(again.patches.map(({ x, y, width, height }) => ({ x, y, width, height }))).toEqual(first.patches.map(({ x, y, width, height }) => ({ x, y, width, height })));
      expect(again.verdict).toBe('rejected');
    }
    // Another lease (another operator's, or the next one) draws other patches.
    const other = await check(tasks[0]!, cheat, spec, verifier, 'l-other');
    expect(other.patches.map((p) => `${p.x},${p.y}`)).not.toEqual(first.patches.map((p) => `${p.x},${p.y}`));
  });

  it('depends on the creator secret and the lease, and covers distinct pixels', () => {
    const rect = { x: 10, y: 0, width: 100, height: 60 };
    const a = choosePatches(rect, 256, sampleKey(Buffer.from('s1'), 'j', 0, 'aa'));
    const b = choosePatches(rect, 256, sampleKey(Buffer.from('s1'), 'j', 0, 'aa'));
    const c = choosePatches(rect, 256, sampleKey(Buffer.from('s2'), 'j', 0, 'aa'));
    const d = choosePatches(rect, 256, sampleKey(Buffer.from('s1'), 'j', 0, 'ab'));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).not.toEqual(d);
    const seen = new Set<string>();
    let covered = 0;
    for (const p of a) {
      for (let y = p.y; y < p.y + p.height; y++) for (let x = p.x; x < p.x + p.width; x++) seen.add(`${x},${y}`);
      covered += p.width * p.height;
    }
    expect(seen.size).toBe(covered);
    expect(covered).toBeGreaterThanOrEqual(256);
  });

  it('checks about 1 % of a large frame and a floor on small tiles', () => {
    expect(samplePixelCount(1920 * 1080)).toBe(20736);
    expect(samplePixelCount(32 * 32)).toBe(256);
    expect(samplePixelCount(100)).toBe(100);
    expect(detectionProbability(0.1, 256)).toBeGreaterThan(1 - 1e-11);
  });
});
