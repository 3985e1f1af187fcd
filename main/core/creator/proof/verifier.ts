/**
 * creator/proof/ — proof of render: the verifier (this file), the secret-keyed choice of
 * patches it re-renders (verify-sample.ts, verify-secret.ts), and the vouchers it signs for
 * what passed, with their Merkle roots (voucher-ledger.ts, merkle.ts).
 *
 * Proof of render: the creator's check of one result before it is paid.
 *
 * 1. Form: the pixel count matches the task, every value is a finite, non-negative number
 *    with alpha 1, and the SHA-256 of the bytes is the one the operator signed.
 * 2. Constant frames: a result whose pixels are all equal is rejected unless a quick
 *    1-sample preview of the same region is constant too (a black or flat frame is only
 *    right where the scene really is flat there).
 * 3. Re-render: about 1 % of the pixels (at least MIN_SAMPLE_PIXELS), in square patches (4 × 4
 *    or larger, at most MAX_PATCHES of them, since each engine call has a fixed cost) chosen
 *    from HMAC(creator secret, job, task, lease) — secret, so an operator cannot predict
 *    them, and independent of the result's bytes, so flipping a bit of a rejected result
 *    draws the very same patches (the dispatcher reads one result per lease anyway) — are
 *    rendered again here on the CPU with the task's seed and
 *    samples. The engine is deterministic per (seed, pixel, sample): an honest CPU result
 *    is bit-identical, an honest CUDA result differs by float rounding only. Measured on
 *    the four sample scenes (128², 8 and 64 spp, an H200 against this CPU), the largest
 *    difference was below 1e-2 × (|v| + 1e-4), with one pixel in 16 384 above 1e-3 ×. A
 *    channel passes when |got − expected| ≤ REL_TOL × (|expected| + ABS_FLOOR), two to
 *    twenty times that margin. A render with fewer samples, another seed (another job),
 *    another region (a copied frame) or edited pixels misses it by far more.
 * 4. One checked pixel off by more than GROSS_TOL rejects the result, and so do more than
 *    k = max(1, ⌊MISMATCH_ALLOWANCE · n⌋) pixels off by more than REL_TOL. A cheat that alters
 *    a fraction f of the pixels by more than GROSS_TOL is caught with probability
 *    1 − (1 − f)^n for n pixels checked (verify-sample.ts: detectionProbability) when the
 *    altered pixels are scattered, 1 − (1 − f)^patches when they come in blobs larger than
 *    a patch; by between REL_TOL and GROSS_TOL, with probability P(Binomial(n, f) > k).
 *    A render with fewer samples, another seed or another region mismatches in most pixels.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isBlenderSpec } from '../../../../shared/job-spec';
import type { JobSpec, Task, TaskRect } from '../../../../shared/job-spec';
import { choosePatches, patchSide, sampleKey, samplePixelCount, MAX_PATCHES, MIN_SAMPLE_PIXELS, PATCH_SIZE, SAMPLE_FRACTION } from './verify-sample';
import type { SceneRenderer } from '../../render/render-task';
import { sha256Hex } from '../../store';

/** Relative tolerance of a re-rendered channel: a pixel beyond it is a mismatch. */
export const REL_TOL = 0.02;
/** A pixel beyond this relative error is gross: one rejects the result. */
export const GROSS_TOL = 0.25;
/**
 * Mismatches (between REL_TOL and GROSS_TOL) tolerated per result, as a fraction of the
 * pixels checked (at least one): CUDA rounding can send one sample of a pixel down another
 * path; on an H200 that left about one pixel in 10^5 a few per cent off the CPU.
 */
export const MISMATCH_ALLOWANCE = 0.002;
/** Added to |expected| so near-black pixels get an absolute tolerance of REL_TOL × ABS_FLOOR. */
export const ABS_FLOOR = 1e-3;

/** Renders `rect` (frame coordinates) of a task at the spec's seed; `spp` overrides the samples. */
export type PatchRenderer = (spec: JobSpec, task: Task, rect: TaskRect, opts: { spp?: number; threads?: number }) => Promise<Float32Array>;

/**
 * Renders many rects of a task in one go (Blender: one start-up and scene load for all of a
 * result's patches); when given, the verifier uses it instead of one `render` per patch.
 */
export type PatchBatchRenderer = (spec: JobSpec, task: Task, rects: TaskRect[], opts: { spp?: number }) => Promise<Float32Array[]>;

/** Why a result was refused. */
export type VerifyFailure = 'RESULT_BAD_SIZE' | 'RESULT_NOT_FINITE' | 'RESULT_BAD_HASH' | 'RESULT_CONSTANT' | 'RESULT_MISMATCH';

/** One re-rendered patch and the largest error found in it. */
export interface PatchCheck {
  x: number;
  y: number;
  width: number;
  height: number;
  /** max over its pixels and channels of |got − expected| / (|expected| + ABS_FLOOR). */
  maxError: number;
}

/** The verifier's verdict on one result, with what it checked. */
export interface VerificationReport {
  verdict: 'accepted' | 'rejected';
  code?: VerifyFailure;
  reason?: string;
  /** Pixels re-rendered. */
  pixelsChecked: number;
  /** Checked pixels outside the tolerance. */
  mismatchedPixels: number;
  /** Largest relative error over the checked pixels. */
  maxError: number;
  patches: PatchCheck[];
  /** Wall time of the whole check, and of its re-renders. */
  verifyMs: number;
  renderMs: number;
}

/** A result to check. */
export interface ResultToVerify {
  jobId: string;
  /** The lease the result was delivered on: with the task, it picks the patches. */
  leaseId: string;
  spec: JobSpec;
  task: Task;
  pixels: Float32Array;
  /** sha256 hex of the pixel bytes, as signed by the operator. */
  resultHash: string;
  /** false: the form and hash checks only, no re-render (the audit plan skipped this result). */
  reRender?: boolean;
}

/** Verifier settings. */
export interface VerifierOptions {
  /** The creator's secret; with the task and lease it picks the patches. Keep it private. */
  secret: Uint8Array;
  render: PatchRenderer;
  renderMany?: PatchBatchRenderer;
  fraction?: number;
  minPixels?: number;
  /** Smallest patch side, and most patches per result. */
  patchSize?: number;
  maxPatches?: number;
  relTol?: number;
  grossTol?: number;
  mismatchAllowance?: number;
  absFloor?: number;
  /**
   * Patch renders in flight at once. The addon runs each render on a libuv pool thread
   * (UV_THREADPOOL_SIZE, 4 by default), so more would only queue; each render then gets
   * its share of the cores as worker threads.
   */
  parallel?: number;
  /** Engine threads per patch render (default: the cores' share, when a patch has enough samples to split). */
  threadsPerPatch?: number;
}

/** The creator's proof-of-render check. */
export class Verifier {
  private readonly fraction: number;
  private readonly minPixels: number;
  private readonly patch: number;
  private readonly maxPatches: number;
  private readonly relTol: number;
  private readonly grossTol: number;
  private readonly allowance: number;
  private readonly absFloor: number;
  private readonly parallel: number;
  private readonly threads: number;

  constructor(private readonly o: VerifierOptions) {
    this.fraction = o.fraction ?? SAMPLE_FRACTION;
    this.minPixels = o.minPixels ?? MIN_SAMPLE_PIXELS;
    this.patch = o.patchSize ?? PATCH_SIZE;
    this.maxPatches = o.maxPatches ?? MAX_PATCHES;
    this.relTol = o.relTol ?? REL_TOL;
    this.grossTol = o.grossTol ?? GROSS_TOL;
    this.allowance = o.mismatchAllowance ?? MISMATCH_ALLOWANCE;
    this.absFloor = o.absFloor ?? ABS_FLOOR;
    const cores = availableParallelism();
    this.parallel = Math.max(1, o.parallel ?? Math.min(cores, Number(process.env.UV_THREADPOOL_SIZE) || 4));
    this.threads = Math.max(1, o.threadsPerPatch ?? Math.floor(cores / this.parallel));
  }

  /** Checks one result; never throws for a bad result (only for a failing engine). */
  async verify(r: ResultToVerify): Promise<VerificationReport> {
    const started = performance.now();
    const { rect } = r.task;
    const n = rect.width * rect.height;
    const base = { pixelsChecked: 0, mismatchedPixels: 0, maxError: 0, patches: [] as PatchCheck[], renderMs: 0 };
    const reject = (code: VerifyFailure, reason: string, extra: Partial<VerificationReport> = {}): VerificationReport => ({
      ...base,
      ...extra,
      verdict: 'rejected',
      code,
      reason,
      verifyMs: performance.now() - started,
    });

    if (r.pixels.length !== n * 4) return reject('RESULT_BAD_SIZE', `the result has ${r.pixels.length / 4} pixels, the task ${n}`);
    // Cycles keeps the film's alpha (a transparent background is the artist's choice).
    const form = checkForm(r.pixels, !isBlenderSpec(r.spec));
    if (form) return reject('RESULT_NOT_FINITE', form);
    const hash = sha256Hex(new Uint8Array(r.pixels.buffer, r.pixels.byteOffset, r.pixels.byteLength));
    if (hash !== r.resultHash) return reject('RESULT_BAD_HASH', 'the pixels do not match the hash the operator signed');

    if (r.reRender === false) return { ...base, verdict: 'accepted', verifyMs: performance.now() - started };

    let renderMs = 0;
    const render = async (rect: TaskRect, spp?: number): Promise<Float32Array> => {
      const t0 = performance.now();
      // Splitting a patch costs a thread start each (tens of µs): worth it past ~512 samples per thread.
      const threads = this.o.threadsPerPatch ?? Math.max(1, Math.min(this.threads, Math.floor((rect.width * rect.height * (spp ?? r.spec.spp)) / 512)));
      const px = await this.o.render(r.spec, r.task, rect, { threads, ...(spp ? { spp } : {}) });
      renderMs += performance.now() - t0;
      return px;
    };

    const renderAll = async (rects: TaskRect[], spp?: number): Promise<Float32Array[]> => {
      if (!this.o.renderMany) return Promise.all(rects.map((p) => render(p, spp)));
      const t0 = performance.now();
      const px = await this.o.renderMany(r.spec, r.task, rects, spp ? { spp } : {});
      renderMs += performance.now() - t0;
      return px;
    };

    const key = sampleKey(this.o.secret, r.jobId, r.task.index, r.leaseId);
    if (isConstant(r.pixels)) {
      const probes = choosePatches(rect, Math.min(n, 16), createHash('sha256').update(key).update('preview').digest(), 1);
      const previews = await renderAll(probes, 1);
      const flat = previews.every((p) => p[0] === previews[0]![0] && p[1] === previews[0]![1] && p[2] === previews[0]![2]);
      if (!flat) return reject('RESULT_CONSTANT', 'the result is one flat colour where a preview of the scene is not', { renderMs });
    }

    const count = samplePixelCount(n, this.fraction, this.minPixels);
    const patches = choosePatches(rect, count, key, patchSide(count, this.patch, this.maxPatches));
    const checks: PatchCheck[] = new Array(patches.length);
    let mismatched = 0;
    let maxError = 0;
    let pixelsChecked = 0;
    let next = 0;
    const batch = this.o.renderMany ? await renderAll(patches) : undefined;
    const work = async (): Promise<void> => {
      for (let i = next++; i < patches.length; i = next++) {
        const p = patches[i]!;
        const expected = batch ? batch[i]! : await render(p);
        let pmax = 0;
        for (let y = 0; y < p.height; y++) {
          for (let x = 0; x < p.width; x++) {
            const gi = ((p.y - rect.y + y) * rect.width + (p.x - rect.x + x)) * 4;
            const ei = (y * p.width + x) * 4;
            let e = 0;
            for (let c = 0; c < 4; c++) {
              const want = expected[ei + c]!;
              e = Math.max(e, Math.abs(r.pixels[gi + c]! - want) / (Math.abs(want) + this.absFloor));
            }
            if (e > this.relTol) mismatched++;
            if (e > pmax) pmax = e;
          }
        }
        pixelsChecked += p.width * p.height;
        if (pmax > maxError) maxError = pmax;
        checks[i] = { ...p, maxError: pmax };
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.parallel, patches.length) }, work));
    const report = { pixelsChecked, mismatchedPixels: mismatched, maxError, patches: checks, renderMs };
    const allowed = Math.max(1, Math.floor(this.allowance * pixelsChecked));
    if (maxError > this.grossTol || mismatched > allowed) {
      return reject('RESULT_MISMATCH', `${mismatched} of ${pixelsChecked} re-rendered pixels differ (largest relative error ${maxError.toPrecision(3)})`, report);
    }
    return { ...report, verdict: 'accepted', verifyMs: performance.now() - started };
  }
}

/** The first problem with the values of RGBA float pixels, or undefined; alpha must be 1 unless `opaque` is false (then within 0–1). */
export function checkForm(px: Float32Array, opaque = true): string | undefined {
  for (let i = 0; i < px.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const v = px[i + c]!;
      if (!Number.isFinite(v)) return `pixel ${i / 4} has a value that is not a finite number`;
      if (v < 0) return `pixel ${i / 4} has a negative radiance`;
    }
    const a = px[i + 3]!;
    if (opaque ? a !== 1 : !(a >= 0 && a <= 1)) return `pixel ${i / 4} has alpha ${a}, not ${opaque ? '1' : 'between 0 and 1'}`;
  }
  return undefined;
}

/** True when every pixel has the same RGB. */
export function isConstant(px: Float32Array): boolean {
  for (let i = 4; i < px.length; i += 4) {
    if (px[i] !== px[0] || px[i + 1] !== px[1] || px[i + 2] !== px[2]) return false;
  }
  return true;
}

/** A PatchRenderer over a loaded scene document (the creator keeps one per job's scene). */
export function scenePatchRenderer(scene: SceneRenderer | ((spec: JobSpec) => Promise<SceneRenderer>)): PatchRenderer {
  return async (spec, task, rect, opts) => {
    const renderer = typeof scene === 'function' ? await scene(spec) : scene;
    const s = opts.spp ? { ...spec, spp: opts.spp } : spec;
    const r = await renderer.renderTask(s, { ...task, rect }, opts.threads ? { threads: opts.threads } : {});
    return r.pixels;
  };
}
