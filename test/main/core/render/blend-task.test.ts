import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitJob, validateJobSpec } from '../../../../shared/job-spec';
import type { JobSpec } from '../../../../shared/job-spec';
import { findBlender } from '../../../../main/core/blender';
import type { BlenderInstall } from '../../../../main/core/blender';
import { stitch } from '../../../../main/core/output/assembler';
import { BlendTaskRenderer } from '../../../../main/core/render/blend-task';
import type { BlendPackage } from '../../../../main/core/render/blend-task';
import { prepareBlend } from '../../../../main/core/scene/blend-prepare';
import { ANIMATE_CAMERA_PY, BASE_SCENE_PY, blenderPath, makeBlend, sayIfNoBlender, texturedCubePy, writePngPy } from '../../../helpers/blender';

sayIfNoBlender('Blender task render tests');
const ROOT = resolve(import.meta.dirname, '../../../..');
const root = mkdtempSync(join(tmpdir(), 'rayfarm-blend-task-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dir(name: string): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
}

async function pack(install: BlenderInstall, file: string): Promise<BlendPackage> {
  const r = await prepareBlend(install, file);
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  const path = join(root, `${r.sceneId}.blend`);
  writeFileSync(path, r.blend);
  return { sceneHash: r.sceneId, file: path };
}

function spec(pkg: BlendPackage, install: BlenderInstall, over: Partial<JobSpec> = {}): JobSpec {
  const v = validateJobSpec({ sceneId: pkg.sceneHash, engine: `blender-cycles/${install.majorMinor}`, width: 64, height: 48, spp: 8, frames: { start: 2, end: 2 }, ...over });
  if (!v.ok) throw new Error(v.message);
  return v.spec;
}

async function renderFrame(r: BlendTaskRenderer, pkg: BlendPackage, s: JobSpec, opts: { threads?: number; tileSize?: number } = {}): Promise<Float32Array> {
  const tiles = [];
  for (const t of splitJob(s)) tiles.push({ rect: t.rect, pixels: (await r.renderTask(pkg, s, t, opts)).pixels });
  return stitch(tiles, s.width, s.height);
}

describe.skipIf(!blenderPath)('a Blender task, rendered deterministically', () => {
  let install: BlenderInstall;
  let renderer: BlendTaskRenderer;
  let anim: BlendPackage;
  beforeAll(async () => {
    install = (await findBlender())!;
    renderer = new BlendTaskRenderer(install);
    const file = join(dir('anim'), 'anim.blend');
    makeBlend(file, BASE_SCENE_PY + ANIMATE_CAMERA_PY);
    anim = await pack(install, file);
  });

  it('border-rendered tiles stitch into exactly the full frame (other threads, other Cycles tiles)', async () => {
    const whole = spec(anim, install);
    const full = await renderFrame(renderer, anim, whole, { threads: 2 });
    expect(full.length).toBe(64 * 48 * 4);
    expect(full.every(Number.isFinite)).toBe(true);
    // Lit and not flat: the cube, the plane and the sky differ.
    expect(Math.max(...full) - Math.min(...full)).toBeGreaterThan(0.1);
    const tiled = await renderFrame(renderer, anim, spec(anim, install, { tiles: { x: 2, y: 2 } }), { threads: 1, tileSize: 16 });
    expect(Buffer.from(tiled.buffer).equals(Buffer.from(full.buffer))).toBe(true);
    // Another sample count is another picture: the comparison above can fail.
    const more = await renderFrame(renderer, anim, spec(anim, install, { spp: 9 }), { threads: 2 });
    expect(Buffer.from(more.buffer).equals(Buffer.from(full.buffer))).toBe(false);
  });

  it('any region of a frame comes back with its own size and the full frame\'s pixels (border rounding)', async () => {
    // 160 × 120: fractions like 119/120 are not exact in Blender's 32-bit border, which it truncates.
    const s = spec(anim, install, { width: 160, height: 120, spp: 2 });
    const full = (await renderer.renderRect(anim, s, 2, { x: 0, y: 0, width: 160, height: 120 })).pixels;
    const rects = [];
    for (let y = 0; y < 120; y += 1) rects.push({ x: 159, y, width: 1, height: 1 });
    for (let x = 0; x < 160; x += 3) rects.push({ x, y: 119 - (x % 5), width: Math.min(1 + (x % 4), 160 - x), height: 1 + (x % 5) });
    const got = await renderer.renderRects(anim, s, 2, rects);
    let off = 0;
    rects.forEach((rc, k) => {
      for (let yy = 0; yy < rc.height; yy++) for (let xx = 0; xx < rc.width; xx++) for (let c = 0; c < 4; c++) if (got.pixels[k]![(yy * rc.width + xx) * 4 + c] !== full[((rc.y + yy) * 160 + rc.x + xx) * 4 + c]) off++;
    });
    expect(off).toBe(0);
  });

  it('a .blend with packed textures renders them, without the texture files', async () => {
    const d = dir('tex');
    const png = join(d, 'checker.png');
    const file = join(d, 'tex.blend');
    makeBlend(file, `${BASE_SCENE_PY}${writePngPy(png)}${texturedCubePy(png)}`);
    const textured = await pack(install, file);
    unlinkSync(png);
    const a = await renderFrame(renderer, textured, spec(textured, install));
    const b = await renderFrame(renderer, anim, spec(anim, install, { frames: { start: 0, end: 0, step: 1 } }));
    // The red and green checks show on the cube; a missing image would be magenta (red and blue, no green).
    const count = (px: Float32Array, f: (r: number, g: number, b: number) => boolean) => {
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (f(px[i]!, px[i + 1]!, px[i + 2]!)) n++;
      return n;
    };
    const red = (r: number, g: number, bl: number) => r > g + 0.05 && r > bl + 0.05;
    const green = (r: number, g: number, bl: number) => g > r + 0.05 && g > bl + 0.05;
    const magenta = (r: number, g: number, bl: number) => r > g + 0.1 && bl > g + 0.1;
    expect(count(a, red)).toBeGreaterThan(5);
    expect(count(a, green)).toBeGreaterThan(5);
    expect(count(a, magenta)).toBe(0);
    expect(count(b, red) + count(b, green)).toBe(0);
  });

  it('refuses a job for another Blender version, in words', async () => {
    const s = { ...spec(anim, install), engine: 'blender-cycles/2.93' };
    await expect(renderer.renderTask(anim, s, splitJob(s)[0]!)).rejects.toMatchObject({ code: 'BLENDER_VERSION_MISMATCH', message: expect.stringMatching(/needs Blender 2\.93/) });
  });

  it('a task past its time limit is stopped and reported', async () => {
    const slow = new BlendTaskRenderer(install, { timeoutMs: 5000 });
    const s = spec(anim, install, { spp: 60000, width: 320, height: 240 });
    await expect(slow.renderTask(anim, s, splitJob(s)[0]!)).rejects.toMatchObject({ code: 'BLENDER_TIMEOUT' });
  });

  it('`rayfarm render FILE.blend` writes the file\'s frames, tiles or not, identically', () => {
    const file = join(dir('cli'), 'cli.blend');
    makeBlend(file, BASE_SCENE_PY + ANIMATE_CAMERA_PY);
    const run = (out: string, tiles: string) => spawnSync(process.execPath, [join(ROOT, 'bin/rayfarm.mjs'), 'render', file, '--out', out, '--frames', '3-4', '--tiles', tiles, '--format', 'png16', '--json'], { cwd: ROOT, encoding: 'utf8' });
    const a = run(join(root, 'out-a'), '1');
    expect(a.status, a.stderr).toBe(0);
    const b = run(join(root, 'out-b'), '2');
    expect(b.status, b.stderr).toBe(0);
    const ja = JSON.parse(a.stdout) as { files: string[]; spec: JobSpec };
    expect(ja.files.map((f) => f.replace(/^.*\//, ''))).toEqual(['frame-0003.png', 'frame-0004.png']);
    expect(ja.spec).toMatchObject({ width: 64, height: 48, spp: 8, engine: `blender-cycles/${install.majorMinor}` });
    for (const f of ['frame-0003.png', 'frame-0004.png']) expect(readFileSync(join(root, 'out-a', f)).equals(readFileSync(join(root, 'out-b', f)))).toBe(true);
    expect(readFileSync(join(root, 'out-a', 'frame-0003.png')).equals(readFileSync(join(root, 'out-a', 'frame-0004.png')))).toBe(false);
  }, 240_000);
});
