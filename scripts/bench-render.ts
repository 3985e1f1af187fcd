/**
 * npm run bench:render -- [--scene FILE.glb]... [--width N] [--height N] [--spp N]
 *   [--max-depth N] [--threads N] [--backend cpu|cuda] [--vs-cycles] [--vs-reference]
 *   [--cycles-materials auto|importer|lambert] [--png DIR] [--repeat N] [--models DIR]
 *
 * Renders each scene once with the native engine and prints one JSON line per scene:
 * {scene, width, height, spp, maxDepth, threads, seconds, samplesPerSecond, cpuSeconds,
 * cpuNsPerSample, ...}. cpuNsPerSample (render threads' CPU time per sample, the smallest of the
 * repeats) moves less with other processes' load than seconds: compare engine builds by it.
 * With --vs-cycles and `blender` on the PATH, renders the same file with Cycles on the CPU
 * (no denoising, no adaptive sampling, same spp/bounces/threads/camera) and adds
 * {cyclesSeconds, cyclesSamplesPerSecond, ratio, meanLuminanceDifference, ssim}; ratio > 1
 * means Rayfarm is faster. Cycles' materials (auto, the default): set by script to a Diffuse
 * BSDF + Emission when every material is flat and Lambertian, because Blender 3.4's importer
 * turns KHR_materials_specular factor 0 into Principled Specular 0.5 and its Disney diffuse is
 * brighter than Lambert (measured on the classic Cornell box: -10 % vs +-0.5 %, README); else
 * through Blender's glTF importer. `importer` or `lambert` forces one.
 * Defaults: resources/scenes/cornell.glb and heavy.glb, 512x512, 64 spp, 8 bounces, 2 threads.
 * --repeat N renders N times (each renderer alternating) and keeps the fastest of each; the
 * default is 3 when timing (one run of either renderer can lose 30 % to a busy moment on a shared
 * box: Cycles' heavy.glb time has ranged 8.8-12.4 s here) and 1 with --vs-reference.
 *
 * --vs-reference compares images, not speed: every sample scene (resources/scenes/*.glb, or
 * the --scene files) against Cycles with materials set by script where the scene is flat and
 * Lambertian ("cycles-lambert") and through the importer otherwise ("cycles-importer"), and
 * prints {scene, reference, meanLuminance, referenceMeanLuminance, meanLuminanceDifference, ssim,
 * ssim4x4} (ssim4x4: SSIM of the images' 4 × 4-block means, where sampling noise matters less).
 * --models DIR adds every .glb in DIR (e.g. Khronos sample models kept outside the repository,
 * which may not ship them) to the scenes compared or timed.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { benchScene, prepareGlb } from '../main/core/engine/benchmark';
import { linearToSrgb } from '../shared/srgb';
import { hasBlender, isLambertian, runCycles } from './cycles-render';
import type { CyclesMaterials, CyclesResult } from './cycles-render';
import { downsample, ssim } from './image-compare';

const { values } = parseArgs({
  options: {
    scene: { type: 'string', multiple: true },
    width: { type: 'string', default: '512' },
    height: { type: 'string', default: '512' },
    spp: { type: 'string', default: '64' },
    'max-depth': { type: 'string', default: '8' },
    threads: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'cpu' },
    'vs-cycles': { type: 'boolean', default: false },
    'vs-reference': { type: 'boolean', default: false },
    'cycles-materials': { type: 'string', default: 'auto' },
    png: { type: 'string' },
    repeat: { type: 'string' },
    models: { type: 'string' },
  },
});

const opts = {
  width: Number(values.width),
  height: Number(values.height),
  spp: Number(values.spp),
  maxDepth: Number(values['max-depth']),
  threads: Number(values.threads),
  backend: values.backend as 'cpu' | 'cuda',
};
const reference = values['vs-reference'];
const sampleScenes = () => readdirSync('resources/scenes').filter((f) => f.endsWith('.glb')).sort().map((f) => join('resources/scenes', f));
const models = values.models ? readdirSync(values.models).filter((f) => f.toLowerCase().endsWith('.glb')).sort().map((f) => join(values.models!, f)) : [];
const scenes = [...(values.scene?.length ? values.scene : reference ? sampleScenes() : models.length ? [] : ['resources/scenes/cornell.glb', 'resources/scenes/heavy.glb']), ...models];
const materialsArg = values['cycles-materials'];
if (materialsArg !== 'auto' && materialsArg !== 'importer' && materialsArg !== 'lambert') throw new Error(`--cycles-materials must be auto, importer or lambert, not ${materialsArg}`);

function savePng(dir: string, name: string, px: Float32Array, w: number, h: number): void {
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) {
    for (let k = 0; k < 3; k++) {
      png.data[i * 4 + k] = Math.round(255 * linearToSrgb(px[i * 4 + k]!));
    }
    png.data[i * 4 + 3] = 255;
  }
  writeFileSync(join(dir, `${name}.png`), PNG.sync.write(png));
}

const cycles = values['vs-cycles'] || reference ? hasBlender() : false;
if ((values['vs-cycles'] || reference) && !cycles) console.error('bench:render: Cycles comparison asked for, but `blender` is not on the PATH; rendering without it.');
for (const file of scenes) {
  // A model this engine cannot read (say Draco-compressed) gets a line saying why; the rest run.
  const prepared = await prepareGlb(file, opts.width / opts.height).catch((err: unknown) => {
    console.log(JSON.stringify({ scene: basename(file), error: (err as Error).message }));
    return undefined;
  });
  if (!prepared) continue;
  const repeat = Math.max(1, Number(values.repeat ?? (reference ? 1 : 3)) || 1);
  const materials: CyclesMaterials = reference || materialsArg === 'auto' ? (isLambertian(prepared) ? 'lambert' : 'importer') : materialsArg;
  const stem = prepared.name.replace(/\.glb$/, '');
  let best: Awaited<ReturnType<typeof benchScene>> | undefined;
  let c: CyclesResult | undefined;
  let leastCpu: { cpuSeconds: number; cpuNsPerSample: number } | undefined;
  for (let i = 0; i < repeat; i++) {
    const r = await benchScene(prepared, opts);
    if (!leastCpu || r.cpuSeconds < leastCpu.cpuSeconds) leastCpu = { cpuSeconds: r.cpuSeconds, cpuNsPerSample: r.cpuNsPerSample };
    if (!best || r.seconds < best.seconds) best = r;
    if (cycles) {
      const png = values.png ? resolve(values.png, `${stem}-cycles.png`) : undefined;
      const rc = runCycles(file, prepared, { ...opts, materials, png });
      if (!c || rc.cyclesSeconds < c.cyclesSeconds) c = rc;
    }
  }
  // The fastest run's image and wall time; the CPU figures of the run that used the least (both from one run).
  const { pixels, ...result } = { ...best!, ...leastCpu! };
  if (values.png) savePng(values.png, stem, pixels, opts.width, opts.height);
  const difference = c ? (result.meanLuminance - c.cyclesMeanLuminance) / Math.max(c.cyclesMeanLuminance, 1e-9) : undefined;
  const similarity = c ? ssim(pixels, c.pixels, opts.width, opts.height) : undefined;
  // SSIM of 4 × 4-block means: the noise of both renders averaged, the structure compared.
  const q = c ? [downsample(pixels, opts.width, opts.height, 4), downsample(c.pixels, opts.width, opts.height, 4)] : undefined;
  const similarityBlocks = q ? ssim(q[0]!.pixels, q[1]!.pixels, q[0]!.width, q[0]!.height) : undefined;
  let line: Record<string, unknown> = { ...result, repeat };
  if (reference) {
    line = { scene: result.scene, reference: c ? `cycles-${materials}` : 'none (blender missing)', width: opts.width, height: opts.height, spp: opts.spp, maxDepth: opts.maxDepth, meanLuminance: result.meanLuminance, referenceMeanLuminance: c?.cyclesMeanLuminance, meanLuminanceDifference: difference, ssim: similarity, ssim4x4: similarityBlocks };
  } else if (c) {
    line = {
      ...result,
      repeat,
      cyclesMaterials: materials,
      cyclesSeconds: c.cyclesSeconds,
      cyclesSamplesPerSecond: (opts.width * opts.height * opts.spp) / c.cyclesSeconds,
      ratio: c.cyclesSeconds / result.seconds,
      meanLuminanceDifference: difference,
      ssim: similarity,
      ssim4x4: similarityBlocks,
    };
  }
  console.log(JSON.stringify(line));
}
