/**
 * output/ — images and job folders: PNG (png.ts) and our own OpenEXR writer and reader
 * (exr.ts), tile assembly (assembler.ts) and what a job has produced for the job page and
 * downloads (this file).
 *
 * What a job has produced, for the job page: each task's state, each frame's file, small
 * thumbnails and full-size views (with an exposure control for EXR), and the downloads
 * the headless UI offers (one frame, or every frame as a zip).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { Zip, ZipPassThrough } from 'fflate';
import { frameFileName, jobFrames, splitJob } from '../../../shared/job-spec';
import type { JobSpec } from '../../../shared/job-spec';
import type { Download } from '../downloads';
import { RayfarmError } from '../errors';
import type { BlobStore } from '../store';
import { decodeExr } from './exr';
import { decodePng, encodePng } from './png';
import { srgbToLinear } from '../../../shared/srgb';

/** A task's state as the grid colours it. */
export type OutputTaskState = 'pending' | 'leased' | 'done' | 'failed';

/** One task of a job, where it sits in its frame, and how far it got. */
export interface OutputTask {
  index: number;
  frame: number;
  tileX: number;
  tileY: number;
  rect: { x: number; y: number; width: number; height: number };
  state: OutputTaskState;
}

/** One frame: its file once written and a thumbnail of it. */
export interface OutputFrame {
  frame: number;
  file: string | null;
  thumbHash: string | null;
}

/** Everything the job page needs about the output. */
export interface JobOutput {
  jobId: string;
  outDir: string | null;
  format: JobSpec['output'];
  width: number;
  height: number;
  tilesX: number;
  tilesY: number;
  tasks: OutputTask[];
  frames: OutputFrame[];
}

const THUMB_WIDTH = 192;

/** Linear RGBA float pixels of a written frame (PNG decoded from sRGB, EXR as stored). */
export function readFramePixels(path: string): { pixels: Float32Array; width: number; height: number; hdr: boolean } {
  const bytes = readFileSync(path);
  if (path.endsWith('.exr')) {
    const img = decodeExr(bytes);
    return { pixels: img.pixels, width: img.width, height: img.height, hdr: true };
  }
  const png = decodePng(bytes);
  const max = png.bits === 16 ? 65535 : 255;
  const out = new Float32Array(png.width * png.height * 4);
  for (let i = 0; i < out.length; i++) out[i] = (i & 3) === 3 ? png.samples[i]! / max : srgbToLinear(png.samples[i]! / max);
  return { pixels: out, width: png.width, height: png.height, hdr: false };
}

/** Box-filters RGBA pixels down to `width` (keeping the aspect); returns them unchanged when smaller. */
export function downscale(pixels: Float32Array, w: number, h: number, width: number): { pixels: Float32Array; width: number; height: number } {
  if (w <= width) return { pixels, width: w, height: h };
  const height = Math.max(1, Math.round((h * width) / w));
  const out = new Float32Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor((y * h) / height);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * h) / height));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor((x * w) / width);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * w) / width));
      const n = (y1 - y0) * (x1 - x0);
      for (let c = 0; c < 4; c++) {
        let s = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += pixels[(yy * w + xx) * 4 + c]!;
        out[(y * width + x) * 4 + c] = s / n;
      }
    }
  }
  return { pixels: out, width, height };
}

/** A frame as an 8-bit sRGB PNG, scaled by 2^exposure (stops) and optionally shrunk. */
export function framePreviewPng(path: string, exposure = 0, maxWidth?: number): { png: Uint8Array; width: number; height: number; hdr: boolean } {
  const f = readFramePixels(path);
  const gain = Math.pow(2, exposure);
  let pixels = f.pixels;
  if (gain !== 1) {
    pixels = new Float32Array(f.pixels);
    for (let i = 0; i < pixels.length; i++) if ((i & 3) !== 3) pixels[i]! *= gain;
  }
  const small = maxWidth ? downscale(pixels, f.width, f.height, maxWidth) : { pixels, width: f.width, height: f.height };
  return { png: encodePng(small.pixels, small.width, small.height, 8), width: small.width, height: small.height, hdr: f.hdr };
}

interface JobRow {
  spec: string;
  out_dir: string | null;
}

/** Reads a dispatched job's output from SQLite and its output folder. */
export class JobOutputReader {
  /** Thumbnails already made, by file path and modification time. */
  private readonly thumbs = new Map<string, string>();

  constructor(
    private readonly db: Database,
    private readonly blobs: BlobStore,
  ) {}

  private row(jobId: string): { spec: JobSpec; outDir: string | null } {
    const row = this.db.prepare('SELECT spec, out_dir FROM dispatch_jobs WHERE id = ?').get(jobId) as JobRow | undefined;
    if (!row) throw new RayfarmError('JOB_NOT_FOUND', `There is no job ${jobId} on this computer.`);
    return { spec: JSON.parse(row.spec) as JobSpec, outDir: row.out_dir };
  }

  /** The job's tasks with their states and its frames with files and thumbnails. */
  output(jobId: string): JobOutput {
    const { spec, outDir } = this.row(jobId);
    const states = new Map<number, string>(
      (this.db.prepare('SELECT idx, state FROM dispatch_tasks WHERE job_id = ?').all(jobId) as { idx: number; state: string }[]).map((r) => [r.idx, r.state]),
    );
    const tasks: OutputTask[] = splitJob(spec).map((t) => {
      const s = states.get(t.index) ?? 'pending';
      return { index: t.index, frame: t.frame, tileX: t.tileX, tileY: t.tileY, rect: t.rect, state: (['pending', 'leased', 'done', 'failed'].includes(s) ? s : 'pending') as OutputTaskState };
    });
    const frames = jobFrames(spec).map((frame): OutputFrame => {
      const file = outDir ? join(outDir, frameFileName(frame, spec.output)) : null;
      if (!file || !existsSync(file)) return { frame, file: null, thumbHash: null };
      return { frame, file, thumbHash: this.thumbnail(file) };
    });
    return { jobId, outDir, format: spec.output, width: spec.width, height: spec.height, tilesX: spec.tiles.x, tilesY: spec.tiles.y, tasks, frames };
  }

  private thumbnail(file: string): string | null {
    const key = `${file}:${statSync(file).mtimeMs}`;
    const hit = this.thumbs.get(key);
    if (hit) return hit;
    try {
      const hash = this.blobs.put(framePreviewPng(file, 0, THUMB_WIDTH).png);
      this.thumbs.set(key, hash);
      return hash;
    } catch {
      // A frame being replaced right now; the next poll makes its thumbnail.
      return null;
    }
  }

  /** The path of a written frame, or a clear error. */
  framePath(jobId: string, frame: number): string {
    const { spec, outDir } = this.row(jobId);
    if (!jobFrames(spec).includes(frame)) throw new RayfarmError('JOB_NO_SUCH_FRAME', `Frame ${frame} is not part of job ${jobId}.`);
    const file = outDir ? join(outDir, frameFileName(frame, spec.output)) : null;
    if (!file || !existsSync(file)) throw new RayfarmError('JOB_FRAME_NOT_READY', `Frame ${frame} has not been rendered yet.`);
    return file;
  }

  /** `/download/job/<jobId>/<frame file | frames.zip>`: a frame, or every written frame as a zip. */
  download(segments: string[]): Download | undefined {
    const [jobId, name] = segments;
    if (!jobId || !name || segments.length !== 2) return undefined;
    let out: JobOutput;
    try {
      out = this.output(jobId);
    } catch {
      return undefined;
    }
    const written = out.frames.filter((f): f is OutputFrame & { file: string } => f.file !== null);
    if (name === 'frames.zip') {
      if (written.length === 0) return undefined;
      return { name: `rayfarm-${jobId}.zip`, contentType: 'application/zip', open: () => zipStream(written.map((f) => f.file)) };
    }
    const frame = written.find((f) => f.file.endsWith(`/${name}`) || f.file.endsWith(`\\${name}`));
    if (!frame) return undefined;
    const type = name.endsWith('.exr') ? 'image/x-exr' : 'image/png';
    return { name, contentType: type, size: statSync(frame.file).size, open: () => Readable.from([readFileSync(frame.file)]) };
  }
}

/** Streams files into a zip (stored, not deflated: PNG and EXR are already compressed). */
function zipStream(files: string[]): Readable {
  const out = new Readable({ read() {} });
  const zip = new Zip((err, chunk, final) => {
    if (err) return void out.destroy(err);
    out.push(Buffer.from(chunk));
    if (final) out.push(null);
  });
  for (const file of files) {
    const entry = new ZipPassThrough(file.split(/[\\/]/).pop()!);
    zip.add(entry);
    entry.push(readFileSync(file), true);
  }
  zip.end();
  return out;
}
