/**
 * Where the verifier looks: a keyed random choice of small patches of a result (the key is
 * a creator secret, the input the task and the lease it was delivered on), so an operator
 * cannot know which pixels will be re-rendered, and cannot draw others by changing its
 * result: nothing the operator chooses goes into the key. Plus the arithmetic of how
 * likely a cheat is caught.
 */
import { createHash, createHmac } from 'node:crypto';
import type { TaskRect } from '../../../../shared/job-spec';

/** Fraction of a result's pixels that is re-rendered. */
export const SAMPLE_FRACTION = 0.01;
/**
 * Fewest pixels checked per result, whatever its size: small tiles need a floor for the
 * catch rate (256 pixels catch a 10 % alteration with probability 1 − 0.9^256 ≈ 1 − 2e-12).
 */
export const MIN_SAMPLE_PIXELS = 256;
/** Smallest side of a square patch, in pixels (one engine call per patch). */
export const PATCH_SIZE = 4;
/**
 * Most patches per result: each engine call has a fixed cost (about 0.05–0.1 ms), so a large
 * sample uses bigger patches rather than more calls. Scattered alterations are caught per
 * pixel checked whatever the patch size; blob-shaped ones per patch (see below). 160 patches
 * (4 × 4 on a 640 × 360 tile) would catch a render that skips 5 % in 16 × 16 blocks about a
 * hundred times more surely than 64 (6 × 6), at about +11 % verification time (39 against
 * 35 ms, interleaved, against a 1.76 s render): kept at 64, since one shot per task already
 * makes a ~0.3 % pass a losing bet (the task, the reputation and the job are lost otherwise).
 */
export const MAX_PATCHES = 64;

/** The patch side for checking `count` pixels: at least `min`, large enough for at most `maxPatches` patches. */
export function patchSide(count: number, min = PATCH_SIZE, maxPatches = MAX_PATCHES): number {
  return Math.max(min, Math.ceil(Math.sqrt(count / maxPatches)));
}

/** A deterministic stream of uniform numbers from a 32-byte key (SHA-256 in counter mode). */
export class KeyedStream {
  private block = Buffer.alloc(0);
  private offset = 0;
  private counter = 0;

  constructor(private readonly key: Buffer) {}

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    if (this.offset + 4 > this.block.length) {
      const c = Buffer.alloc(8);
      c.writeBigUInt64BE(BigInt(this.counter++));
      this.block = createHash('sha256').update(this.key).update(c).digest();
      this.offset = 0;
    }
    const v = this.block.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  /** A uniform integer in [0, n), without modulo bias. */
  below(n: number): number {
    if (!(n >= 1) || n > 0x1_0000_0000) throw new RangeError(`below(${n})`);
    const limit = Math.floor(0x1_0000_0000 / n) * n;
    for (;;) {
      const v = this.nextUint32();
      if (v < limit) return v % n;
    }
  }
}

/**
 * The sampling key of one result: HMAC-SHA256(secret, job | task | lease). The lease id is
 * the creator's own random id, so a new lease (another operator) draws new patches, while
 * every result on one lease, whatever its bytes, draws the same ones.
 */
export function sampleKey(secret: Uint8Array, jobId: string, taskIndex: number, leaseId: string): Buffer {
  return createHmac('sha256', secret).update(`rayfarm-verify-v2|${jobId}|${taskIndex}|${leaseId}`).digest();
}

/** How many pixels a result of `pixels` pixels gets checked on. */
export function samplePixelCount(pixels: number, fraction = SAMPLE_FRACTION, minPixels = MIN_SAMPLE_PIXELS): number {
  return Math.min(pixels, Math.max(minPixels, Math.ceil(pixels * fraction)));
}

/**
 * Distinct patches (rects in frame coordinates, inside `rect`) covering at least `count`
 * pixels: the rect is cut into a grid of `patch`-sized cells and cells are drawn without
 * replacement from the keyed stream.
 */
export function choosePatches(rect: TaskRect, count: number, key: Buffer, patch = PATCH_SIZE): TaskRect[] {
  const cols = Math.ceil(rect.width / patch);
  const rows = Math.ceil(rect.height / patch);
  const cells = cols * rows;
  const rng = new KeyedStream(key);
  const cellRect = (c: number): TaskRect => {
    const cx = c % cols, cy = Math.floor(c / cols);
    const x = cx * patch, y = cy * patch;
    return { x: rect.x + x, y: rect.y + y, width: Math.min(patch, rect.width - x), height: Math.min(patch, rect.height - y) };
  };
  const out: TaskRect[] = [];
  let covered = 0;
  if (count * 2 >= rect.width * rect.height) {
    // Dense: a partial Fisher-Yates over every cell.
    const order = Array.from({ length: cells }, (_, i) => i);
    for (let i = 0; i < cells && covered < count; i++) {
      const j = i + rng.below(cells - i);
      [order[i], order[j]] = [order[j]!, order[i]!];
      const r = cellRect(order[i]!);
      out.push(r);
      covered += r.width * r.height;
    }
    return out;
  }
  const seen = new Set<number>();
  while (covered < count) {
    const c = rng.below(cells);
    if (seen.has(c)) continue;
    seen.add(c);
    const r = cellRect(c);
    out.push(r);
    covered += r.width * r.height;
  }
  return out;
}

/**
 * Probability that checking `n` pixels chosen uniformly at random catches a result in which
 * a fraction `f` of the pixels is wrong (beyond the tolerance), when any wrong pixel checked
 * rejects it: 1 − (1 − f)^n. (Sampling without replacement, as the verifier does, is never
 * worse: the exact value 1 − C((1−f)N, n)/C(N, n) is at least this.)
 */
export function detectionProbability(f: number, n: number): number {
  if (f <= 0) return 0;
  if (f >= 1) return 1;
  return 1 - Math.pow(1 - f, n);
}

/**
 * The same for alterations that come in blobs larger than a patch: each patch then behaves
 * like one draw, so the rate is 1 − (1 − f)^patches (a lower bound for blobs of any size).
 */
export function clusteredDetectionProbability(f: number, patches: number): number {
  return detectionProbability(f, patches);
}
