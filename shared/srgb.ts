/** The sRGB transfer curve, used wherever linear light becomes 8- or 16-bit colour and back. */

/** The sRGB encoding of one linear value, clamped to [0, 1]. */
export function linearToSrgb(x: number): number {
  if (!(x > 0)) return 0;
  if (x >= 1) return 1;
  return x <= 0.0031308 ? 12.92 * x : 1.055 * Math.pow(x, 1 / 2.4) - 0.055;
}

/** The inverse of linearToSrgb. */
export function srgbToLinear(s: number): number {
  return s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
}
