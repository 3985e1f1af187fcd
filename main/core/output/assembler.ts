/**
 * Turns finished tasks into frames on disk: tiles are stitched into the full frame and
 * each frame is written as PNG (8/16-bit sRGB) or OpenEXR (half/float linear) under its
 * final name only once complete (temp file, fsync, rename), so a reader never sees half
 * a frame and a crash leaves no broken one.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { frameFileName } from '../../../shared/job-spec';
import type { OutputFormat, TaskRect } from '../../../shared/job-spec';
import { RayfarmError } from '../errors';
import { writeFileAtomic } from '../store/atomic-write';
import { encodeExr } from './exr';
import { encodePng } from './png';

/** One rendered piece of a frame. */
export interface TilePixels {
  rect: TaskRect;
  /** RGBA float, rect.width × rect.height × 4. */
  pixels: Float32Array;
}

/** Copies tiles into one full-frame RGBA buffer; fails if they do not cover the frame exactly once. */
export function stitch(tiles: readonly TilePixels[], width: number, height: number): Float32Array {
  const out = new Float32Array(width * height * 4);
  const covered = new Uint8Array(width * height);
  for (const { rect, pixels } of tiles) {
    if (rect.x < 0 || rect.y < 0 || rect.width <= 0 || rect.height <= 0 || rect.x + rect.width > width || rect.y + rect.height > height) {
      throw new RayfarmError('ASSEMBLE_BAD_TILE', `A tile at (${rect.x}, ${rect.y}) of ${rect.width} × ${rect.height} does not fit in the ${width} × ${height} frame.`);
    }
    if (pixels.length !== rect.width * rect.height * 4) {
      throw new RayfarmError('ASSEMBLE_BAD_TILE', `A tile of ${rect.width} × ${rect.height} pixels came with ${pixels.length / 4} pixels.`);
    }
    for (let y = 0; y < rect.height; y++) {
      const row = (rect.y + y) * width + rect.x;
      out.set(pixels.subarray(y * rect.width * 4, (y + 1) * rect.width * 4), row * 4);
      for (let x = 0; x < rect.width; x++) {
        if (covered[row + x]!++) throw new RayfarmError('ASSEMBLE_OVERLAP', `Two tiles cover pixel (${rect.x + x}, ${rect.y + y}).`);
      }
    }
  }
  const gap = covered.indexOf(0);
  if (gap >= 0) throw new RayfarmError('ASSEMBLE_INCOMPLETE', `No tile covers pixel (${gap % width}, ${Math.floor(gap / width)}).`);
  return out;
}

/** Encodes a frame in an output format. */
export function encodeFrame(pixels: Float32Array, width: number, height: number, format: OutputFormat): Uint8Array {
  switch (format) {
    case 'png8':
      return encodePng(pixels, width, height, 8);
    case 'png16':
      return encodePng(pixels, width, height, 16);
    case 'exr-half':
      return encodeExr(pixels, width, height, { pixelType: 'half', compression: 'zip' });
    case 'exr-float':
      return encodeExr(pixels, width, height, { pixelType: 'float', compression: 'zip' });
  }
}

export { writeFileAtomic } from '../store/atomic-write';

/** Writes one frame as `frame-NNNN.png|exr` in `dir`; returns the file's path. */
export function writeFrame(dir: string, frame: number, pixels: Float32Array, width: number, height: number, format: OutputFormat): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, frameFileName(frame, format));
  writeFileAtomic(path, encodeFrame(pixels, width, height, format));
  return path;
}
