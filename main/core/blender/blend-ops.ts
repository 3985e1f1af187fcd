/**
 * The three things Rayfarm asks of Blender about a .blend — what it holds, a packed copy, the
 * pixels of one region of one frame — each one sandboxed run of our own script.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { totalmem, tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { RayfarmError } from '../errors';
import type { BlenderInstall } from './locate';
import { INSPECT_PY, PACK_PY, RENDER_PY } from './py';
import { runBlender } from './sandbox';
import type { SandboxKind } from './sandbox';

/** Time and memory a run may use. */
export interface BlenderLimits {
  timeoutMs?: number;
  memoryBytes?: number;
  signal?: AbortSignal;
  /** Turn bubblewrap off (tests of the unsandboxed path; a person's explicit choice). */
  sandbox?: boolean;
}

/** The memory a Blender run may take unless told otherwise: most of this machine, never all of it. */
export function defaultMemoryLimit(): number {
  return Math.max(2 * 2 ** 30, Math.floor(totalmem() * 0.75));
}

/** A file a .blend points to, as Blender resolved it. */
export interface BlendExternalFile {
  kind: 'image' | 'library' | 'font' | 'sound' | 'movie' | 'volume' | 'cache';
  /** The data-block's name in the file. */
  name: string;
  /** Absolute path as Blender resolved it. */
  path: string;
  /** Already inside the .blend. */
  packed: boolean;
  /** How many data-blocks use it (0: an orphan, never rendered). */
  users: number;
  /** Materials (and worlds) that show it. */
  usedBy: string[];
}

/** A physics simulation in the scene and whether its cache is in the file. */
export interface BlendSimulation {
  object: string;
  kind: string;
  baked: boolean;
  /** Cached in files beside the .blend (which cannot be packed). */
  diskCache: boolean;
}

/** What INSPECT_PY reports about a .blend. */
export interface BlendInfo {
  blenderVersion: string;
  savedWith: string;
  scene: string;
  scenes: string[];
  engine: string;
  frameStart: number;
  frameEnd: number;
  frameStep: number;
  fps: number;
  resolutionX: number;
  resolutionY: number;
  resolutionPercentage: number;
  width: number;
  height: number;
  samples: number;
  adaptiveSampling: boolean;
  denoising: boolean;
  timeLimit: number;
  animatedSeed: boolean;
  /** Cycles' seed in the file. */
  seed: number;
  cameras: string[];
  camera: string | null;
  outputFormat: string;
  colorDepth: string;
  viewTransform: string;
  compositing: boolean;
  externalFiles: BlendExternalFile[];
  simulations: BlendSimulation[];
  scripts: string[];
  oslMaterials: string[];
}

function limits(l: BlenderLimits, timeoutMs: number) {
  return {
    timeoutMs: l.timeoutMs ?? timeoutMs,
    memoryBytes: l.memoryBytes ?? defaultMemoryLimit(),
    ...(l.signal ? { signal: l.signal } : {}),
    ...(l.sandbox === false ? { sandbox: false } : {}),
  };
}

function checkBlendFile(file: string): void {
  const head = Buffer.alloc(12);
  let read = 0;
  try {
    const fd = openSync(file, 'r');
    try {
      read = readSync(fd, head, 0, 12, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    throw new RayfarmError('SCENE_NOT_FOUND', `${file} does not exist or cannot be read.`);
  }
  // Blender's own header; a compressed .blend starts with gzip's (before 3.0) or zstd's magic.
  const plain = head.subarray(0, 7).toString('latin1') === 'BLENDER';
  const gz = head[0] === 0x1f && head[1] === 0x8b;
  const zstd = head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd;
  if (read < 12 || (!plain && !gz && !zstd)) throw new RayfarmError('SCENE_NOT_BLEND', `${basename(file)} is not a Blender file.`);
}

/**
 * Opens a .blend (scripts off) and reports what it holds. Blender reads only the .blend: the
 * files it points to are looked for by the caller (scene/blend-check.ts), never opened here.
 */
export async function inspectBlend(install: BlenderInstall, file: string, l: BlenderLimits = {}): Promise<{ info: BlendInfo; sandbox: SandboxKind }> {
  checkBlendFile(file);
  const work = mkdtempSync(join(tmpdir(), 'rayfarm-blend-inspect-'));
  try {
    // Only the file itself: what it points to is looked for here, outside the sandbox.
    const r = await runBlender<BlendInfo>({ blender: install.path, script: INSPECT_PY, config: {}, blendFile: file, readOnly: [file], writable: work, ...limits(l, 120_000) });
    return { info: r.result, sandbox: r.sandbox };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Writes a copy of the .blend with every external file packed into it and linked data made
 * local; returns its bytes. Blender reads the .blend's folder only and writes one temp folder.
 */
export async function packBlend(install: BlenderInstall, file: string, l: BlenderLimits = {}): Promise<Uint8Array> {
  checkBlendFile(file);
  const work = mkdtempSync(join(tmpdir(), 'rayfarm-blend-pack-'));
  try {
    const out = join(work, 'packed.blend');
    await runBlender({ blender: install.path, script: PACK_PY, config: { out }, blendFile: file, readOnly: [dirname(file)], writable: work, ...limits(l, 600_000) });
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Regions of one frame to render. */
export interface BlendRegions {
  frame: number;
  width: number;
  height: number;
  rects: { x: number; y: number; width: number; height: number }[];
  spp: number;
  /** Cycles' seed, 0 to 2^31 − 1. */
  seed: number;
  /** Render threads (0 or absent: all). */
  threads?: number;
  /** Cycles' tile size (absent: one tile). */
  tileSize?: number;
  /** CPU (default) or a GPU backend Blender reported. */
  device?: string;
}

/** Most regions one Blender run renders (the verifier's patches of one result). */
export const MAX_REGIONS = 256;

/**
 * Renders regions of a frame of a packed .blend in one Blender run; returns each region's
 * linear RGBA float pixels, rows top-down like the native engine's tiles. Blender sees only
 * the .blend and its own temp folder.
 */
export async function renderBlendRegions(install: BlenderInstall, file: string, job: BlendRegions, l: BlenderLimits = {}): Promise<{ pixels: Float32Array[]; seconds: number; renderSeconds: number[]; sandbox: SandboxKind }> {
  if (job.rects.length === 0 || job.rects.length > MAX_REGIONS) throw new RayfarmError('BLENDER_BAD_REGIONS', `A Blender run renders 1 to ${MAX_REGIONS} regions, not ${job.rects.length}.`);
  for (const r of job.rects) {
    const ok = [r.x, r.y, r.width, r.height].every(Number.isInteger) && r.x >= 0 && r.y >= 0 && r.width > 0 && r.height > 0 && r.x + r.width <= job.width && r.y + r.height <= job.height;
    if (!ok) throw new RayfarmError('BLENDER_BAD_REGIONS', `The region ${r.width}×${r.height} at (${r.x}, ${r.y}) is not inside the ${job.width}×${job.height} frame.`);
  }
  const work = mkdtempSync(join(tmpdir(), 'rayfarm-blend-render-'));
  try {
    const out = join(work, 'region');
    const config = { frame: job.frame, width: job.width, height: job.height, rects: job.rects.map((r) => [r.x, r.y, r.width, r.height]), spp: job.spp, seed: job.seed, threads: job.threads ?? 0, tileSize: job.tileSize ?? 0, device: job.device ?? 'CPU', out };
    const r = await runBlender<{ renderSeconds?: unknown }>({ blender: install.path, script: RENDER_PY, config, blendFile: file, readOnly: [file], writable: work, ...limits(l, 3_600_000) });
    // Each region's render time as Blender measured it (start-up and file load excluded).
    const times = Array.isArray(r.result.renderSeconds) ? r.result.renderSeconds.map(Number) : [];
    const renderSeconds = job.rects.map((_, i) => (Number.isFinite(times[i]) && times[i]! >= 0 ? times[i]! : r.seconds / job.rects.length));
    const pixels = job.rects.map((rect, i) => {
      const raw = readFileSync(`${out}.${i}`);
      const n = rect.width * rect.height * 4;
      if (raw.byteLength !== n * 4) throw new RayfarmError('BLENDER_FAILED', `Blender wrote ${raw.byteLength} bytes for a ${rect.width}×${rect.height} region.`);
      const bottomUp = new Float32Array(new Uint8Array(raw).buffer);
      // Blender's rows run bottom-up; the pipeline's run top-down.
      const px = new Float32Array(n);
      const row = rect.width * 4;
      for (let y = 0; y < rect.height; y++) px.set(bottomUp.subarray((rect.height - 1 - y) * row, (rect.height - y) * row), y * row);
      return px;
    });
    return { pixels, seconds: r.seconds, renderSeconds, sandbox: r.sandbox };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
