/**
 * bench:verify — proof of render over many trials. For each sample scene it renders a task
 * honestly (CPU, and CUDA where a GPU exists) and each kind of cheat, then verifies every
 * one with a fresh creator secret per trial (fresh patches). Prints one JSON line:
 * {trials, cheatsTried, cheatsCaught, honestTried, honestRejected, verifyCostPercent, ...}
 * where verifyCostPercent is the median, over the honest CPU checks, of the verification
 * time as a percentage of the scene's (median of three) render time on the same CPU.
 *
 *   npm run bench:verify [-- --trials N --width W --height H --spp S --scenes a,b]
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SceneRenderer } from '../main/core/render/render-task';
import { Verifier, scenePatchRenderer } from '../main/core/creator/proof/verifier';
import { detectionProbability, samplePixelCount } from '../main/core/creator/proof/verify-sample';
import { devices, renderTileDetailed } from '../main/core/engine';
import { readGlb } from '../main/core/engine/gltf-io';
import { JobSpecSchema, frameSeed, splitJob } from '../shared/job-spec';
import type { JobSpec, Task } from '../shared/job-spec';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '10' },
    width: { type: 'string', default: '640' },
    height: { type: 'string', default: '360' },
    spp: { type: 'string', default: '32' },
    scenes: { type: 'string', default: 'cornell,spheres' },
  },
});
const trials = Number(values.trials);
const root = resolve(import.meta.dirname, '..');

function hashOf(px: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(px.buffer, px.byteOffset, px.byteLength)).digest('hex');
}

function alter(px: Float32Array, fraction: number): Float32Array {
  const out = px.slice();
  for (let i = 0; i < px.length / 4; i++) if (Math.random() < fraction) for (let c = 0; c < 3; c++) out[i * 4 + c] = out[i * 4 + c]! * 1.5 + 0.01;
  return out;
}

async function renderCuda(renderer: SceneRenderer, spec: JobSpec, task: Task): Promise<Float32Array> {
  const f = await renderer.frame(spec, task.frame);
  const base = { scene: f.scene, camera: f.camera, width: spec.width, height: spec.height, rect: task.rect, seed: frameSeed(spec, task.frame), maxDepth: spec.maxDepth, backend: 'cuda' as const };
  await renderTileDetailed({ ...base, spp: 1 });
  return (await renderTileDetailed({ ...base, spp: spec.spp })).pixels;
}

const hasCuda = devices().some((d) => d.backend === 'cuda');
let cheatsTried = 0;
let cheatsCaught = 0;
let honestTried = 0;
let honestRejected = 0;
let cudaTried = 0;
let cudaRejected = 0;
/** Per honest CPU check: its verification time over its scene's render time. */
const costRatios: number[] = [];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
let worstHonestError = 0;
const perKind: Record<string, { tried: number; caught: number }> = {};
let pixelsChecked = 0;

for (const name of values.scenes.split(',')) {
  const file = join(root, 'resources', 'scenes', `${name}.glb`);
  if (!existsSync(file)) throw new Error(`${file} is missing; run npm run build:scenes`);
  const renderer = new SceneRenderer(await readGlb(new Uint8Array(readFileSync(file))));
  const spec = JobSpecSchema.parse({ sceneId: 'b'.repeat(64), width: Number(values.width), height: Number(values.height), spp: Number(values.spp), frames: { start: 0, end: 1 } });
  const [task, other] = splitJob(spec);
  await renderer.frame(spec, task!.frame);
  const honest = await renderer.renderTask(spec, task!);
  // The machine may be shared: the median of three renders and of the trials' verifications.
  const renders = [honest.seconds * 1000];
  for (let i = 0; i < 2; i++) renders.push((await renderer.renderTask(spec, task!)).seconds * 1000);
  const render = median(renders);
  const cheats: Record<string, () => Promise<Float32Array>> = {};
  const fixed = {
    'fewer-samples': (await renderer.renderTask({ ...spec, spp: Math.max(1, spec.spp / 4) }, task!)).pixels,
    'copied-task': (await renderer.renderTask(spec, { ...other!, frame: other!.frame, index: task!.index, rect: task!.rect })).pixels,
    'other-job': (await renderer.renderTask({ ...spec, seed: spec.seed + 1 }, task!)).pixels,
  };
  await renderer.frame(spec, task!.frame);
  for (const [k, v] of Object.entries(fixed)) cheats[k] = async () => v;
  cheats.random = async () => new Float32Array(honest.pixels.length).map((_, i) => (i % 4 === 3 ? 1 : Math.random() * 2));
  cheats['altered-10pct'] = async () => alter(honest.pixels, 0.1);
  cheats.black = async () => new Float32Array(honest.pixels.length).map((_, i) => (i % 4 === 3 ? 1 : 0));
  const cuda = hasCuda ? await renderCuda(renderer, spec, task!) : undefined;

  for (let t = 0; t < trials; t++) {
    const v = new Verifier({ secret: randomBytes(32), render: scenePatchRenderer(renderer) });
    const check = (px: Float32Array) => v.verify({ jobId: `bench-${name}`, spec, task: task!, pixels: px, resultHash: hashOf(px) });
    const h = await check(honest.pixels);
    honestTried++;
    if (h.verdict !== 'accepted') honestRejected++;
    costRatios.push(h.verifyMs / render);
    pixelsChecked = h.pixelsChecked;
    worstHonestError = Math.max(worstHonestError, h.maxError);
    if (cuda) {
      const c = await check(cuda);
      honestTried++;
      cudaTried++;
      if (c.verdict !== 'accepted') {
        honestRejected++;
        cudaRejected++;
      }
      worstHonestError = Math.max(worstHonestError, c.maxError);
    }
    for (const [kind, make] of Object.entries(cheats)) {
      const r = await check(await make());
      cheatsTried++;
      perKind[kind] ??= { tried: 0, caught: 0 };
      perKind[kind].tried++;
      if (r.verdict === 'rejected') {
        cheatsCaught++;
        perKind[kind].caught++;
      }
    }
  }
  await renderer.dispose();
}

const pixels = Number(values.width) * Number(values.height);
console.log(
  JSON.stringify({
    trials,
    cheatsTried,
    cheatsCaught,
    honestTried,
    honestRejected,
    verifyCostPercent: Number((median(costRatios) * 100).toFixed(3)),
    cuda: hasCuda ? { tried: cudaTried, rejected: cudaRejected } : 'no CUDA device',
    perKind,
    worstHonestError,
    task: { width: Number(values.width), height: Number(values.height), spp: Number(values.spp), pixelsChecked, samplePixels: samplePixelCount(pixels) },
    catchRate: { f10pct: detectionProbability(0.1, pixelsChecked), f1pct: detectionProbability(0.01, pixelsChecked), f0_1pct: detectionProbability(0.001, pixelsChecked) },
  }),
);
