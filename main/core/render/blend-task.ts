/**
 * The one way a task of a Blender job becomes pixels, for `rayfarm render`, operators and the
 * verifier alike: the packed .blend rendered by Cycles with everything that could differ
 * between machines pinned (the spec's seed for every frame, no animated seed, no time limit, no adaptive
 * sampling, no denoising), a tile as a border render cropped to the tile. The pixels come
 * back as the native engine's do (linear RGBA float, rows top-down), so assembly, output
 * and proof of render are unchanged.
 */
import type { JobSpec, Task, TaskRect } from '../../../shared/job-spec';
import { blenderVersionOf, MAX_REGIONS, renderBlendRegions } from '../blender';
import type { BlenderInstall, BlenderLimits, SandboxKind } from '../blender';
import { RayfarmError } from '../errors';

/** A packed .blend on disk (the blob store's file, or the CLI's package). */
export interface BlendPackage {
  sceneHash: string;
  /** Path of the packed .blend; Blender reads it and nothing else. */
  file: string;
}

/** What a Blender render returns: the pixels and what the run cost. */
export interface BlendTaskResult {
  pixels: Float32Array;
  seconds: number;
  sandbox: SandboxKind;
}

/** Options of one render. */
export interface BlendRenderOptions {
  threads?: number;
  signal?: AbortSignal;
  /** Cycles' tile size in pixels (absent: the region as one tile). */
  tileSize?: number;
}

/**
 * The Cycles seed of every frame of a Blender job: the spec's seed as it is (Cycles takes 0 to
 * 2^31 − 1), the same for all frames as Blender renders a file with "animated seed" off — so a
 * frame equals Blender's own `-f` render of the file when the spec's seed is the file's.
 */
export function blenderSeed(spec: Pick<JobSpec, 'seed'>): number {
  return spec.seed % 2 ** 31;
}

/** Refuses a job whose Blender version this machine does not have, in words. */
export function checkBlenderVersion(install: BlenderInstall, spec: Pick<JobSpec, 'engine'>): void {
  const wanted = blenderVersionOf(spec.engine);
  if (!wanted) throw new RayfarmError('BLENDER_WRONG_JOB', 'This job is not a Blender job.');
  if (wanted !== install.majorMinor) {
    throw new RayfarmError('BLENDER_VERSION_MISMATCH', `This job needs Blender ${wanted}; this machine has Blender ${install.version}. Cycles renders other pixels in another version, so the result could not be verified.`, { details: { wanted, have: install.majorMinor } });
  }
}

/** Renders the tasks (and verification patches) of Blender jobs with one Blender install. */
export class BlendTaskRenderer {
  constructor(
    private readonly install: BlenderInstall,
    private readonly limits: BlenderLimits = {},
  ) {}

  /** The Blender this renderer runs. */
  get blender(): BlenderInstall {
    return this.install;
  }

  /** Renders one task of a job: the task's rect of its frame. */
  renderTask(pkg: BlendPackage, spec: JobSpec, task: Task, opts: BlendRenderOptions = {}): Promise<BlendTaskResult> {
    return this.renderRect(pkg, spec, task.frame, task.rect, opts);
  }

  /** Renders any rect of a frame of the job — a task, or a patch the verifier checks. */
  async renderRect(pkg: BlendPackage, spec: JobSpec, frame: number, rect: TaskRect, opts: BlendRenderOptions = {}): Promise<BlendTaskResult> {
    const r = await this.renderRects(pkg, spec, frame, [rect], opts);
    return { pixels: r.pixels[0]!, seconds: r.seconds, sandbox: r.sandbox };
  }

  /** Renders several rects of a frame, one Blender start-up per MAX_REGIONS of them (the verifier's patches). */
  async renderRects(pkg: BlendPackage, spec: JobSpec, frame: number, rects: TaskRect[], opts: BlendRenderOptions & { spp?: number } = {}): Promise<{ pixels: Float32Array[]; seconds: number; renderSeconds: number[]; sandbox: SandboxKind }> {
    checkBlenderVersion(this.install, spec);
    const pixels: Float32Array[] = [];
    const renderSeconds: number[] = [];
    let seconds = 0;
    let sandbox: SandboxKind = 'none';
    for (let i = 0; i < rects.length; i += MAX_REGIONS) {
      const r = await renderBlendRegions(
        this.install,
        pkg.file,
        {
          frame,
          width: spec.width,
          height: spec.height,
          rects: rects.slice(i, i + MAX_REGIONS),
          spp: opts.spp ?? spec.spp,
          seed: blenderSeed(spec),
          ...(opts.threads ? { threads: opts.threads } : {}),
          ...(opts.tileSize ? { tileSize: opts.tileSize } : {}),
        },
        { ...this.limits, ...(opts.signal ? { signal: opts.signal } : {}) },
      );
      pixels.push(...r.pixels);
      renderSeconds.push(...r.renderSeconds);
      seconds += r.seconds;
      sandbox = r.sandbox;
    }
    return { pixels, seconds, renderSeconds, sandbox };
  }
}
