/**
 * `rayfarm submit --denoise` after verification: a denoiser that cannot run loses nothing.
 * The verified frames are left as they are, no half-written denoised file appears, and each
 * frame says in words why it was not denoised. (The denoise pass itself needs a Blender
 * built with OpenImageDenoise, which Debian's is not: see denoise.test.ts.)
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../../../shared/job-spec';
import type { BlenderInstall } from '../../../../main/core/blender';
import { denoiseJobFrames } from '../../../../main/cli/commands/denoise-job';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const without: BlenderInstall = { path: '/nonexistent/blender', version: '3.4.1', majorMinor: '3.4', devices: [{ type: 'CPU', name: 'CPU' }], denoiser: false, sandbox: 'none' };
const spec = JobSpecSchema.parse({ sceneId: 'a'.repeat(64), width: 16, height: 16, spp: 1, frames: { start: 1, end: 3 } });

describe('denoiseJobFrames', () => {
  it('keeps every verified frame and writes nothing when the denoiser cannot run, saying why for each frame', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'rf-denoise-job-'));
    dirs.push(outDir);
    const asked: number[] = [];
    const output = { framePixels: (_job: string, frame: number) => (asked.push(frame), new Float32Array(16 * 16 * 4).fill(0.25)) };
    const log: string[] = [];
    const r = await denoiseJobFrames(output, { id: 'job', spec, frames: [1, 2, 3], outDir }, without, (l) => log.push(l));
    expect(r).toEqual({ written: [], failed: 3 });
    expect(asked).toEqual([1, 2, 3]);
    expect(existsSync(join(outDir, 'denoised')) ? readdirSync(join(outDir, 'denoised')) : []).toEqual([]);
    expect(log.filter((l) => /frame \d was not denoised \(Denoising is not available: this Blender was built without OpenImageDenoise.*\); its verified frame is kept as rendered/.test(l))).toHaveLength(3);
  });

  it('leaves a frame denoised before (a resumed job) and frames without every result alone', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'rf-denoise-job-'));
    dirs.push(outDir);
    mkdirSync(join(outDir, 'denoised'));
    writeFileSync(join(outDir, 'denoised', 'frame-0001.png'), 'kept');
    const asked: number[] = [];
    const output = { framePixels: (_job: string, frame: number) => (asked.push(frame), frame === 3 ? undefined : new Float32Array(16 * 16 * 4)) };
    const r = await denoiseJobFrames(output, { id: 'job', spec, frames: [1, 2, 3], outDir }, without, () => undefined);
    expect(asked).toEqual([2, 3]);
    expect(r.failed).toBe(1);
  });
});
