import { describe, expect, it } from 'vitest';
import { isHdr, readHdr, writeHdr } from '../../../../main/core/engine/hdr';

const header = (w: number, h: number) => new TextEncoder().encode(`#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y ${h} +X ${w}\n`);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe('Radiance .hdr reader and writer', () => {
  it('round-trips linear radiance within RGBE precision (1/256 of the largest channel)', () => {
    const data = new Float32Array([0, 0, 0, 1, 0.5, 0.25, 3000, 2700, 2200, 1e-3, 2e-3, 4e-3, 12.5, 0.01, 7, 0.2, 0.2, 0.2]);
    const img = readHdr(writeHdr({ width: 3, height: 2, data }));
    expect(img.width).toBe(3);
    expect(img.height).toBe(2);
    for (let i = 0; i < 6; i++) {
      const max = Math.max(data[i * 3]!, data[i * 3 + 1]!, data[i * 3 + 2]!);
      for (let k = 0; k < 3; k++) expect(Math.abs(img.data[i * 3 + k]! - data[i * 3 + k]!)).toBeLessThanOrEqual(max / 128 + 1e-12);
    }
    expect(isHdr(writeHdr({ width: 1, height: 1, data: new Float32Array(3) }))).toBe(true);
  });

  it('decodes run-length encoded scanlines (runs and literals per channel)', () => {
    const line = new Uint8Array([2, 2, 0, 8, 128 + 8, 100, 8, 1, 2, 3, 4, 5, 6, 7, 8, 128 + 4, 50, 128 + 4, 60, 128 + 8, 129]);
    const img = readHdr(concat(header(8, 1), line));
    // Exponent byte 129: each value times 2^(129 - 136).
    expect(img.data[0]).toBeCloseTo(100 / 128, 6);
    expect(img.data[1]).toBeCloseTo(1 / 128, 6);
    expect(img.data[7 * 3 + 1]).toBeCloseTo(8 / 128, 6);
    expect(img.data[5 * 3 + 2]).toBeCloseTo(60 / 128, 6);
  });

  it('refuses hostile files in words: runs past the width, a zero run, a wrong scanline width, old RLE, no magic', () => {
    const cases: [Uint8Array, RegExp][] = [
      [concat(header(8, 1), new Uint8Array([2, 2, 0, 8, 128 + 9, 1])), /runs past its width/],
      [concat(header(8, 1), new Uint8Array([2, 2, 0, 8, 0])), /bad run/],
      [concat(header(8, 1), new Uint8Array([2, 2, 0, 9, 128 + 8, 1])), /says it is 9 pixels wide, not 8/],
      [concat(header(2, 1), new Uint8Array([9, 9, 9, 130, 1, 1, 1, 4])), /old run-length encoding/],
      [new TextEncoder().encode('P6\n1 1\n255\n'), /not a Radiance .hdr file/],
      [new TextEncoder().encode(`#?RADIANCE\n${'X'.repeat(2000)}\n`), /longer than 1024/],
      [new TextEncoder().encode('#?RADIANCE\n\n+Y 4 +X 4\n'), /other orientations are not read/],
    ];
    for (const [bytes, why] of cases) expect(() => readHdr(bytes)).toThrow(why);
  });
});
