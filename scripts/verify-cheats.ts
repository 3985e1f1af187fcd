/**
 * What the proof-of-render benches share: the cheats an operator might deliver instead of an
 * honest tile, and small statistics. Used by bench-verify.ts and bench-verify-blender.ts.
 */
import { createHash } from 'node:crypto';
import { ABS_FLOOR, REL_TOL } from '../main/core/creator/proof/verifier';

/** The sha256 of a tile's float bytes, as a result header carries it. */
export function hashOf(px: Float32Array): string {
  return createHash('sha256').update(new Uint8Array(px.buffer, px.byteOffset, px.byteLength)).digest('hex');
}

/**
 * `px` with a random `fraction` of its area, in `block`-sized squares, replaced by `fill` (a
 * cheaper render). Only blocks where the fill is actually wrong (most of its pixels off by
 * more than REL_TOL) are skipped: a block of flat background renders the same at one sample,
 * so skipping it there is no cheat.
 */
export function skipBlocks(px: Float32Array, fill: Float32Array, width: number, height: number, fraction: number, block = 16): Float32Array {
  const out = px.slice();
  const cols = Math.ceil(width / block);
  const rows = Math.ceil(height / block);
  const wrong = (c: number): boolean => {
    const x0 = (c % cols) * block;
    const y0 = Math.floor(c / cols) * block;
    let off = 0;
    let n = 0;
    for (let y = y0; y < Math.min(height, y0 + block); y++) {
      for (let x = x0; x < Math.min(width, x0 + block); x++) {
        const i = (y * width + x) * 4;
        n++;
        for (let k = 0; k < 3; k++) {
          if (Math.abs(fill[i + k]! - px[i + k]!) > REL_TOL * (Math.abs(px[i + k]!) + ABS_FLOOR)) {
            off++;
            break;
          }
        }
      }
    }
    return off * 2 > n;
  };
  const cells = Array.from({ length: cols * rows }, (_, i) => i)
    .filter(wrong)
    .sort(() => Math.random() - 0.5);
  let skipped = 0;
  for (const c of cells) {
    if (skipped >= fraction * width * height) break;
    const x0 = (c % cols) * block;
    const y0 = Math.floor(c / cols) * block;
    for (let y = y0; y < Math.min(height, y0 + block); y++) {
      for (let x = x0; x < Math.min(width, x0 + block); x++) {
        const i = (y * width + x) * 4;
        for (let k = 0; k < 4; k++) out[i + k] = fill[i + k]!;
        skipped++;
      }
    }
  }
  return out;
}

/** `px` with a random `fraction` of its pixels made 50 % brighter: an altered frame. */
export function alter(px: Float32Array, fraction: number): Float32Array {
  const out = px.slice();
  for (let i = 0; i < px.length / 4; i++) if (Math.random() < fraction) for (let c = 0; c < 3; c++) out[i * 4 + c] = out[i * 4 + c]! * 1.5 + 0.01;
  return out;
}

/** The median of `xs`. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
