/**
 * A small, complete OpenEXR writer and reader for what Rayfarm produces: single-part RGBA
 * images, HALF or FLOAT channels, linear, uncompressed or ZIP (16 scanlines per block).
 *
 * Written here because no well-kept npm package writes EXR; the format is documented in
 * "OpenEXR File Layout" (openexr.com). The reader exists to test the writer and to read
 * files back; it also handles one-level tiled files (what `exrmaketiled` produces) so tests
 * can check our files against the OpenEXR library's own tools.
 */
import { deflateSync, inflateSync } from 'node:zlib';

/** Channel storage type. */
export type ExrPixelType = 'half' | 'float';
/** Compression: none, or ZIP over blocks of 16 scanlines. */
export type ExrCompression = 'none' | 'zip';

const MAGIC = 20000630;
const PIXEL_TYPE: Record<ExrPixelType, number> = { half: 1, float: 2 };
const COMPRESSION: Record<ExrCompression, number> = { none: 0, zip: 3 };
/** Channels are stored in alphabetical order. */
const CHANNELS = ['A', 'B', 'G', 'R'] as const;
const CHANNEL_OFFSET: Record<string, number> = { R: 0, G: 1, B: 2, A: 3 };

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE half bits, rounding to nearest even; overflow becomes infinity, NaN stays NaN. */
export function toHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

/** IEEE half bits → number. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

class ByteWriter {
  private parts: Buffer[] = [];
  length = 0;
  bytes(b: Uint8Array): void {
    this.parts.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    this.length += b.byteLength;
  }
  str(s: string): void {
    this.bytes(Buffer.from(`${s}\0`, 'latin1'));
  }
  i32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    this.bytes(b);
  }
  u8(v: number): void {
    this.bytes(Uint8Array.of(v));
  }
  f32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeFloatLE(v);
    this.bytes(b);
  }
  u64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(v));
    this.bytes(b);
  }
  attr(name: string, type: string, write: (w: ByteWriter) => void): void {
    const inner = new ByteWriter();
    write(inner);
    this.str(name);
    this.str(type);
    this.i32(inner.length);
    for (const p of inner.parts) this.bytes(p);
  }
  result(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.parts, this.length));
  }
}

/** OpenEXR's ZIP preprocessing: split even/odd bytes, then delta-encode. */
function zipPredict(raw: Uint8Array): Uint8Array {
  const n = raw.length;
  const t = new Uint8Array(n);
  const half = (n + 1) >> 1;
  for (let i = 0, a = 0, b = half; i < n; i += 2) {
    t[a++] = raw[i]!;
    if (i + 1 < n) t[b++] = raw[i + 1]!;
  }
  let p = t[0]!;
  for (let i = 1; i < n; i++) {
    const cur = t[i]!;
    t[i] = (cur - p + 128 + 256) & 0xff;
    p = cur;
  }
  return t;
}

function zipUnpredict(t: Uint8Array): Uint8Array {
  const n = t.length;
  for (let i = 1; i < n; i++) t[i] = (t[i - 1]! + t[i]! - 128) & 0xff;
  const out = new Uint8Array(n);
  const half = (n + 1) >> 1;
  for (let i = 0, a = 0, b = half; i < n; i += 2) {
    out[i] = t[a++]!;
    if (i + 1 < n) out[i + 1] = t[b++]!;
  }
  return out;
}

/** Encodes linear RGBA float pixels (rows top to bottom) as an OpenEXR file. */
export function encodeExr(pixels: Float32Array, width: number, height: number, opts: { pixelType?: ExrPixelType; compression?: ExrCompression } = {}): Uint8Array {
  if (pixels.length !== width * height * 4) throw new Error(`encodeExr: expected ${width * height * 4} values, got ${pixels.length}`);
  const type = opts.pixelType ?? 'half';
  const compression = opts.compression ?? 'zip';
  const bpc = type === 'half' ? 2 : 4;
  const linesPerBlock = compression === 'zip' ? 16 : 1;
  const h = new ByteWriter();
  h.i32(MAGIC);
  h.i32(2);
  h.attr('channels', 'chlist', (w) => {
    for (const c of CHANNELS) {
      w.str(c);
      w.i32(PIXEL_TYPE[type]);
      w.u8(0);
      w.bytes(new Uint8Array(3));
      w.i32(1);
      w.i32(1);
    }
    w.u8(0);
  });
  h.attr('compression', 'compression', (w) => w.u8(COMPRESSION[compression]));
  const box = (w: ByteWriter) => [0, 0, width - 1, height - 1].forEach((v) => w.i32(v));
  h.attr('dataWindow', 'box2i', box);
  h.attr('displayWindow', 'box2i', box);
  h.attr('lineOrder', 'lineOrder', (w) => w.u8(0));
  h.attr('pixelAspectRatio', 'float', (w) => w.f32(1));
  h.attr('screenWindowCenter', 'v2f', (w) => (w.f32(0), w.f32(0)));
  h.attr('screenWindowWidth', 'float', (w) => w.f32(1));
  h.u8(0);

  const blocks = Math.ceil(height / linesPerBlock);
  const chunks: Uint8Array[] = [];
  for (let b = 0; b < blocks; b++) {
    const y0 = b * linesPerBlock;
    const lines = Math.min(linesPerBlock, height - y0);
    const raw = Buffer.alloc(lines * width * 4 * bpc);
    let o = 0;
    for (let y = y0; y < y0 + lines; y++) {
      for (const c of CHANNELS) {
        const ci = CHANNEL_OFFSET[c]!;
        for (let x = 0; x < width; x++) {
          const v = pixels[(y * width + x) * 4 + ci]!;
          if (bpc === 2) o = raw.writeUInt16LE(toHalf(v), o);
          else o = raw.writeFloatLE(v, o);
        }
      }
    }
    let data: Uint8Array = raw;
    if (compression === 'zip') {
      const z = deflateSync(zipPredict(raw), { level: 6 });
      if (z.byteLength < raw.byteLength) data = z; // stored raw when compression does not help, as OpenEXR does
    }
    const chunk = Buffer.alloc(8 + data.byteLength);
    chunk.writeInt32LE(y0, 0);
    chunk.writeInt32LE(data.byteLength, 4);
    chunk.set(data, 8);
    chunks.push(chunk);
  }
  const w = new ByteWriter();
  w.bytes(h.result());
  let offset = h.length + 8 * blocks;
  for (const c of chunks) {
    w.u64(offset);
    offset += c.byteLength;
  }
  for (const c of chunks) w.bytes(c);
  return w.result();
}

/** A decoded EXR image. */
export interface ExrImage {
  width: number;
  height: number;
  pixelType: ExrPixelType;
  compression: ExrCompression;
  /** RGBA float, rows top to bottom; a channel absent from the file reads as 0 (A as 1). */
  pixels: Float32Array;
  channels: string[];
}

/** Decodes an RGBA OpenEXR file (scanline or one-level tiled; NO, ZIPS or ZIP compression). */
export function decodeExr(bytes: Uint8Array): ExrImage {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.readInt32LE(0) !== MAGIC) throw new Error('not an OpenEXR file');
  const flags = buf.readInt32LE(4);
  const tiled = (flags & 0x200) !== 0;
  if (flags & 0x1000) throw new Error('multi-part EXR files are not supported');
  let p = 8;
  const cstr = () => {
    const end = buf.indexOf(0, p);
    const s = buf.toString('latin1', p, end);
    p = end + 1;
    return s;
  };
  const channels: { name: string; type: number }[] = [];
  let compression = -1;
  let win = [0, 0, 0, 0];
  let tileW = 0;
  let tileH = 0;
  for (;;) {
    const name = cstr();
    if (name === '') break;
    cstr();
    const size = buf.readInt32LE(p);
    p += 4;
    const start = p;
    if (name === 'channels') {
      let q = start;
      while (buf[q] !== 0) {
        const end = buf.indexOf(0, q);
        const cname = buf.toString('latin1', q, end);
        q = end + 1;
        channels.push({ name: cname, type: buf.readInt32LE(q) });
        q += 16;
      }
    } else if (name === 'compression') compression = buf[start]!;
    else if (name === 'dataWindow') win = [0, 4, 8, 12].map((k) => buf.readInt32LE(start + k));
    else if (name === 'tiles') {
      tileW = buf.readUInt32LE(start);
      tileH = buf.readUInt32LE(start + 4);
    }
    p = start + size;
  }
  if (![0, 2, 3].includes(compression)) throw new Error(`EXR compression ${compression} is not supported by this reader`);
  const width = win[2]! - win[0]! + 1;
  const height = win[3]! - win[1]! + 1;
  const pixels = new Float32Array(width * height * 4);
  if (!channels.some((c) => c.name === 'A')) for (let i = 3; i < pixels.length; i += 4) pixels[i] = 1;
  const read = (data: Buffer, x0: number, y0: number, w: number, lines: number) => {
    let o = 0;
    for (let y = y0; y < y0 + lines; y++) {
      for (const c of channels) {
        const ci = CHANNEL_OFFSET[c.name];
        for (let x = x0; x < x0 + w; x++) {
          const v = c.type === 1 ? fromHalf(data.readUInt16LE(o)) : c.type === 2 ? data.readFloatLE(o) : data.readUInt32LE(o);
          o += c.type === 1 ? 2 : 4;
          if (ci !== undefined) pixels[(y * width + x) * 4 + ci] = v;
        }
      }
    }
  };
  const bytesPerPixel = channels.reduce((n, c) => n + (c.type === 1 ? 2 : 4), 0);
  const unpack = (data: Buffer, expected: number): Buffer => {
    if (compression === 0 || data.byteLength === expected) return data;
    // A block may not inflate past its scanlines (a hostile file could hold a ZIP bomb).
    return Buffer.from(zipUnpredict(new Uint8Array(inflateSync(data, { maxOutputLength: Math.max(1, expected) }))));
  };
  if (tiled) {
    const tx = Math.ceil(width / tileW);
    const ty = Math.ceil(height / tileH);
    for (let i = 0; i < tx * ty; i++) {
      let o = Number(buf.readBigUInt64LE(p + 8 * i));
      const cx = buf.readInt32LE(o), cy = buf.readInt32LE(o + 4);
      const size = buf.readInt32LE(o + 16);
      o += 20;
      const x0 = cx * tileW, y0 = cy * tileH;
      const w = Math.min(tileW, width - x0), lines = Math.min(tileH, height - y0);
      read(unpack(buf.subarray(o, o + size), w * lines * bytesPerPixel), x0, y0, w, lines);
    }
  } else {
    const linesPerBlock = compression === 3 ? 16 : 1;
    const blocks = Math.ceil(height / linesPerBlock);
    for (let b = 0; b < blocks; b++) {
      let o = Number(buf.readBigUInt64LE(p + 8 * b));
      const y = buf.readInt32LE(o) - win[1]!;
      const size = buf.readInt32LE(o + 4);
      o += 8;
      const lines = Math.min(linesPerBlock, height - y);
      read(unpack(buf.subarray(o, o + size), width * lines * bytesPerPixel), 0, y, width, lines);
    }
  }
  const types = new Set(channels.map((c) => c.type));
  return { width, height, pixelType: types.has(2) ? 'float' : 'half', compression: compression === 0 ? 'none' : 'zip', pixels, channels: channels.map((c) => c.name) };
}
