/**
 * Proof of render for Blender jobs: the creator re-renders its secret patches of a result
 * with its own Blender (the job's major.minor, on the CPU) as border renders of the packed
 * .blend — all patches of a result in one Blender run — and the verifier compares them as it
 * does the native engine's.
 *
 * Tolerance. Measured here (Debian's Blender 3.4.1, this CPU): border renders of a region are
 * bit-identical to the full frame across thread counts (1, 2) and Cycles tile sizes (16 px,
 * whole frame), and the patches of one run equal separate runs — an honest CPU result has
 * error 0. CPU↔GPU could not be measured here (no GPU, and Debian's Blender is built without
 * CUDA/OptiX). Blender's own render tests accept a GPU image when at most about 1 % of its
 * pixels differ beyond a small threshold, so Blender results allow 1 % of the checked pixels
 * past REL_TOL (the native engine allows 0.2 %, measured on an H200); REL_TOL and GROSS_TOL
 * stay the native engine's. Every cheat of `bench:verify --kind blender` misses by far more.
 */
import { isBlenderSpec } from '../../../../shared/job-spec';
import type { JobSpec } from '../../../../shared/job-spec';
import type { Verdict } from '../../net/result/messages';
import type { VerifyInput } from '../dispatch/dispatch-types';
import type { BlendPackage, BlendTaskRenderer } from '../../render/blend-task';
import type { PatchBatchRenderer, PatchRenderer, Verifier, VerifierOptions } from './verifier';

/** Mismatched pixels a Blender result may have, as a fraction of the pixels checked (see above). */
export const BLENDER_MISMATCH_ALLOWANCE = 0.01;
/**
 * Pixels and patches checked per Blender result. A Blender check pays seconds of start-up and
 * scene loading whatever it renders, while one more patch in the same run costs milliseconds
 * (the scene stays loaded): so it checks eight times the native engine's minimum, in up to
 * 128 patches — a tile with a few blocks skipped is then hit far more often than with the
 * native engine's 16 patches of a small tile (bench:verify --kind blender).
 */
export const BLENDER_MIN_PIXELS = 2048;
export const BLENDER_MAX_PATCHES = 128;

/**
 * The verifier's renderers for Blender jobs: `pkgFor` gives the packed .blend of a job's spec.
 * `renderer` may be found late (the app probes its Blender on first use): a function is asked
 * for it at each check.
 */
export function blendPatchRenderers(renderer: BlendTaskRenderer | (() => Promise<BlendTaskRenderer>), pkgFor: (spec: JobSpec) => BlendPackage): Pick<VerifierOptions, 'render' | 'renderMany' | 'mismatchAllowance' | 'minPixels' | 'maxPatches'> {
  const get = typeof renderer === 'function' ? renderer : async () => renderer;
  const renderMany: PatchBatchRenderer = async (spec, task, rects, opts) => (await (await get()).renderRects(pkgFor(spec), spec, task.frame, rects, opts.spp ? { spp: opts.spp } : {})).pixels;
  const render: PatchRenderer = async (spec, task, rect, opts) => (await renderMany(spec, task, [rect], opts.spp ? { spp: opts.spp } : {}))[0]!;
  return { render, renderMany, mismatchAllowance: BLENDER_MISMATCH_ALLOWANCE, minPixels: BLENDER_MIN_PIXELS, maxPatches: BLENDER_MAX_PATCHES };
}

/**
 * The dispatcher's verify hook for a creator with Blender (a studio farm that checks its
 * operators): Blender results go through proof of render with `verifier` (built with
 * blendPatchRenderers), the rest through `otherwise`.
 */
export function blendVerifyHook(verifier: Verifier, otherwise: (input: VerifyInput) => Verdict | Promise<Verdict>): (input: VerifyInput) => Promise<Verdict> {
  return async (input) => {
    if (!isBlenderSpec(input.spec)) return otherwise(input);
    const r = await verifier.verify({ jobId: input.jobId, leaseId: input.header.leaseId, spec: input.spec, task: input.task, pixels: input.pixels, resultHash: input.header.sha256 });
    return r.verdict === 'accepted' ? { verdict: 'accepted' } : { verdict: 'rejected', reason: r.reason ?? 'the result did not pass proof of render' };
  };
}
