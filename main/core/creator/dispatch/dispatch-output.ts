/**
 * Writes a dispatched job's frames as its results arrive: when every task of a frame is
 * accepted, its tiles are stitched and the frame written (atomically) to the job's output
 * folder. Also run once at start, so frames completed before a restart are not lost.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { frameFileName } from '../../../../shared/job-spec';
import type { BlobStore } from '../../store';
import { stitch, writeFrame } from '../../output/assembler';
import type { Dispatcher } from './dispatcher';

/** A frame written to disk. */
export interface FrameWritten {
  jobId: string;
  frame: number;
  path: string;
}

/** Assembles frames of the dispatcher's jobs into their output folders. */
export class DispatchOutput {
  /** Frames written, with the result hashes they were stitched from (a tile re-rendered after a forfeit rewrites its frame). */
  private readonly written = new Map<string, string>();
  private readonly listeners = new Set<(f: FrameWritten) => void>();

  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly blobs: BlobStore,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    dispatcher.onTaskDone((e) => this.tryFrame(e.jobId, e.task.frame));
  }

  /** Writes every complete frame of every job that is not on disk yet. */
  catchUp(): void {
    for (const p of this.dispatcher.list()) {
      const j = this.dispatcher.job(p.id);
      if (!j?.row.outDir || j.tasks.length === 0 || !j.tasks[0]) continue;
      for (const f of new Set(j.tasks.map((t) => t.frame))) this.tryFrame(p.id, f);
    }
  }

  /** Frames written for a job so far. */
  framesWritten(jobId: string): number {
    let n = 0;
    for (const k of this.written.keys()) if (k.startsWith(`${jobId}/`)) n++;
    return n;
  }

  /**
   * A complete frame's linear RGBA floats, stitched from its accepted results (undefined while
   * a task of it has none): what a creator-side step such as denoising starts from, rather
   * than the tone-mapped file.
   */
  framePixels(jobId: string, frame: number): Float32Array | undefined {
    const j = this.dispatcher.job(jobId);
    if (!j || !this.complete(jobId, frame)) return undefined;
    const results = this.dispatcher.results(jobId);
    const tiles = j.tasks
      .filter((t) => t.frame === frame)
      .map((t) => {
        const b = this.blobs.get(results.get(t.index)!);
        return { rect: t.rect, pixels: new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)) };
      });
    return stitch(tiles, j.row.spec.width, j.row.spec.height);
  }

  /** Called with each frame once it is written. */
  onFrame(fn: (f: FrameWritten) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private complete(jobId: string, frame: number): boolean {
    const j = this.dispatcher.job(jobId);
    const results = this.dispatcher.results(jobId);
    const tasks = j?.tasks.filter((t) => t.frame === frame) ?? [];
    return tasks.length > 0 && tasks.every((t) => results.has(t.index));
  }

  private tryFrame(jobId: string, frame: number): void {
    const key = `${jobId}/${frame}`;
    const j = this.dispatcher.job(jobId);
    if (!j?.row.outDir) return;
    const spec = j.row.spec;
    const path = join(j.row.outDir, frameFileName(frame, spec.output));
    if (!this.complete(jobId, frame)) return;
    const results = this.dispatcher.results(jobId);
    const from = j.tasks
      .filter((t) => t.frame === frame)
      .map((t) => results.get(t.index))
      .join();
    const before = this.written.get(key);
    if (before === from) return;
    if (before === undefined && existsSync(path)) {
      this.written.set(key, from);
      return;
    }
    try {
      writeFrame(j.row.outDir, frame, this.framePixels(jobId, frame)!, spec.width, spec.height, spec.output);
      this.written.set(key, from);
      for (const l of this.listeners) l({ jobId, frame, path });
    } catch (err) {
      this.log(`dispatch: could not write frame ${frame} of ${jobId}: ${(err as Error).message}`);
    }
  }
}
