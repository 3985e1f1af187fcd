/**
 * Node animation at one instant: evaluates every glTF animation channel (LINEAR, STEP,
 * CUBICSPLINE; quaternions slerped) at time t, giving each animated node its pose.
 */
import type { AnimationSampler, Document, Node } from '@gltf-transform/core';
import { readFloats } from './accessor-data';
import { slerp } from './mat4';

/** The animated parts of one node's local transform and morph weights. */
export interface NodePose {
  translation?: number[];
  rotation?: number[];
  scale?: number[];
  weights?: number[];
}

/** One animation's name and the time range its keyframes span, in seconds. */
export interface AnimationRange {
  name: string;
  start: number;
  end: number;
  channels: number;
}

/** The time range of each animation. */
export function animationRanges(doc: Document): AnimationRange[] {
  return doc
    .getRoot()
    .listAnimations()
    .map((a, i) => {
      let start = Infinity;
      let end = -Infinity;
      for (const s of a.listSamplers()) {
        const input = s.getInput();
        if (!input || input.getCount() === 0) continue;
        const t = readFloats(input);
        start = Math.min(start, t[0]!);
        end = Math.max(end, t[t.length - 1]!);
      }
      if (start === Infinity) {
        start = 0;
        end = 0;
      }
      return { name: a.getName() || `animation ${i}`, start, end, channels: a.listChannels().length };
    });
}

interface SamplerData {
  times: Float32Array;
  values: Float32Array;
  interpolation: string;
}

const samplerCache = new WeakMap<AnimationSampler, SamplerData>();

function samplerData(s: AnimationSampler): SamplerData | undefined {
  const cached = samplerCache.get(s);
  if (cached) return cached;
  const input = s.getInput();
  const output = s.getOutput();
  if (!input || !output || input.getCount() === 0) return undefined;
  const d = { times: readFloats(input), values: readFloats(output), interpolation: s.getInterpolation() };
  samplerCache.set(s, d);
  return d;
}

/** Evaluates one sampler with `k` numbers per value at time t. */
export function sampleAt(d: SamplerData, k: number, t: number, isRotation: boolean): number[] {
  const { times, values, interpolation } = d;
  const n = times.length;
  const cubic = interpolation === 'CUBICSPLINE';
  const stride = cubic ? 3 * k : k;
  const offset = cubic ? k : 0; // the value sits between the in- and out-tangents
  const valueAt = (i: number): number[] => Array.from(values.subarray(i * stride + offset, i * stride + offset + k));
  if (n === 1 || t <= times[0]!) return valueAt(0);
  if (t >= times[n - 1]!) return valueAt(n - 1);
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid;
    else hi = mid;
  }
  const t0 = times[lo]!;
  const dt = times[hi]! - t0;
  const u = dt > 0 ? (t - t0) / dt : 0;
  if (interpolation === 'STEP') return valueAt(lo);
  if (!cubic) {
    const a = valueAt(lo);
    const b = valueAt(hi);
    if (isRotation) return slerp(a, b, u);
    return a.map((v, i) => v + (b[i]! - v) * u);
  }
  const u2 = u * u;
  const u3 = u2 * u;
  const h00 = 2 * u3 - 3 * u2 + 1;
  const h10 = u3 - 2 * u2 + u;
  const h01 = -2 * u3 + 3 * u2;
  const h11 = u3 - u2;
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const v0 = values[lo * stride + k + i]!;
    const b0 = values[lo * stride + 2 * k + i]!; // out-tangent of the key before
    const v1 = values[hi * stride + k + i]!;
    const a1 = values[hi * stride + i]!; // in-tangent of the key after
    out.push(h00 * v0 + h10 * dt * b0 + h01 * v1 + h11 * dt * a1);
  }
  if (isRotation) {
    const l = Math.hypot(...out) || 1;
    return out.map((v) => v / l);
  }
  return out;
}

/** The pose of every animated node at time t (all animations play together). */
export function evaluateAnimations(doc: Document, time: number): Map<Node, NodePose> {
  const poses = new Map<Node, NodePose>();
  for (const anim of doc.getRoot().listAnimations()) {
    for (const ch of anim.listChannels()) {
      const node = ch.getTargetNode();
      const sampler = ch.getSampler();
      const path = ch.getTargetPath();
      if (!node || !sampler || !path) continue;
      const d = samplerData(sampler);
      if (!d) continue;
      let k: number;
      if (path === 'translation' || path === 'scale') k = 3;
      else if (path === 'rotation') k = 4;
      else if (path === 'weights') {
        const keys = d.times.length * (d.interpolation === 'CUBICSPLINE' ? 3 : 1);
        k = Math.floor(d.values.length / Math.max(1, keys));
        if (k === 0) continue;
      } else continue;
      const pose = poses.get(node) ?? {};
      pose[path] = sampleAt(d, k, time, path === 'rotation');
      poses.set(node, pose);
    }
  }
  return poses;
}
