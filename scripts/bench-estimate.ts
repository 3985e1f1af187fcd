/**
 * npm run bench:estimate — how good is the job estimate? For each reference scene, estimate
 * a job from probe renders, then render the whole job for real on this machine and compare.
 * Prints JSON: estimated vs measured seconds and the error (goal: within 20 %).
 *
 * The measured run is timed by the wall clock (run it on an idle machine); `wallProbe` shows
 * the same estimate from wall-clock-timed probes for comparison. Options: --quick (smaller
 * jobs), --threads N; --kind blender estimates Blender jobs instead (bench-estimate-blender.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitJob, validateJobSpec } from '../shared/job-spec';
import type { JobSpecInput } from '../shared/job-spec';
import { parseTokens } from '../shared/pricing';
import { loadavg } from 'node:os';
import { benchmark, defaultThreads } from '../main/core/engine';
import { estimateJob } from '../main/core/creator/pay/estimator';
import { nativeEngine, SceneRenderer } from '../main/core/render/render-task';
import { readGlb } from '../main/core/engine/gltf-io';
import { sha256Hex } from '../main/core/store';
import { makeScenes } from './scenes/index';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
if (args[args.indexOf('--kind') + 1] === 'blender' && args.includes('--kind')) {
  const { benchEstimateBlender } = await import('./bench-estimate-blender');
  console.log(JSON.stringify(await benchEstimateBlender(quick)));
  process.exit(0);
}
const threadsArg = args.indexOf('--threads');
const threads = threadsArg >= 0 ? Number(args[threadsArg + 1]) : undefined;
const root = join(import.meta.dirname, '..');
const scenesDir = join(root, 'resources', 'scenes');
if (!existsSync(join(scenesDir, 'heavy.glb'))) await makeScenes(scenesDir);

const scale = quick ? 0.5 : 1;
const jobs: { scene: string; spec: Omit<JobSpecInput, 'sceneId'> }[] = [
  { scene: 'cornell.glb', spec: { width: Math.round(480 * scale), height: Math.round(360 * scale), spp: 64 } },
  { scene: 'spheres.glb', spec: { width: Math.round(480 * scale), height: Math.round(270 * scale), spp: 32 } },
  { scene: 'heavy.glb', spec: { width: Math.round(640 * scale), height: Math.round(360 * scale), spp: 32 } },
  { scene: 'animated.glb', spec: { width: Math.round(320 * scale), height: Math.round(180 * scale), spp: 32, frames: { start: 0, end: 7, step: 1 } } },
  { scene: 'cornell.glb', spec: { width: Math.round(480 * scale), height: Math.round(360 * scale), spp: 32, tiles: { x: 3, y: 2 } } },
];

const bench = await benchmark(threads ? { threads } : {});
const results = [];
for (const job of jobs) {
  const bytes = readFileSync(join(scenesDir, job.scene));
  const doc = await readGlb(bytes);
  const checked = validateJobSpec({ ...job.spec, sceneId: sha256Hex(bytes) });
  if (!checked.ok) throw new Error(checked.message);
  const spec = checked.spec;
  const est = await estimateJob(nativeEngine, doc, spec, { localScore: bench.score, baseRatePerBH: parseTokens('2'), nodes: 10, threads });
  const estWall = await estimateJob(nativeEngine, doc, spec, { localScore: bench.score, baseRatePerBH: parseTokens('2'), nodes: 10, threads, clock: 'wall' });
  // The measured run does what a node does: each task loads its frame, renders, returns.
  // Twice, keeping the faster, as the probes do: other programs on the machine add noise.
  let measured = Infinity;
  let measuredCpu = Infinity;
  for (let run = 0; run < 2; run++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (const task of splitJob(spec)) {
      const renderer = new SceneRenderer(doc, nativeEngine);
      await renderer.renderTask(spec, task, threads ? { threads } : {});
      await renderer.dispose();
    }
    measured = Math.min(measured, (performance.now() - started) / 1000);
    const c = process.cpuUsage(cpu);
    measuredCpu = Math.min(measuredCpu, (c.user + c.system) / 1e6 / (threads ?? defaultThreads()));
  }
  const probeSeconds = est.probes.reduce((s, p) => s + p.seconds + p.loadSeconds, 0);
  results.push({
    scene: job.scene,
    width: spec.width,
    height: spec.height,
    spp: spec.spp,
    tasks: est.tasks,
    estimatedSeconds: Number(est.localSeconds.toFixed(3)),
    measuredSeconds: Number(measured.toFixed(3)),
    errorPercent: Number((((est.localSeconds - measured) / measured) * 100).toFixed(1)),
    measuredCpuSeconds: Number(measuredCpu.toFixed(3)),
    wallProbe: {
      estimatedSeconds: Number(estWall.localSeconds.toFixed(3)),
      errorPercent: Number((((estWall.localSeconds - measured) / measured) * 100).toFixed(1)),
    },
    probeSeconds: Number(probeSeconds.toFixed(3)),
    benchHours: est.benchHours,
  });
  process.stderr.write(`${job.scene}: estimated ${est.localSeconds.toFixed(2)} s, measured ${measured.toFixed(2)} s\n`);
}
const errors = results.map((r) => Math.abs(r.errorPercent));
const wallErrors = results.map((r) => Math.abs(r.wallProbe.errorPercent));
console.log(
  JSON.stringify(
    {
      benchmark: { score: bench.score, samplesPerSecond: bench.samplesPerSecond, threads: bench.threads },
      goalPercent: 20,
      meanAbsErrorPercent: Number((errors.reduce((a, b) => a + b, 0) / errors.length).toFixed(1)),
      maxAbsErrorPercent: Math.max(...errors),
      withinGoal: errors.every((e) => e <= 20),
      // The same estimate from probes timed by the wall clock (the estimator's default times
      // the render threads' CPU): short probe renders suffer every pre-emption in full.
      wallProbe: {
        meanAbsErrorPercent: Number((wallErrors.reduce((a, b) => a + b, 0) / wallErrors.length).toFixed(1)),
        maxAbsErrorPercent: Math.max(...wallErrors),
      },
      loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
      results,
    },
    null,
    2,
  ),
);
