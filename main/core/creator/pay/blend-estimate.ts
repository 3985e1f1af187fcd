/**
 * The estimate of a Blender job from short probe renders of the file on this machine. On the
 * first and last frames, one Blender run renders two 1-pixel regions and then a grid of small
 * regions spread over the frame (so a probe is not all sky or all subject), each timed inside
 * Blender. What a task pays whatever its size — Blender's start-up, loading the file, building
 * the scene (the first 1-pixel render) — is the run's time less its later renders, charged once
 * per task; a pixel costs the grid's render time (less a render call's overhead, the second
 * 1-pixel render) over the grid's pixels. bench-hours and the price follow as for glTF, at this
 * machine's Cycles score (blender/cycles-bench.ts): Blender work is priced in Cycles time.
 */
import { benchHours, quote } from '../../../../shared/pricing';
import { jobFrames, splitJob } from '../../../../shared/job-spec';
import type { JobSpec, TaskRect } from '../../../../shared/job-spec';
import type { Estimate } from '../../../../shared/api/scenes';
import type { BlendPackage, BlendTaskRenderer } from '../../render/blend-task';

/** Probe regions per side of the frame's grid. */
export const PROBE_GRID = 4;

/**
 * The probe regions of a frame: a PROBE_GRID × PROBE_GRID grid of regions, each a third of its
 * cell's side (at least 4 px), centred in its cell — about a ninth of the frame's pixels.
 */
export function probeRects(width: number, height: number): TaskRect[] {
  const w = Math.min(width, Math.max(4, Math.round(width / (3 * PROBE_GRID))));
  const h = Math.min(height, Math.max(4, Math.round(height / (3 * PROBE_GRID))));
  const rects: TaskRect[] = [];
  for (let gy = 0; gy < PROBE_GRID; gy++) {
    for (let gx = 0; gx < PROBE_GRID; gx++) {
      const x = Math.min(width - w, Math.max(0, Math.round(((gx + 0.5) * width) / PROBE_GRID - w / 2)));
      const y = Math.min(height - h, Math.max(0, Math.round(((gy + 0.5) * height) / PROBE_GRID - h / 2)));
      rects.push({ x, y, width: w, height: h });
    }
  }
  return rects;
}

/** Estimates a Blender job by probe renders with this machine's Blender. */
export async function estimateBlendJob(renderer: BlendTaskRenderer, pkg: BlendPackage, spec: JobSpec, opts: { localScore: number; baseRatePerBH: bigint; nodes: number; nodeScore?: number }): Promise<Estimate> {
  const frames = jobFrames(spec);
  const probeFrames = [...new Set([frames[0]!, frames[frames.length - 1]!])];
  const grid = probeRects(spec.width, spec.height);
  const gridPixels = grid.reduce((n, r) => n + r.width * r.height, 0);
  // The first 1-pixel render builds the scene; the second measures a render call's own overhead.
  const warm: TaskRect[] = [
    { x: 0, y: 0, width: 1, height: 1 },
    { x: spec.width - 1, y: spec.height - 1, width: 1, height: 1 },
  ];
  const probes: Estimate['probes'] = [];
  for (const frame of probeFrames) {
    const r = await renderer.renderRects(pkg, spec, frame, [...warm, ...grid]);
    const t = r.renderSeconds;
    const overhead = t[1] ?? 0;
    const work = t.slice(2).reduce((n, x) => n + Math.max(0, x - overhead), 0);
    const fixed = Math.max(0, r.seconds - t.slice(1).reduce((n, x) => n + x, 0));
    probes.push({ frame, pixels: gridPixels, spp: spec.spp, seconds: work, loadSeconds: fixed });
  }
  const perPixel = probes.reduce((n, p) => n + p.seconds, 0) / (gridPixels * probes.length);
  const fixed = probes.reduce((n, p) => n + p.loadSeconds, 0) / probes.length;
  const tasks = splitJob(spec).length;
  // Start-up, load and scene build once per task; the pixels' work once per pixel of every frame.
  const seconds = tasks * fixed + perPixel * spec.width * spec.height * frames.length;
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
