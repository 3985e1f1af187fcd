import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { splitJob } from '../../../shared/job-spec';
import { stitch, writeFrame } from '../../core/output/assembler';
import type { TilePixels } from '../../core/output/assembler';
import { BlendTaskRenderer } from '../../core/render/blend-task';
import { denoiseFrame, requireDenoiser } from '../../core/blender/denoise';
import { encodeExr } from '../../core/output/exr';
import { blendJobSpec, prepareBlend, requireBlender } from '../../core/scene/blend-prepare';

/** What `rayfarm render` was asked for; absent values come from the .blend itself. */
export interface BlendRenderArgs {
  out: string;
  frames?: { start: number; end: number; step: number };
  spp?: number;
  width?: number;
  height?: number;
  tiles: { x: number; y: number };
  format?: string;
  seed?: number;
  threads?: number;
  blender?: string;
  /** Denoise each frame with Blender's OpenImageDenoise after it is rendered (refused without it). */
  denoise?: boolean;
  json: boolean;
}

/** `rayfarm render FILE.blend`: the local reference render of a .blend, task by task as the network renders it. */
export async function renderBlendCommand(file: string, a: BlendRenderArgs): Promise<number> {
  const install = await requireBlender(a.blender);
  // Refused before any render when this Blender cannot denoise.
  if (a.denoise) requireDenoiser(install);
  const prepared = await prepareBlend(install, resolve(file));
  if (prepared.sandbox === 'none') console.error('rayfarm render: bubblewrap is not installed: Blender runs without a sandbox (scripts still off).');
  if (!prepared.ok) {
    console.error(`${file} cannot be rendered:`);
    for (const p of prepared.problems) console.error(`  ${p.severity}  ${p.message}`);
    return 1;
  }
  for (const p of prepared.problems) console.error(`rayfarm render: warning: ${p.message}`);
  const spec = blendJobSpec(prepared.sceneId, prepared.engine, prepared.summary, a);
  const work = mkdtempSync(join(tmpdir(), 'rayfarm-render-blend-'));
  const pkg = { sceneHash: prepared.sceneId, file: join(work, `${prepared.sceneId}.blend`) };
  writeFileSync(pkg.file, prepared.blend);
  const out = resolve(a.out);
  const tasks = splitJob(spec);
  const renderer = new BlendTaskRenderer(install);
  const started = performance.now();
  const written: string[] = [];
  try {
    const byFrame = new Map<number, typeof tasks>();
    for (const t of tasks) byFrame.set(t.frame, [...(byFrame.get(t.frame) ?? []), t]);
    let done = 0;
    for (const [frame, frameTasks] of byFrame) {
      const tiles: TilePixels[] = [];
      for (const task of frameTasks) {
        process.stderr.write(`rendering frame ${frame} tile ${tiles.length + 1}/${frameTasks.length} with Blender ${install.version}  ${Math.round((done / tasks.length) * 100)}%\n`);
        const r = await renderer.renderTask(pkg, spec, task, a.threads ? { threads: a.threads } : {});
        tiles.push({ rect: task.rect, pixels: r.pixels });
        done++;
      }
      let pixels = stitch(tiles, spec.width, spec.height);
      if (a.denoise) {
        process.stderr.write(`denoising frame ${frame} with OpenImageDenoise\n`);
        pixels = await denoiseFrame(install, encodeExr(pixels, spec.width, spec.height, { pixelType: 'float' }), spec.width, spec.height);
      }
      written.push(writeFrame(out, frame, pixels, spec.width, spec.height, spec.output));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`rendered ${written.length} frame${written.length === 1 ? '' : 's'} (${tasks.length} task${tasks.length === 1 ? '' : 's'}) with Blender ${install.version} in ${seconds.toFixed(1)} s into ${out}\n`);
  if (a.json) console.log(JSON.stringify({ sceneId: prepared.sceneId, spec, files: written, seconds, blender: install.version }));
  return 0;
}
