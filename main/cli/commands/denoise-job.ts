/**
 * `rayfarm submit FILE.blend --denoise`: once a network job's frames are verified and written,
 * each is denoised with the creator's own Blender (OpenImageDenoise) into `OUT/denoised/`.
 * The verified, noisy frames stay as they are: proof of render checks those pixels, and a
 * denoiser that fails loses nothing.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { frameFileName } from '../../../shared/job-spec';
import type { JobSpec } from '../../../shared/job-spec';
import { denoiseFrame } from '../../core/blender/denoise';
import type { BlenderInstall } from '../../core/blender/locate';
import type { DispatchOutput } from '../../core/creator/dispatch/dispatch-output';
import type { NetService } from '../../core/node/net-service';
import { writeFrame } from '../../core/output/assembler';
import { encodeExr } from '../../core/output/exr';

/** Denoises every complete frame of a job not denoised yet; returns the files written. */
export async function denoiseJobFrames(
  output: Pick<DispatchOutput, 'framePixels'>,
  job: { id: string; spec: JobSpec; frames: number[]; outDir: string },
  install: BlenderInstall,
  log: (line: string) => void,
): Promise<{ written: string[]; failed: number }> {
  const dir = join(job.outDir, 'denoised');
  const { width, height, output: format } = job.spec;
  const written: string[] = [];
  let failed = 0;
  for (const frame of job.frames) {
    if (existsSync(join(dir, frameFileName(frame, format)))) continue;
    const pixels = output.framePixels(job.id, frame);
    if (!pixels) continue;
    log(`rayfarm submit: denoising frame ${frame} with OpenImageDenoise`);
    try {
      const clean = await denoiseFrame(install, encodeExr(pixels, width, height, { pixelType: 'float' }), width, height);
      written.push(writeFrame(dir, frame, clean, width, height, format));
    } catch (err) {
      failed++;
      log(`rayfarm submit: frame ${frame} was not denoised (${(err as Error).message}); its verified frame is kept as rendered`);
    }
  }
  return { written, failed };
}

/** The frames a job renders, each once, in order. */
export function frameList(svc: Pick<NetService, 'dispatcher'>, jobId: string): number[] {
  return [...new Set(svc.dispatcher.job(jobId)!.tasks.map((t) => t.frame))].sort((a, b) => a - b);
}
