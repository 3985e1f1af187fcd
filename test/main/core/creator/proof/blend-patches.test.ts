import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitJob } from '../../../../../shared/job-spec';
import type { JobSpec, Task } from '../../../../../shared/job-spec';
import { findBlender } from '../../../../../main/core/blender';
import { blendPatchRenderers } from '../../../../../main/core/creator/proof/blend-patches';
import { Verifier } from '../../../../../main/core/creator/proof/verifier';
import { estimateBlendJob, probeRects } from '../../../../../main/core/creator/pay/blend-estimate';
import { BlendTaskRenderer } from '../../../../../main/core/render/blend-task';
import type { BlendPackage } from '../../../../../main/core/render/blend-task';
import { blendJobSpec, prepareBlend } from '../../../../../main/core/scene/blend-prepare';
import { ANIMATE_CAMERA_PY, BASE_SCENE_PY, blenderPath, makeBlend, sayIfNoBlender } from '../../../../helpers/blender';

sayIfNoBlender('Blender proof-of-render tests');
const root = mkdtempSync(join(tmpdir(), 'rf-blend-verify-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const hashOf = (px: Float32Array) => createHash('sha256').update(new Uint8Array(px.buffer, px.byteOffset, px.byteLength)).digest('hex');

describe.skipIf(!blenderPath)('proof of render for Blender jobs', () => {
  let renderer: BlendTaskRenderer;
  let pkg: BlendPackage;
  let spec: JobSpec;
  let task: Task;
  let honest: Float32Array;
  beforeAll(async () => {
    const install = (await findBlender())!;
    const file = join(root, 'anim.blend');
    makeBlend(file, BASE_SCENE_PY + ANIMATE_CAMERA_PY);
    const prepared = await prepareBlend(install, file);
    if (!prepared.ok) throw new Error('the test scene did not pass its checks');
    pkg = { sceneHash: prepared.sceneId, file: join(root, 'package.blend') };
    writeFileSync(pkg.file, prepared.blend);
    spec = blendJobSpec(prepared.sceneId, prepared.engine, prepared.summary, { frames: { start: 2, end: 3, step: 1 }, tiles: { x: 2, y: 1 } });
    task = splitJob(spec)[1]!;
    renderer = new BlendTaskRenderer(install);
    honest = (await renderer.renderTask(pkg, spec, task)).pixels;
  });

  const verify = (px: Float32Array, s = spec) => new Verifier({ secret: randomBytes(32), ...blendPatchRenderers(renderer, () => pkg) }).verify({ jobId: 'j', leaseId: `l-${randomBytes(4).toString('hex')}`, spec: s, task, pixels: px, resultHash: hashOf(px) });

  it('accepts an honest tile: its patches, re-rendered in one Blender run, match exactly', async () => {
    const r = await verify(honest);
    expect(r).toMatchObject({ verdict: 'accepted', maxError: 0, mismatchedPixels: 0 });
    expect(r.pixelsChecked).toBeGreaterThan(0);
  });

  it('rejects fewer samples, another seed and another frame\'s pixels', async () => {
    const fewer = (await renderer.renderTask(pkg, { ...spec, spp: 2 }, task)).pixels;
    const seed = (await renderer.renderTask(pkg, { ...spec, seed: spec.seed + 1 }, task)).pixels;
    const frame = (await renderer.renderTask(pkg, spec, { ...task, frame: 3 })).pixels;
    for (const px of [fewer, seed, frame]) expect(await verify(px)).toMatchObject({ verdict: 'rejected', code: 'RESULT_MISMATCH' });
  });

  it('a Blender job is estimated from probe renders of its first and last frames', async () => {
    const e = await estimateBlendJob(renderer, pkg, spec, { localScore: 100, baseRatePerBH: 10n ** 18n, nodes: 2 });
    expect(e).toMatchObject({ tasks: 4, frames: 2 });
    expect(e.probes.map((p) => p.frame)).toEqual([2, 3]);
    const gridPixels = probeRects(spec.width, spec.height).reduce((n, r) => n + r.width * r.height, 0);
    // Start-up and scene load are measured apart from the probes' render time, and charged once per task.
    expect(e.probes.every((p) => p.seconds >= 0 && p.loadSeconds > 0 && p.spp === spec.spp && p.pixels === gridPixels)).toBe(true);
    expect(e.localSeconds).toBeGreaterThanOrEqual(e.tasks * Math.min(...e.probes.map((p) => p.loadSeconds)));
    expect(e.localSeconds).toBeGreaterThan(0);
    expect(e.benchHours).toBeCloseTo(e.localSeconds / 3600, 9);
    expect(BigInt(e.price)).toBeGreaterThan(0n);
  });
});

describe('where a Blender estimate probes a frame', () => {
  it('a grid of small regions spread over the whole frame, each inside it, not one region at its centre', () => {
    for (const [w, h] of [[64, 48], [1920, 1080], [16, 16], [17, 4000]] as const) {
      const rects = probeRects(w, h);
      expect(rects).toHaveLength(16);
      for (const r of rects) expect(r.x >= 0 && r.y >= 0 && r.x + r.width <= w && r.y + r.height <= h && r.width > 0 && r.height > 0).toBe(true);
    }
    const rects = probeRects(1920, 1080);
    const quadrant = (r: { x: number; y: number }) => `${r.x < 960 ? 'left' : 'right'}-${r.y < 540 ? 'top' : 'bottom'}`;
    expect(new Set(rects.map(quadrant)).size).toBe(4);
    // About a ninth of the frame's pixels.
    const share = rects.reduce((n, r) => n + r.width * r.height, 0) / (1920 * 1080);
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.15);
  });
});
