/**
 * bench:verify --kind blender — proof of render for Blender jobs over many trials: a task of
 * a generated .blend rendered honestly by Blender (CPU) and as each kind of cheat, each one
 * verified with a fresh creator secret (fresh patches) by the verifier with the creator's own
 * Blender (blend-patches.ts). Returns {trials, cheatsTried, cheatsCaught, honestTried,
 * honestRejected, verifyCostPercent, perKind, worstHonestError, …}; verifyCostPercent is the
 * median over honest checks of verification time over the task's (median of three) Cycles
 * render time, both wall time including Blender's start-up.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBlender } from '../main/core/blender';
import { blendPatchRenderers } from '../main/core/creator/proof/blend-patches';
import { Verifier } from '../main/core/creator/proof/verifier';
import { alter, hashOf, median, skipBlocks } from './verify-cheats';
import { BlendTaskRenderer } from '../main/core/render/blend-task';
import { blendJobSpec, prepareBlend } from '../main/core/scene/blend-prepare';
import { splitJob } from '../shared/job-spec';
import { ANIMATE_CAMERA_PY, BASE_SCENE_PY, makeBlend, texturedCubePy, writePngPy } from '../test/helpers/blender';

/** Runs the Blender proof-of-render bench. */
export async function benchVerifyBlender(o: { trials: number; width: number; height: number; spp: number }): Promise<Record<string, unknown>> {
  const install = await findBlender();
  if (!install) return { skipped: 'blender is not installed' };
  const dir = mkdtempSync(join(tmpdir(), 'rf-bench-verify-blender-'));
  try {
    const file = join(dir, 'bench.blend');
    makeBlend(file, `${BASE_SCENE_PY}${ANIMATE_CAMERA_PY}${writePngPy(join(dir, 'checker.png'))}${texturedCubePy(join(dir, 'checker.png'))}`);
    const prepared = await prepareBlend(install, file);
    if (!prepared.ok) throw new Error(prepared.problems.map((p) => p.message).join('; '));
    const pkg = { sceneHash: prepared.sceneId, file: join(dir, 'package.blend') };
    writeFileSync(pkg.file, prepared.blend);
    const spec = blendJobSpec(prepared.sceneId, prepared.engine, prepared.summary, { width: o.width, height: o.height, spp: o.spp, frames: { start: 1, end: 2, step: 1 } });
    const [task, other] = splitJob(spec);
    const renderer = new BlendTaskRenderer(install);
    const render = (s = spec, t = task!) => renderer.renderTask(pkg, s, t);
    const honest = await render();
    const renders = [honest.seconds];
    for (let i = 0; i < 2; i++) renders.push((await render()).seconds);
    const renderSeconds = median(renders);
    const oneSample = (await render({ ...spec, spp: 1 })).pixels;
    const fixed: Record<string, Float32Array> = {
      'fewer-samples': (await render({ ...spec, spp: Math.max(1, Math.floor(spec.spp / 4)) })).pixels,
      'copied-task': (await renderer.renderTask(pkg, spec, { ...task!, frame: other!.frame })).pixels,
      'other-job': (await render({ ...spec, seed: spec.seed + 1 })).pixels,
    };
    const cheats: Record<string, () => Float32Array> = {
      ...Object.fromEntries(Object.entries(fixed).map(([k, v]) => [k, () => v])),
      random: () => new Float32Array(honest.pixels.length).map((_, i) => (i % 4 === 3 ? 1 : Math.random() * 2)),
      'altered-10pct': () => alter(honest.pixels, 0.1),
      black: () => new Float32Array(honest.pixels.length).map((_, i) => (i % 4 === 3 ? 1 : 0)),
      'partial-5pct': () => skipBlocks(honest.pixels, oneSample, task!.rect.width, task!.rect.height, 0.05, 8),
    };
    // Only blocks where one sample is visibly wrong are skipped: on a simple scene that can be less than 5 %.
    const probe = cheats['partial-5pct']!();
    let skipped = 0;
    for (let i = 0; i < probe.length; i += 4) if (probe[i] !== honest.pixels[i] || probe[i + 1] !== honest.pixels[i + 1] || probe[i + 2] !== honest.pixels[i + 2]) skipped++;
    let cheatsTried = 0;
    let cheatsCaught = 0;
    let honestTried = 0;
    let honestRejected = 0;
    let worstHonestError = 0;
    let pixelsChecked = 0;
    const costs: number[] = [];
    const verifySeconds: number[] = [];
    const perKind: Record<string, { tried: number; caught: number }> = {};
    for (let t = 0; t < o.trials; t++) {
      const v = new Verifier({ secret: randomBytes(32), ...blendPatchRenderers(renderer, () => pkg) });
      const check = (px: Float32Array) => v.verify({ jobId: 'bench-blender', leaseId: `l-${randomBytes(8).toString('hex')}`, spec, task: task!, pixels: px, resultHash: hashOf(px) });
      const h = await check(honest.pixels);
      honestTried++;
      if (h.verdict !== 'accepted') honestRejected++;
      worstHonestError = Math.max(worstHonestError, h.maxError);
      pixelsChecked = h.pixelsChecked;
      costs.push(h.verifyMs / 1000 / renderSeconds);
      verifySeconds.push(h.verifyMs / 1000);
      for (const [kind, make] of Object.entries(cheats)) {
        const r = await check(make());
        cheatsTried++;
        perKind[kind] ??= { tried: 0, caught: 0 };
        perKind[kind].tried++;
        if (r.verdict === 'rejected') {
          cheatsCaught++;
          perKind[kind].caught++;
        }
      }
    }
    return {
      kind: 'blender',
      blender: install.version,
      sandbox: install.sandbox,
      trials: o.trials,
      cheatsTried,
      cheatsCaught,
      honestTried,
      honestRejected,
      verifyCostPercent: Number((median(costs) * 100).toFixed(1)),
      renderSeconds: Number(renderSeconds.toFixed(3)),
      verifySeconds: Number(median(verifySeconds).toFixed(3)),
      perKind,
      worstHonestError,
      partialSkippedFraction: Number((skipped / (probe.length / 4)).toFixed(4)),
      task: { width: o.width, height: o.height, spp: o.spp, pixelsChecked },
      gpu: 'not measured: no GPU here, and Debian\'s Blender has no CUDA/OptiX',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
