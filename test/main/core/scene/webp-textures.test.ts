/**
 * WebP textures: decoded at import and packaged as PNG with the same pixels, so the render is
 * the plain file's bit for bit; a WebP that claims too many pixels is refused from its header,
 * a damaged one in words; and operators refuse a package that still carries WebP.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTTextureWebP } from '@gltf-transform/extensions';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchScene, prepareGlb } from '../../../../main/core/engine/benchmark';
import { createGltfIO, readGlb } from '../../../../main/core/engine/gltf-io';
import { prepareScene } from '../../../../main/core/scene/scene-prepare';
import { webpSize } from '../../../../main/core/scene/webp-textures';
import { materialSpheres } from '../../../../scripts/scenes/samples';

let dir: string;
let encode: (img: { data: Uint8ClampedArray; width: number; height: number }, o: object) => Promise<ArrayBuffer>;
const io = createGltfIO();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rf-webp-'));
  const mod = await import('@jsquash/webp/encode.js');
  const wasm = readFileSync(createRequire(import.meta.url).resolve('@jsquash/webp/codec/enc/webp_enc.wasm'));
  const wa = (globalThis as unknown as { WebAssembly: { compile(b: Uint8Array): Promise<unknown> } }).WebAssembly;
  await (mod.init as unknown as (m: unknown) => Promise<void>)(await wa.compile(wasm));
  encode = mod.default as unknown as typeof encode;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The spheres scene with its checker texture as lossless WebP (EXT_texture_webp), as a .glb path; `edit` may spoil the WebP bytes. */
async function webpScene(name: string, edit: (webp: Uint8Array) => Uint8Array = (b) => b): Promise<string> {
  const doc = materialSpheres();
  doc.createExtension(EXTTextureWebP).setRequired(true);
  for (const tex of doc.getRoot().listTextures()) {
    const png = PNG.sync.read(Buffer.from(tex.getImage()!));
    const webp = new Uint8Array(await encode({ data: new Uint8ClampedArray(png.data), width: png.width, height: png.height }, { lossless: 1 }));
    tex.setImage(edit(webp)).setMimeType('image/webp');
  }
  const path = join(dir, `${name}.glb`);
  writeFileSync(path, await io.writeBinary(doc));
  return path;
}

async function luminance(glb: Uint8Array, name: string): Promise<number> {
  const file = join(dir, `${name}-package.glb`);
  writeFileSync(file, glb);
  return (await benchScene(await prepareGlb(file, 1), { width: 48, height: 48, spp: 4, maxDepth: 3, threads: 1 })).meanLuminance;
}

describe('WebP textures', () => {
  it('import as PNG with the same pixels: the package renders exactly as the plain scene', async () => {
    const plainPath = join(dir, 'plain.glb');
    writeFileSync(plainPath, await io.writeBinary(materialSpheres()));
    const plain = await prepareScene({ source: { path: plainPath } });
    const webp = await prepareScene({ source: { path: await webpScene('webp') } });
    if (!plain.ok || !webp.ok) throw new Error(JSON.stringify(webp.problems));
    expect(webp.problems).toEqual([]);
    const doc = await readGlb(webp.glb);
    expect(doc.getRoot().listExtensionsUsed().map((e) => e.extensionName)).not.toContain('EXT_texture_webp');
    for (const t of doc.getRoot().listTextures()) expect(t.getMimeType()).toBe('image/png');
    expect(await luminance(webp.glb, 'webp')).toBe(await luminance(plain.glb, 'plain'));
  });

  it('a WebP whose header claims 16384 × 16384 pixels is refused before decoding', async () => {
    // VP8L: 14 bits of width-1 and height-1 after the signature byte.
    const path = await webpScene('huge', (b) => {
      const out = b.slice();
      const body = 20;
      expect(String.fromCharCode(...out.subarray(12, 16))).toBe('VP8L');
      const bits = new DataView(out.buffer).getUint32(body + 1, true);
      new DataView(out.buffer).setUint32(body + 1, (bits & ~0x0fffffff) | 0x3fff | (0x3fff << 14), true);
      return out;
    });
    const r = await prepareScene({ source: { path } });
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual(expect.objectContaining({ code: 'SCENE_TEXTURE_TOO_LARGE', message: expect.stringMatching(/is 16384 × 16384 pixels; a texture may have at most/) }));
  });

  it('a WebP cut short, or with garbage after a good header, is named as a damaged image', async () => {
    const cut = await prepareScene({ source: { path: await webpScene('cut', (b) => b.slice(0, 24)) } });
    expect(cut.problems).toContainEqual(expect.objectContaining({ code: 'SCENE_TEXTURE_UNREADABLE', message: expect.stringMatching(/is a damaged WebP image \(its size cannot be read\)/) }));
    const garbage = await prepareScene({
      source: {
        path: await webpScene('garbage', (b) => {
          const out = b.slice();
          out.fill(0xa5, 25);
          return out;
        }),
      },
    });
    expect(garbage.ok).toBe(false);
    expect(garbage.problems).toContainEqual(expect.objectContaining({ code: 'SCENE_TEXTURE_UNREADABLE', message: expect.stringMatching(/is a damaged WebP image \(.+\)\. Save it again, or as PNG or JPEG\./) }));
  });

  it('reads the size from VP8, VP8L and VP8X headers, and nothing from a non-WebP', () => {
    const riff = (id: string, body: number[]) => new Uint8Array([...Buffer.from('RIFF'), 0, 0, 0, 0, ...Buffer.from('WEBP'), ...Buffer.from(id), body.length, 0, 0, 0, ...body]);
    expect(webpSize(riff('VP8X', [0, 0, 0, 0, 99, 0, 0, 49, 0, 0]))).toEqual([100, 50]);
    expect(webpSize(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 64, 0, 32, 0]))).toEqual([64, 32]);
    expect(webpSize(riff('VP8L', [0x2f, 63, 0x40, 0x0f, 0]))).toEqual([64, 62]);
    expect(webpSize(riff('VP8X', [0, 0, 0]))).toBeNull();
    expect(webpSize(new Uint8Array(40))).toBeNull();
  });

  it('an operator refuses a package that still carries WebP (it was not made by Rayfarm)', async () => {
    const glb = new Uint8Array(readFileSync(await webpScene('raw')));
    await expect(readGlb(glb)).rejects.toMatchObject({ code: 'SCENE_CORRUPT', message: expect.stringMatching(/carries compressed data \(EXT_texture_webp\)/) });
  });
});
