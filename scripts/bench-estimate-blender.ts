/**
 * bench:estimate --kind blender — the estimate of Blender jobs (probe renders, blend-estimate.ts)
 * against the whole job rendered for real, task by task, with the same Blender on this machine.
 * Wall-clock timed: run it on an idle machine. Returns {jobs: [{job, estimatedSeconds,
 * measuredSeconds, error}]}.
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
export async function benchEstimateBlender(quick: boolean): Promise<Record<string, unknown>> {
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
      const e = await estimateBlendJob(renderer, pkg, spec, { localScore: 100, baseRatePerBH: 1n, nodes: 1 });
      const started = performance.now();
      for (const t of splitJob(spec)) await renderer.renderTask(pkg, spec, t);
      const measured = (performance.now() - started) / 1000;
      out.push({ job: j.name, width: spec.width, height: spec.height, spp: spec.spp, tasks: e.tasks, estimatedSeconds: Number(e.localSeconds.toFixed(2)), measuredSeconds: Number(measured.toFixed(2)), error: Number(((e.localSeconds - measured) / measured).toFixed(3)) });
    }
    return { kind: 'blender', blender: install.version, jobs: out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
