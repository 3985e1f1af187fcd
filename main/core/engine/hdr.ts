/**
 * Radiance RGBE (.hdr) images: our own reader for environment maps a creator packs into a
 * scene, and a writer for generated ones. The reader treats the file as hostile: the size in
 * the header is checked before anything is allocated, every run length is bounds-checked,
 * and anything it does not understand is refused in words (HDR_BAD).
 */
import { RayfarmError } from '../errors';

/** A linear RGB float image, rows top to bottom. */
export interface HdrImage {
  width: number;
  height: number;
  /** width × height × 3 floats. */
  data: Float32Array;
}

/** Most pixels an environment map may have (8192 × 2048: 200 MiB as floats). */
export const MAX_HDR_PIXELS = 8192 * 2048;

function bad(message: string): RayfarmError {
  return new RayfarmError('HDR_BAD', `The environment map cannot be used: ${message}.`);
}

/** True when the bytes start like a Radiance .hdr file. */
export function isHdr(bytes: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 10));
  return head.startsWith('#?RADIANCE') || head.startsWith('#?RGBE');
}

/** Reads a Radiance .hdr file (flat or run-length encoded scanlines, -Y H +X W order). */
export function readHdr(bytes: Uint8Array, maxPixels = MAX_HDR_PIXELS): HdrImage {
  let pos = 0;
  const line = (): string => {
    const start = pos;
    while (pos < bytes.length && bytes[pos] !== 0x0a) {
      if (pos - start > 1024) throw bad('its header has a line longer than 1024 characters');
      pos++;
    }
    if (pos >= bytes.length) throw bad('its header never ends');
    return new TextDecoder('latin1').decode(bytes.subarray(start, pos++));
  };
  const magic = line();
  if (magic !== '#?RADIANCE' && magic !== '#?RGBE') throw bad('it is not a Radiance .hdr file (it does not start with #?RADIANCE)');
  for (let n = 0; ; n++) {
    if (n > 256) throw bad('its header has more than 256 lines');
    const l = line();
    if (l === '') break;
    const format = /^FORMAT=(.*)$/.exec(l);
    if (format && format[1]!.trim() !== '32-bit_rle_rgbe') throw bad(`its pixel format is ${format[1]!.trim()}, and only 32-bit_rle_rgbe is read`);
  }
  const res = /^-Y (\d{1,9}) \+X (\d{1,9})$/.exec(line().trim());
  if (!res) throw bad('its resolution line is not "-Y height +X width" (other orientations are not read)');
  const height = Number(res[1]), width = Number(res[2]);
  if (width < 1 || height < 1) throw bad(`it is ${width} × ${height} pixels`);
  if (width * height > maxPixels) throw bad(`it is ${width} × ${height} pixels, more than the ${maxPixels.toLocaleString('en')} an environment map may have`);
  const data = new Float32Array(width * height * 3);
  const scan = new Uint8Array(width * 4);
  const need = (n: number) => {
    if (pos + n > bytes.length) throw bad(`it ends in the middle of its pixels (${bytes.length} bytes)`);
  };
  for (let y = 0; y < height; y++) {
    need(4);
    const rle = width >= 8 && width < 32768 && bytes[pos] === 2 && bytes[pos + 1] === 2 && !(bytes[pos + 2]! & 0x80);
    if (rle) {
      if (((bytes[pos + 2]! << 8) | bytes[pos + 3]!) !== width) throw bad(`scanline ${y} says it is ${(bytes[pos + 2]! << 8) | bytes[pos + 3]!} pixels wide, not ${width}`);
      pos += 4;
      for (let c = 0; c < 4; c++) {
        for (let x = 0; x < width; ) {
          need(1);
          let count = bytes[pos++]!;
          if (count > 128) {
            count -= 128;
            if (x + count > width) throw bad(`scanline ${y} runs past its width`);
            need(1);
            const v = bytes[pos++]!;
            for (let k = 0; k < count; k++) scan[(x++) * 4 + c] = v;
          } else {
            if (count === 0 || x + count > width) throw bad(`scanline ${y} has a bad run`);
            need(count);
            for (let k = 0; k < count; k++) scan[(x++) * 4 + c] = bytes[pos++]!;
          }
        }
      }
    } else {
      need(width * 4);
      for (let x = 0; x < width; x++) {
        if (bytes[pos] === 1 && bytes[pos + 1] === 1 && bytes[pos + 2] === 1) throw bad('it uses the old run-length encoding, which is not read (save it again as a current .hdr)');
        scan.set(bytes.subarray(pos, pos + 4), x * 4);
        pos += 4;
      }
    }
    for (let x = 0; x < width; x++) {
      const e = scan[x * 4 + 3]!;
      const f = e === 0 ? 0 : Math.pow(2, e - 136);
      const o = (y * width + x) * 3;
      data[o] = scan[x * 4]! * f;
      data[o + 1] = scan[x * 4 + 1]! * f;
      data[o + 2] = scan[x * 4 + 2]! * f;
    }
  }
  return { width, height, data };
}

/** Writes a Radiance .hdr file with flat (uncompressed) scanlines; negative and non-finite values become 0. */
export function writeHdr(img: HdrImage): Uint8Array {
  const header = new TextEncoder().encode(`#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y ${img.height} +X ${img.width}\n`);
  const out = new Uint8Array(header.length + img.width * img.height * 4);
  out.set(header);
  let pos = header.length;
  for (let i = 0; i < img.width * img.height; i++) {
    const c = [0, 1, 2].map((k) => {
      const v = img.data[i * 3 + k]!;
      return Number.isFinite(v) && v > 0 ? v : 0;
    });
    const v = Math.max(c[0]!, c[1]!, c[2]!);
    if (v < 1e-32) {
      pos += 4;
      continue;
    }
    const e = Math.ceil(Math.log2(v + v * 1e-7)); // v < 2^e
    const scale = 256 / Math.pow(2, e);
    out[pos++] = Math.min(255, Math.floor(c[0]! * scale));
    out[pos++] = Math.min(255, Math.floor(c[1]! * scale));
    out[pos++] = Math.min(255, Math.floor(c[2]! * scale));
    out[pos++] = Math.max(0, Math.min(255, e + 128));
  }
  return out;
}
