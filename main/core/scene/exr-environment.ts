/**
 * An OpenEXR environment map becomes a Radiance .hdr at import, so the package (and every
 * operator) only ever reads .hdr. The creator's file is checked before output/exr.ts decodes
 * it: single-part scanline only, a header that ends within 64 KiB, a size within the
 * environment map limit, and ZIP blocks that may not inflate past their scanlines.
 */
import type { GLTF } from '@gltf-transform/core';
import { HDR_MIME } from '../engine/environment-ext';
import { isHdr, MAX_HDR_PIXELS, readHdr, writeHdr } from '../engine/hdr';
import { decodeExr } from '../output/exr';

/** True when the bytes start like an OpenEXR file. */
export function isExr(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x76 && bytes[1] === 0x2f && bytes[2] === 0x31 && bytes[3] === 0x01;
}

/** The size an EXR header declares, or why it cannot be read. */
function exrHeader(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) throw new Error('it is too short to be an OpenEXR file');
  const flags = view.getInt32(4, true);
  if (flags & 0x1a00) throw new Error('it is tiled, deep or multi-part; only single-part scanline EXR files are read (save it as scanline, or as .hdr)');
  const limit = Math.min(bytes.length, 65536);
  let p = 8;
  const cstr = (): string => {
    const end = bytes.indexOf(0, p);
    if (end < 0 || end >= limit) throw new Error('its header is damaged or longer than 64 KiB');
    const s = new TextDecoder('latin1').decode(bytes.subarray(p, end));
    p = end + 1;
    return s;
  };
  let win: number[] | undefined;
  let compression = -1;
  for (;;) {
    const name = cstr();
    if (name === '') break;
    cstr();
    if (p + 4 > limit) throw new Error('its header is damaged');
    const size = view.getInt32(p, true);
    p += 4;
    if (size < 0 || p + size > limit) throw new Error('its header is damaged');
    if (name === 'dataWindow' && size === 16) win = [0, 4, 8, 12].map((k) => view.getInt32(p + k, true));
    if (name === 'compression' && size === 1) compression = bytes[p]!;
    p += size;
  }
  if (!win) throw new Error('its header has no data window');
  if (![0, 2, 3].includes(compression)) throw new Error(`its compression (${compression}) is not read: save it uncompressed or with ZIP, or as .hdr`);
  const width = win[2]! - win[0]! + 1, height = win[3]! - win[1]! + 1;
  if (!(width >= 1 && height >= 1)) throw new Error(`its data window is ${width} × ${height} pixels`);
  if (width * height > MAX_HDR_PIXELS) throw new Error(`it is ${width} × ${height} pixels, more than the ${MAX_HDR_PIXELS.toLocaleString('en')} an environment map may have`);
  return { width, height };
}

/** The EXR's RGB as a .hdr file; throws an Error whose message completes "the environment map cannot be used: …". */
export function exrToHdr(bytes: Uint8Array): Uint8Array {
  const { width, height } = exrHeader(bytes);
  let img: ReturnType<typeof decodeExr>;
  try {
    img = decodeExr(bytes);
  } catch (e) {
    throw new Error(`its pixels cannot be read (${(e as Error).message})`);
  }
  if (img.width !== width || img.height !== height) throw new Error('its header is damaged');
  const data = new Float32Array(width * height * 3);
  for (let i = 0; i < width * height; i++) for (let k = 0; k < 3; k++) data[i * 3 + k] = img.pixels[i * 4 + k]!;
  return writeHdr({ width, height, data });
}

/**
 * An environment map among a glTF's images (RAYFARM_environment): an .exr kept beside the
 * .gltf becomes .hdr in `resources`, and an .hdr is decoded here so a damaged or huge one is
 * refused at import. Undefined for an ordinary texture; else the problem in words, or null.
 */
export function checkEnvironmentImage(img: GLTF.IImage, bytes: Uint8Array, label: string, resources: Record<string, Uint8Array>): { problem: string | null } | undefined {
  let data = bytes;
  if (isExr(data)) {
    // Operators read one format: the .exr is packed as .hdr, so it must be a file of its own.
    if (typeof img.uri !== 'string' || img.uri.startsWith('data:') || !resources[img.uri]) {
      return { problem: `Environment map \`${label}\` is an OpenEXR image embedded in the file; keep the .exr beside the .gltf, or save it as .hdr.` };
    }
    try {
      data = exrToHdr(data);
      resources[img.uri] = data;
      img.mimeType = HDR_MIME;
    } catch (e) {
      return { problem: `Environment map \`${label}\` cannot be used: ${(e as Error).message}.` };
    }
  }
  if (!isHdr(data)) return undefined;
  try {
    readHdr(data);
    return { problem: null };
  } catch (e) {
    return { problem: `Environment map \`${label}\` ${(e as Error).message.replace(/^The environment map /, '')}` };
  }
}
