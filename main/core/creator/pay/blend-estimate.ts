/**
 * The estimate of a Blender job from short probe renders of the file on this machine: a
 * region of the first and last frames at the job's samples, and a one-pixel, one-sample run
 * that measures what every task pays whatever its size (Blender's start-up, loading the file,
 * building the BVH). A task then costs that fixed part plus the probe's per-pixel time over its
 * pixels; bench-hours and the price follow as for glTF. The local score is the native engine's
 * benchmark (a Cycles benchmark per device is not done yet), so a Blender bench-hour is priced
 * by this machine's speed at the built-in path tracer.
 */
import { benchHours, quote } from '../../../../shared/pricing';
import { jobFrames, splitJob } from '../../../../shared/job-spec';
import type { JobSpec, TaskRect } from '../../../../shared/job-spec';
import type { Estimate } from '../../../../shared/api/scenes';
import type { BlendPackage, BlendTaskRenderer } from '../../render/blend-task';

/** The probe region of a frame: its centre, a quarter of each side (at least 8 px, at most the frame). */
export function probeRect(width: number, height: number): TaskRect {
  const w = Math.min(width, Math.max(8, Math.ceil(width / 4)));
  const h = Math.min(height, Math.max(8, Math.ceil(height / 4)));
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

/** Estimates a Blender job by probe renders with this machine's Blender. */
export async function estimateBlendJob(renderer: BlendTaskRenderer, pkg: BlendPackage, spec: JobSpec, opts: { localScore: number; baseRatePerBH: bigint; nodes: number; nodeScore?: number }): Promise<Estimate> {
  const frames = jobFrames(spec);
  const probeFrames = [...new Set([frames[0]!, frames[frames.length - 1]!])];
  const rect = probeRect(spec.width, spec.height);
  const fixed = await renderer.renderRect(pkg, { ...spec, spp: 1 }, probeFrames[0]!, { x: 0, y: 0, width: 1, height: 1 });
  const probes: Estimate['probes'] = [];
  for (const frame of probeFrames) {
    const r = await renderer.renderRect(pkg, spec, frame, rect);
    probes.push({ frame, pixels: rect.width * rect.height, spp: spec.spp, seconds: r.seconds, loadSeconds: fixed.seconds });
  }
  const perPixel = Math.max(0, probes.reduce((s, p) => s + (p.seconds - fixed.seconds), 0) / probes.length) / (rect.width * rect.height);
  const tasks = splitJob(spec).length;
  const seconds = tasks * fixed.seconds + perPixel * spec.width * spec.height * frames.length;
  const bh = benchHours(seconds, opts.localScore);
  const q = quote(bh, spec.tier, opts.baseRatePerBH);
  const nodeScore = opts.nodeScore ?? opts.localScore;
  const nodes = Math.min(opts.nodes, tasks);
  return {
    benchHours: bh,
    tasks,
    frames: frames.length,
    localSeconds: seconds,
    localScore: opts.localScore,
    secondsPerTaskAtReference: (bh * 3600) / tasks,
    tier: spec.tier,
    price: q.price,
    fee: q.fee,
    feeBps: q.feeBps,
    operators: q.operators,
    rate: q.rate,
    wallTime: { nodes: opts.nodes, nodeScore, seconds: (seconds * (opts.localScore / nodeScore)) / Math.max(1, nodes) },
    probes,
    // Blender probes are rendered for each estimate; they are not kept in the estimate cache.
    measured: true,
  };
}
