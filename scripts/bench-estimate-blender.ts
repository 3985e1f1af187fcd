/**
 * bench:estimate --kind blender — the estimate of Blender jobs (probe renders, blend-estimate.ts)
 * against the whole job rendered for real, task by task, with the same Blender on this machine.
 * Wall-clock timed, each side the shortest of `repeats` alternating tries (a shared machine's
 * bursts inflate single tries). Returns {jobs: [{job, estimatedSeconds, measuredSeconds,
 * error, runs}]}.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBlender } from '../main/core/blender';
import { estimateBlendJob } from '../main/core/creator/pay/blend-estimate';
import { BlendTaskRenderer } from '../main/core/render/blend-task';
import { blendJobSpec, prepareBlend } from '../main/core/scene/blend-prepare';
import type { BlendSpecChoices } from '../main/core/scene/blend-prepare';
import { splitJob } from '../shared/job-spec';
import { ANIMATE_CAMERA_PY, BASE_SCENE_PY, makeBlend, texturedCubePy, writePngPy } from '../test/helpers/blender';

/** Runs the Blender estimate bench. */
export async function benchEstimateBlender(quick: boolean, repeats = 2): Promise<Record<string, unknown>> {
  const install = await findBlender();
  if (!install) return { skipped: 'blender is not installed' };
  const dir = mkdtempSync(join(tmpdir(), 'rf-bench-estimate-blender-'));
  try {
    const file = join(dir, 'bench.blend');
    makeBlend(file, `${BASE_SCENE_PY}${ANIMATE_CAMERA_PY}${writePngPy(join(dir, 'checker.png'))}${texturedCubePy(join(dir, 'checker.png'))}`);
    const prepared = await prepareBlend(install, file);
    if (!prepared.ok) throw new Error(prepared.problems.map((p) => p.message).join('; '));
    const pkg = { sceneHash: prepared.sceneId, file: join(dir, 'package.blend') };
    writeFileSync(pkg.file, prepared.blend);
    const s = quick ? 0.5 : 1;
    const jobs: { name: string; choices: BlendSpecChoices }[] = [
      { name: 'animation 4 frames', choices: { width: Math.round(320 * s), height: Math.round(240 * s), spp: 32, frames: { start: 1, end: 4, step: 1 } } },
      { name: 'still 2x2 tiles', choices: { width: Math.round(480 * s), height: Math.round(360 * s), spp: 64, frames: { start: 1, end: 1, step: 1 }, tiles: { x: 2, y: 2 } } },
    ];
    const renderer = new BlendTaskRenderer(install);
    const out = [];
    for (const j of jobs) {
      const spec = blendJobSpec(prepared.sceneId, prepared.engine, prepared.summary, j.choices);
      // Estimate and real render alternate `repeats` times; the least disturbed (shortest) of
      // each is compared, so another process's burst on a shared machine skews neither side.
      const estimated: number[] = [];
      const measured: number[] = [];
      let tasks = 0;
      for (let r = 0; r < repeats; r++) {
        const e = await estimateBlendJob(renderer, pkg, spec, { localScore: 100, baseRatePerBH: 1n, nodes: 1 });
        tasks = e.tasks;
        estimated.push(e.localSeconds);
        const started = performance.now();
        for (const t of splitJob(spec)) await renderer.renderTask(pkg, spec, t);
        measured.push((performance.now() - started) / 1000);
      }
      const est = Math.min(...estimated);
      const got = Math.min(...measured);
      const round = (x: number) => Number(x.toFixed(2));
      out.push({ job: j.name, width: spec.width, height: spec.height, spp: spec.spp, tasks, estimatedSeconds: round(est), measuredSeconds: round(got), error: Number(((est - got) / got).toFixed(3)), runs: { estimated: estimated.map(round), measured: measured.map(round) } });
    }
    return { kind: 'blender', blender: install.version, repeats, jobs: out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
