/**
 * What a creator asks the network to render, and how a job splits into tasks. Pure (zod
 * only): the UI validates with it, the estimator and dispatcher split with it, and an
 * operator derives each task's seed from it, so every side agrees on what a task is.
 */
import { z } from 'zod';

/** Largest width or height of a frame, in pixels. */
export const MAX_RESOLUTION = 16384;
/** Largest number of pixels in one frame (8192 × 8192). */
export const MAX_PIXELS = 8192 * 8192;
/** Largest samples per pixel. */
export const MAX_SPP = 65536;
/** Largest number of frames in one job. */
export const MAX_FRAMES = 100_000;
/** Largest frame number a job may name (frame n shows time n / fps). */
export const MAX_FRAME_INDEX = 10_000_000;
/** Largest number of tiles along one axis. */
export const MAX_TILES_PER_AXIS = 64;
/** Largest path length (bounces). */
export const MAX_DEPTH = 64;

/** Engine ids of Blender jobs: `blender-cycles/<major.minor>`. */
export const BLENDER_ENGINE_RE = /^blender-cycles\/\d{1,2}\.\d{1,3}$/;

/** True when a spec is rendered by Blender's Cycles rather than the built-in path tracer. */
export function isBlenderSpec(spec: { engine?: string | undefined }): boolean {
  return spec.engine !== undefined && BLENDER_ENGINE_RE.test(spec.engine);
}

/** Output file formats: PNG is sRGB-encoded, EXR is linear. */
export const OutputFormatSchema = z.enum(['png8', 'png16', 'exr-half', 'exr-float']);
export type OutputFormat = z.infer<typeof OutputFormatSchema>;

/** Service tiers; see shared/pricing.ts for their rates and fees. */
export const TierSchema = z.enum(['economy', 'priority', 'trusted']);
export type Tier = z.infer<typeof TierSchema>;

const unitColor = z.tuple([z.number().min(0).max(1000), z.number().min(0).max(1000), z.number().min(0).max(1000)], {
  error: 'expected three numbers [r, g, b] in linear colour',
});

/**
 * The light around the scene. `auto`: the scene's own environment map if it has one; else
 * nothing when it has punctual lights or emissive surfaces bright enough to see by; else the
 * neutral studio (main/core/engine/world-light.ts). `default`: always the studio.
 * `{color}`: a uniform background of that linear colour. `{hdri}`: the environment map
 * packed in the scene whose .hdr file has that sha256, times `intensity`. `none`: black.
 */
export const EnvironmentSchema = z.union([
  z.literal('auto'),
  z.literal('default'),
  z.literal('none'),
  z.object({ color: unitColor }).strict(),
  z
    .object({
      hdri: z.string({ error: 'the environment map must be named by the sha256 of its .hdr file' }).regex(/^[0-9a-f]{64}$/, { error: 'the environment map must be named by the sha256 of its .hdr file (64 lower-case hex characters), not by a path' }),
      intensity: z.number({ error: 'the environment intensity must be a number' }).min(0, { error: 'the environment intensity cannot be negative' }).max(1000, { error: 'the environment intensity can be at most 1000' }).optional(),
    })
    .strict(),
], { error: "the environment must be 'auto', 'default', 'none', {color: [r, g, b]} or {hdri: sha256}" });
export type Environment = z.infer<typeof EnvironmentSchema>;

const int = (what: string) => z.number({ error: `${what} must be a number` }).int({ error: `${what} must be a whole number` });

/** The frames a job renders: start..end inclusive, every `step`-th. */
export const FrameRangeSchema = z
  .object({
    start: int('the first frame').min(0, { error: 'the first frame cannot be negative' }).max(MAX_FRAME_INDEX, { error: `the first frame can be at most ${MAX_FRAME_INDEX}` }),
    end: int('the last frame').min(0, { error: 'the last frame cannot be negative' }).max(MAX_FRAME_INDEX, { error: `the last frame can be at most ${MAX_FRAME_INDEX}` }),
    step: int('the frame step').min(1, { error: 'the frame step must be at least 1' }).default(1),
  })
  .strict()
  .check((ctx) => {
    const f = ctx.value;
    if (f.end < f.start) {
      ctx.issues.push({ code: 'custom', input: f.end, path: ['end'], message: `the last frame (${f.end}) comes before the first (${f.start})` });
    } else if (Math.floor((f.end - f.start) / f.step) + 1 > MAX_FRAMES) {
      ctx.issues.push({ code: 'custom', input: f, path: [], message: `a job renders at most ${MAX_FRAMES} frames` });
    }
  });
export type FrameRange = z.infer<typeof FrameRangeSchema>;

/** One render job as the creator specifies it. */
export const JobSpecSchema = z
  .object({
    /** sha256 of the packaged GLB or packed .blend (the scene id). */
    sceneId: z.string().regex(/^[0-9a-f]{64}$/, { error: 'the scene id must be a sha256 in lower-case hex (64 characters)' }),
    /** Index of a glTF camera (in scene order), or `auto`: the scene's first camera, else one framing the scene. */
    camera: z.union([int('the camera index').min(0, { error: 'the camera index cannot be negative' }).max(1000), z.literal('auto')]).default('auto'),
    width: int('the width')
      .min(16, { error: 'the width must be at least 16 pixels' })
      .max(MAX_RESOLUTION, { error: `the width can be at most ${MAX_RESOLUTION} pixels` }),
    height: int('the height')
      .min(16, { error: 'the height must be at least 16 pixels' })
      .max(MAX_RESOLUTION, { error: `the height can be at most ${MAX_RESOLUTION} pixels` }),
    spp: int('samples per pixel')
      .min(1, { error: 'samples per pixel must be at least 1' })
      .max(MAX_SPP, { error: `samples per pixel can be at most ${MAX_SPP}` }),
    frames: FrameRangeSchema.default({ start: 0, end: 0, step: 1 }),
    /** Frames per second of the animation: frame n shows time n / fps. */
    fps: z.number({ error: 'fps must be a number' }).positive({ error: 'fps must be above 0' }).max(1000, { error: 'fps can be at most 1000' }).default(24),
    /** Each frame split into tilesX × tilesY tasks (a still is usually split; 1 × 1 means whole frames). */
    tiles: z
      .object({
        x: int('tiles across').min(1, { error: 'tiles across must be at least 1' }).max(MAX_TILES_PER_AXIS, { error: `at most ${MAX_TILES_PER_AXIS} tiles across` }),
        y: int('tiles down').min(1, { error: 'tiles down must be at least 1' }).max(MAX_TILES_PER_AXIS, { error: `at most ${MAX_TILES_PER_AXIS} tiles down` }),
      })
      .strict()
      .default({ x: 1, y: 1 }),
    seed: int('the seed').min(0, { error: 'the seed cannot be negative' }).max(0xffffffff, { error: 'the seed must fit in 32 bits' }).default(1),
    /** Longest light path, in bounces. */
    maxDepth: int('bounces').min(1, { error: 'bounces must be at least 1' }).max(MAX_DEPTH, { error: `bounces can be at most ${MAX_DEPTH}` }).default(8),
    output: OutputFormatSchema.default('png8'),
    tier: TierSchema.default('economy'),
    environment: EnvironmentSchema.default('auto'),
    /**
     * The renderer the job needs: absent, the built-in path tracer (the scene is a GLB);
     * `blender-cycles/<major.minor>`, Blender's Cycles of that version (the scene is a packed
     * .blend; Cycles' pixels change between minor versions, so operators need the same one).
     */
    engine: z.string().regex(BLENDER_ENGINE_RE, { error: 'the engine must be blender-cycles/<major.minor>, e.g. blender-cycles/3.4' }).optional(),
  })
  .strict()
  .check((ctx) => {
    const s = ctx.value;
    if (s.width * s.height > MAX_PIXELS) {
      ctx.issues.push({ code: 'custom', input: s, path: ['width'], message: `a frame can have at most ${MAX_PIXELS} pixels (${s.width} × ${s.height} is too many)` });
    }
    if (s.tiles.x > s.width || s.tiles.y > s.height) {
      ctx.issues.push({ code: 'custom', input: s.tiles, path: ['tiles'], message: 'there cannot be more tiles than pixels along a side' });
    }
  });
/** A validated job spec (defaults applied). */
export type JobSpec = z.output<typeof JobSpecSchema>;
/** A job spec as a caller writes it (defaults optional). */
export type JobSpecInput = z.input<typeof JobSpecSchema>;

/** One field's problem, for showing next to that field. */
export interface SpecProblem {
  /** Dotted path of the field (`frames.end`), or '' for the spec as a whole. */
  field: string;
  message: string;
}

/** The outcome of validating a spec: the parsed spec, or every problem found. */
export type SpecValidation = { ok: true; spec: JobSpec } | { ok: false; problems: SpecProblem[]; message: string };

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** Validates untrusted input; each problem names its field and the reason in words. */
export function validateJobSpec(input: unknown): SpecValidation {
  const r = JobSpecSchema.safeParse(input);
  if (r.success) return { ok: true, spec: r.data };
  const problems = r.error.issues.map((i) => {
    const field = i.path.map(String).join('.');
    let message = i.message;
    if (i.code === 'invalid_type' && valueAt(input, i.path) === undefined) message = `${field || 'the spec'} is required`;
    if (i.code === 'unrecognized_keys') message = `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    return { field, message };
  });
  return { ok: false, problems, message: problems.map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join('; ') };
}

/** A pixel rectangle, x and y from the top-left corner. */
export interface TaskRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One unit of work: a whole frame or one tile of it. */
export interface Task {
  /** Position in the job's task list. */
  index: number;
  /** Stable name, e.g. `f0012` or `f0000-t1x2`. */
  id: string;
  frame: number;
  /** Tile column and row (0, 0 for whole frames). */
  tileX: number;
  tileY: number;
  rect: TaskRect;
}

/** The frame numbers a job renders, in order. */
export function jobFrames(spec: Pick<JobSpec, 'frames'>): number[] {
  const out: number[] = [];
  for (let f = spec.frames.start; f <= spec.frames.end; f += spec.frames.step) out.push(f);
  return out;
}

/** Splits [0, size) into n nearly equal spans that cover it exactly. */
export function splitSpan(size: number, n: number): { start: number; length: number }[] {
  const out: { start: number; length: number }[] = [];
  for (let i = 0; i < n; i++) {
    const start = Math.floor((i * size) / n);
    const end = Math.floor(((i + 1) * size) / n);
    out.push({ start, length: end - start });
  }
  return out;
}

/** The job's tasks: every frame, each split into tiles that cover it exactly, row by row. */
export function splitJob(spec: Pick<JobSpec, 'frames' | 'tiles' | 'width' | 'height'>): Task[] {
  const cols = splitSpan(spec.width, spec.tiles.x);
  const rows = splitSpan(spec.height, spec.tiles.y);
  const tiled = spec.tiles.x * spec.tiles.y > 1;
  const tasks: Task[] = [];
  for (const frame of jobFrames(spec)) {
    for (let ty = 0; ty < rows.length; ty++) {
      for (let tx = 0; tx < cols.length; tx++) {
        const f = String(frame).padStart(4, '0');
        tasks.push({
          index: tasks.length,
          id: tiled ? `f${f}-t${tx}x${ty}` : `f${f}`,
          frame,
          tileX: tx,
          tileY: ty,
          rect: { x: cols[tx]!.start, y: rows[ty]!.start, width: cols[tx]!.length, height: rows[ty]!.length },
        });
      }
    }
  }
  return tasks;
}

/**
 * Task number `index` of the job, computed without listing the others (a job can have
 * hundreds of millions of tasks); undefined when the job has no such task. Equal to
 * `splitJob(spec)[index]`: an operator checks every lease's task against it.
 */
export function taskAt(spec: Pick<JobSpec, 'frames' | 'tiles' | 'width' | 'height'>, index: number): Task | undefined {
  const perFrame = spec.tiles.x * spec.tiles.y;
  if (!Number.isSafeInteger(index) || index < 0) return undefined;
  const frameIndex = Math.floor(index / perFrame);
  const frame = spec.frames.start + frameIndex * spec.frames.step;
  if (frame > spec.frames.end) return undefined;
  const inFrame = index - frameIndex * perFrame;
  const tx = inFrame % spec.tiles.x;
  const ty = Math.floor(inFrame / spec.tiles.x);
  const col = splitSpan(spec.width, spec.tiles.x)[tx]!;
  const row = splitSpan(spec.height, spec.tiles.y)[ty]!;
  const f = String(frame).padStart(4, '0');
  return {
    index,
    id: perFrame > 1 ? `f${f}-t${tx}x${ty}` : `f${f}`,
    frame,
    tileX: tx,
    tileY: ty,
    rect: { x: col.start, y: row.start, width: col.length, height: row.length },
  };
}

/** The animation time a frame shows, in seconds. */
export function frameTime(spec: Pick<JobSpec, 'fps'>, frame: number): number {
  return frame / spec.fps;
}

/**
 * The engine seed of one frame: the job seed mixed with the frame number, so frames get
 * different noise while every tile of a frame shares one random stream (tiles must stitch
 * into exactly the full-frame render).
 */
export function frameSeed(spec: Pick<JobSpec, 'seed'>, frame: number): number {
  // splitmix32-style mixing; Math.imul keeps it in 32-bit integers on every platform.
  let h = (spec.seed ^ Math.imul(frame + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The output file name of a frame, e.g. `frame-0001.png`. */
export function frameFileName(frame: number, format: OutputFormat): string {
  return `frame-${String(frame).padStart(4, '0')}.${format.startsWith('exr') ? 'exr' : 'png'}`;
}
