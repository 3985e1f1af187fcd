/**
 * Image agreement metrics for bench:render's --vs-reference: mean luminance of a linear RGBA
 * float image, and SSIM (Wang et al. 2004: 11 × 11 Gaussian window, σ = 1.5, K1 = 0.01,
 * K2 = 0.03) on the sRGB-encoded luminance of two such images, as a person would see them.
 * Two path-traced images at modest sample counts differ mostly by noise, which SSIM punishes
 * at full size; `downsample` first averages k × k blocks so the structure is compared.
 */
import { linearToSrgb } from '../shared/srgb';

/** Mean Rec. 709 luminance of a linear RGBA float image. */
export function meanLuminanceOf(px: Float32Array): number {
  let s = 0;
  for (let i = 0; i < px.length; i += 4) s += 0.2126 * px[i]! + 0.7152 * px[i + 1]! + 0.0722 * px[i + 2]!;
  return s / Math.max(1, px.length / 4);
}

/** The sRGB-encoded luminance (0..1) of each pixel. */
function displayLuma(px: Float32Array): Float64Array {
  const out = new Float64Array(px.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = linearToSrgb(0.2126 * px[i * 4]! + 0.7152 * px[i * 4 + 1]! + 0.0722 * px[i * 4 + 2]!);
  return out;
}

const RADIUS = 5;
const KERNEL = (() => {
  const k = Array.from({ length: 2 * RADIUS + 1 }, (_, i) => Math.exp(-((i - RADIUS) ** 2) / (2 * 1.5 * 1.5)));
  const s = k.reduce((a, b) => a + b, 0);
  return k.map((x) => x / s);
})();

/** Separable Gaussian blur with clamped edges. */
function blur(src: Float64Array, w: number, h: number): Float64Array {
  const tmp = new Float64Array(src.length), out = new Float64Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -RADIUS; k <= RADIUS; k++) s += KERNEL[k + RADIUS]! * src[y * w + Math.min(w - 1, Math.max(0, x + k))]!;
      tmp[y * w + x] = s;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -RADIUS; k <= RADIUS; k++) s += KERNEL[k + RADIUS]! * tmp[Math.min(h - 1, Math.max(0, y + k)) * w + x]!;
      out[y * w + x] = s;
    }
  }
  return out;
}

/** Mean SSIM of two linear RGBA float images of the same size (1 = identical). */
export function ssim(a: Float32Array, b: Float32Array, width: number, height: number): number {
  if (a.length !== b.length || a.length !== width * height * 4) throw new Error(`ssim: images differ in size (${a.length} and ${b.length} values for ${width} × ${height})`);
  const x = displayLuma(a), y = displayLuma(b);
  const n = x.length;
  const xx = new Float64Array(n), yy = new Float64Array(n), xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = x[i]! * x[i]!;
    yy[i] = y[i]! * y[i]!;
    xy[i] = x[i]! * y[i]!;
  }
  const mx = blur(x, width, height), my = blur(y, width, height);
  const sxx = blur(xx, width, height), syy = blur(yy, width, height), sxy = blur(xy, width, height);
  const c1 = 0.01 ** 2, c2 = 0.03 ** 2;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const vx = sxx[i]! - mx[i]! ** 2, vy = syy[i]! - my[i]! ** 2, cov = sxy[i]! - mx[i]! * my[i]!;
    sum += ((2 * mx[i]! * my[i]! + c1) * (2 * cov + c2)) / ((mx[i]! ** 2 + my[i]! ** 2 + c1) * (vx + vy + c2));
  }
  return sum / n;
}

/** The image with each k × k block averaged (linear RGBA float; width and height divisible by k). */
export function downsample(px: Float32Array, width: number, height: number, k: number): { pixels: Float32Array; width: number; height: number } {
  const w = Math.floor(width / k), h = Math.floor(height / k);
  const out = new Float32Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let c = 0; c < 4; c++) {
        let s = 0;
        for (let j = 0; j < k; j++) for (let i = 0; i < k; i++) s += px[((y * k + j) * width + x * k + i) * 4 + c]!;
        out[(y * w + x) * 4 + c] = s / (k * k);
      }
    }
  }
  return { pixels: out, width: w, height: h };
}
