/**
 * WebP textures (EXT_texture_webp, or a WebP image in place of a PNG), which optimisers such as
 * gltf-transform's `optimize` write by default: decoded at import on the creator's machine
 * (libwebp as WebAssembly, @jsquash/webp) and re-encoded as lossless PNG in the package, so
 * operators read PNG and JPEG only. The size in the file's header is checked against the
 * texture limit before anything is decoded.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Document } from '@gltf-transform/core';
import { PNG } from 'pngjs';
import type { SceneProblem } from '../../../shared/api/scenes';
import { MAX_TEXTURE_PIXELS } from '../engine/flatten-materials';

/** The glTF extension naming a WebP image as a texture's source. */
export const WEBP = 'EXT_texture_webp';

/** True when the bytes are a RIFF/WEBP file. */
export function isWebp(d: Uint8Array): boolean {
  return d.length >= 16 && d[0] === 0x52 && d[1] === 0x49 && d[2] === 0x46 && d[3] === 0x46 && d[8] === 0x57 && d[9] === 0x45 && d[10] === 0x42 && d[11] === 0x50;
}

/** A WebP's width and height from its first image chunk (VP8X, VP8 or VP8L), or null when none can be read. */
export function webpSize(d: Uint8Array): [number, number] | null {
  if (!isWebp(d)) return null;
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  let off = 12;
  while (off + 8 <= d.byteLength) {
    const id = String.fromCharCode(d[off]!, d[off + 1]!, d[off + 2]!, d[off + 3]!);
    const len = view.getUint32(off + 4, true);
    const body = off + 8;
    if (body + len > d.byteLength) return null;
    if (id === 'VP8X' && len >= 10) return [1 + (d[body + 4]! | (d[body + 5]! << 8) | (d[body + 6]! << 16)), 1 + (d[body + 7]! | (d[body + 8]! << 8) | (d[body + 9]! << 16))];
    if (id === 'VP8 ' && len >= 10) return [view.getUint16(body + 6, true) & 0x3fff, view.getUint16(body + 8, true) & 0x3fff];
    if (id === 'VP8L' && len >= 5) {
      const bits = view.getUint32(body + 1, true);
      return [1 + (bits & 0x3fff), 1 + ((bits >>> 14) & 0x3fff)];
    }
    off = body + len + (len % 2);
  }
  return null;
}

/** What is wrong with a WebP texture before decoding (unreadable header, too many pixels), or null. */
export function webpProblem(data: Uint8Array, label: string, usedBy: string): SceneProblem | null {
  const size = webpSize(data);
  const subject = { kind: 'texture' as const, name: label };
  if (!size) return { severity: 'error', code: 'SCENE_TEXTURE_UNREADABLE', message: `Texture \`${label}\`${usedBy} is a damaged WebP image (its size cannot be read). Save it again.`, subject };
  if (size[0] * size[1] > MAX_TEXTURE_PIXELS) {
    return { severity: 'error', code: 'SCENE_TEXTURE_TOO_LARGE', message: `Texture \`${label}\`${usedBy} is ${size[0]} × ${size[1]} pixels; a texture may have at most ${MAX_TEXTURE_PIXELS} (8192 × 8192). Scale it down.`, subject };
  }
  return null;
}

type Decode = (bytes: ArrayBuffer) => Promise<{ data: Uint8ClampedArray; width: number; height: number }>;
let decoder: Promise<Decode> | undefined;

/** libwebp's decoder, its WebAssembly read from the package (no fetch in Node). */
function webpDecoder(): Promise<Decode> {
  decoder ??= (async () => {
    const mod = await import('@jsquash/webp/decode.js');
    const wasm = readFileSync(createRequire(import.meta.url).resolve('@jsquash/webp/codec/dec/webp_dec.wasm'));
    // (WebAssembly is a global of Node; the project's Node types leave it out.)
    const wa = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<unknown> } }).WebAssembly;
    await (mod.init as unknown as (m: unknown) => Promise<void>)(await wa.compile(wasm));
    return mod.default as unknown as Decode;
  })();
  return decoder;
}

/**
 * Replaces every WebP image of `doc` by the same pixels as PNG and drops EXT_texture_webp.
 * Returns a problem for each image that cannot be decoded (the caller refuses the scene).
 */
export async function convertWebpTextures(doc: Document): Promise<SceneProblem[]> {
  const problems: SceneProblem[] = [];
  for (const tex of doc.getRoot().listTextures()) {
    const bytes = tex.getImage();
    if (!bytes || !isWebp(bytes)) continue;
    const label = tex.getName() || tex.getURI() || 'a WebP texture';
    try {
      // A copy of just these bytes (a Node Buffer's slice() would share, and hand over, its whole pool).
      const img = await (await webpDecoder())(Uint8Array.from(bytes).buffer);
      const png = new PNG({ width: img.width, height: img.height });
      png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
      tex.setImage(new Uint8Array(PNG.sync.write(png, { colorType: 6 }))).setMimeType('image/png');
      if (tex.getURI()) tex.setURI(tex.getURI().replace(/\.webp$/i, '.png'));
    } catch (e) {
      problems.push({ severity: 'error', code: 'SCENE_TEXTURE_UNREADABLE', message: `Texture \`${label}\` is a damaged WebP image (${(e as Error).message}). Save it again, or as PNG or JPEG.`, subject: { kind: 'texture', name: label } });
    }
  }
  for (const ext of doc.getRoot().listExtensionsUsed()) if (ext.extensionName === WEBP) ext.dispose();
  return problems;
}
