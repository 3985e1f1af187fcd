import { describe, expect, it } from 'vitest';
import { downsample, meanLuminanceOf, ssim } from '../../scripts/image-compare';

const W = 40;

function image(f: (x: number, y: number) => number): Float32Array {
  const px = new Float32Array(W * W * 4);
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) px.set([f(x, y), f(x, y), f(x, y), 1], (y * W + x) * 4);
  }
  return px;
}

/** A deterministic noise in [-1, 1]. */
function hash(x: number, y: number): number {
  const h = Math.imul(x * 73856093 ^ y * 19349663, 2654435761) >>> 0;
  return (h / 4294967295) * 2 - 1;
}

describe('image agreement metrics', () => {
  const base = image((x, y) => 0.2 + 0.5 * ((Math.floor(x / 8) + Math.floor(y / 8)) % 2));

  it('SSIM is 1 for the same image and falls with noise, structure change and brightness', () => {
    expect(ssim(base, base, W, W)).toBeCloseTo(1, 10);
    const noisy = image((x, y) => 0.2 + 0.5 * ((Math.floor(x / 8) + Math.floor(y / 8)) % 2) + 0.05 * hash(x, y));
    const veryNoisy = image((x, y) => 0.2 + 0.5 * ((Math.floor(x / 8) + Math.floor(y / 8)) % 2) + 0.3 * hash(x, y));
    const shifted = image((x, y) => 0.2 + 0.5 * ((Math.floor((x + 4) / 8) + Math.floor(y / 8)) % 2));
    const s1 = ssim(base, noisy, W, W), s2 = ssim(base, veryNoisy, W, W), s3 = ssim(base, shifted, W, W);
    expect(s1).toBeLessThan(1);
    expect(s2).toBeLessThan(s1);
    expect(s3).toBeLessThan(0.7);
    // Symmetric.
    expect(ssim(noisy, base, W, W)).toBeCloseTo(s1, 12);
  });

  it('mean luminance weighs the channels by Rec. 709', () => {
    const px = new Float32Array([1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(meanLuminanceOf(px)).toBeCloseTo((0.2126 + 0.7152 + 0.0722 + 1) / 4, 6);
  });

  it('block means average noise away, so two noisy renders of one picture compare as alike', () => {
    const a = image((x, y) => 0.2 + 0.5 * ((Math.floor(x / 8) + Math.floor(y / 8)) % 2) + 0.15 * hash(x, y));
    const b = image((x, y) => 0.2 + 0.5 * ((Math.floor(x / 8) + Math.floor(y / 8)) % 2) + 0.15 * hash(x + 1000, y));
    const da = downsample(a, W, W, 4), db = downsample(b, W, W, 4);
    expect(da.width).toBe(10);
    expect(ssim(da.pixels, db.pixels, 10, 10)).toBeGreaterThan(ssim(a, b, W, W));
  });

  it('refuses images of different sizes in words', () => {
    expect(() => ssim(base, new Float32Array(16), W, W)).toThrow(/differ in size/);
  });
});
