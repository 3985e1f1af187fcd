/**
 * PNG output: linear float pixels encoded to sRGB, 8 or 16 bits per channel, with alpha.
 * pngjs writes 16-bit PNGs when given 16-bit data; values are clamped to [0, 1] after the
 * sRGB curve (EXR is the format for values beyond white).
 */
import { PNG } from 'pngjs';
import { linearToSrgb } from '../../../shared/srgb';

/** Encodes linear RGBA float pixels (rows top to bottom) as an sRGB PNG of 8 or 16 bits. */
export function encodePng(pixels: Float32Array, width: number, height: number, bits: 8 | 16 = 8): Uint8Array {
  if (pixels.length !== width * height * 4) throw new Error(`encodePng: expected ${width * height * 4} values, got ${pixels.length}`);
  const max = bits === 16 ? 65535 : 255;
  const png = new PNG({ width, height, bitDepth: bits, colorType: 6, inputColorType: 6, inputHasAlpha: true });
  if (bits === 16) {
    // pngjs takes 16-bit samples as a Uint16Array-backed buffer, one value per sample.
    const data = new Uint16Array(width * height * 4);
    for (let i = 0; i < data.length; i++) data[i] = Math.round(max * ((i & 3) === 3 ? clamp01(pixels[i]!) : linearToSrgb(pixels[i]!)));
    png.data = data as unknown as Buffer;
  } else {
    const data = Buffer.alloc(width * height * 4);
    for (let i = 0; i < data.length; i++) data[i] = Math.round(max * ((i & 3) === 3 ? clamp01(pixels[i]!) : linearToSrgb(pixels[i]!)));
    png.data = data;
  }
  return new Uint8Array(PNG.sync.write(png, { bitDepth: bits, colorType: 6, inputColorType: 6, inputHasAlpha: true }));
}

/** Decodes a PNG to its raw samples (8- or 16-bit) without rescaling. */
export function decodePng(bytes: Uint8Array): { width: number; height: number; bits: number; samples: Uint8Array | Uint16Array } {
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true });
  const depth = (png as unknown as { depth?: number }).depth ?? 8;
  const samples = depth === 16 ? new Uint16Array((png.data as unknown as Uint16Array).buffer ?? png.data, 0, png.width * png.height * 4) : new Uint8Array(png.data);
  return { width: png.width, height: png.height, bits: depth, samples };
}

function clamp01(x: number): number {
  return x > 0 ? (x < 1 ? x : 1) : 0;
}
