import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGltfIO, readGlb } from '../../../../main/core/engine/gltf-io';
import { flattenScene } from '../../../../main/core/engine/flatten';
import { readHdr } from '../../../../main/core/engine/hdr';
import { encodeExr } from '../../../../main/core/output/exr';
import { prepareScene } from '../../../../main/core/scene/scene-prepare';
import { hdriScene, makeSkyHdr } from '../../../../scripts/scenes/lighting';

let dir: string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw glTF JSON edited by hand
type Json = Record<string, any>;

/** The HDRI sample scene as .gltf + .bin + sky.hdr in `<dir>/<name>/`, with its JSON and sky edited. */
async function sceneWith(name: string, edit: (json: Json) => void = () => {}, sky: Uint8Array = makeSkyHdr(64, 32)): Promise<string> {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'hdri.gltf');
  await createGltfIO().write(path, hdriScene());
  writeFileSync(join(folder, 'sky.hdr'), sky);
  const json = JSON.parse(readFileSync(path, 'utf8')) as Json;
  edit(json);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

const envImage = (j: Json) => j.images[j.extensions.RAYFARM_environment.image];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rf-envmap-'));
  // A valid .hdr beside the scene folders: what an escaping URI would reach.
  writeFileSync(join(dir, 'outside.hdr'), makeSkyHdr(16, 8));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('environment maps packed with a scene', () => {
  it('packs the .hdr a .gltf names, content-addressed, and auto lights the scene with it', async () => {
    const sky = makeSkyHdr(64, 32);
    const r = await prepareScene({ source: { path: await sceneWith('ok', () => {}, sky) } });
    expect(r.ok, JSON.stringify(r.problems)).toBe(true);
    if (!r.ok) return;
    const sha = createHash('sha256').update(sky).digest('hex');
    expect(r.summary.environmentMaps).toEqual([{ name: 'sky.hdr', sha256: sha, width: 64, height: 32 }]);
    expect(r.summary.environment).toMatchObject({ kind: 'hdri', hdri: sha });
    expect(r.summary.textures.map((t) => t.name)).not.toContain('sky.hdr');
    // What operators get: the package alone lights the frame with the map.
    const flat = flattenScene(await readGlb(r.glb), { aspect: 1 });
    expect(flat.buffers.background).toMatchObject({ type: 'hdri', width: 64, height: 32 });
    // A job naming the map by its sha256 gets it, with its intensity; another hash is refused in words.
    const named = flattenScene(await readGlb(r.glb), { environment: { hdri: sha, intensity: 2 } });
    expect(named.buffers.background).toMatchObject({ type: 'hdri', intensity: 2 });
    const doc = await readGlb(r.glb);
    expect(() => flattenScene(doc, { environment: { hdri: 'f'.repeat(64) } })).toThrow(/holds other maps only/);
  });

  it('refuses an environment map outside the scene folder, and never packs it', async () => {
    for (const uri of ['../outside.hdr', join(dir, 'outside.hdr'), 'file:///etc/passwd']) {
      const r = await prepareScene({ source: { path: await sceneWith(`out-${encodeURIComponent(uri)}`, (j) => (envImage(j).uri = uri)) } });
      expect(r.ok, uri).toBe(false);
      expect(r.problems.find((p) => p.code === 'SCENE_FILE_REFUSED')?.message, uri).toMatch(/folder|URL/);
    }
  });

  it('refuses a huge or damaged .hdr in words, before allocating what its header claims', async () => {
    const huge = new TextEncoder().encode('#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 100000 +X 200000\n\u0002\u0002');
    const truncated = makeSkyHdr(64, 32).subarray(0, 2000);
    const notRgbe = new TextEncoder().encode('#?RADIANCE\nFORMAT=32-bit_rle_xyze\n\n-Y 8 +X 8\n');
    const cases: [string, Uint8Array, RegExp][] = [
      ['huge', huge, /200000 × 100000 pixels, more than/],
      ['truncated', truncated, /ends in the middle of its pixels/],
      ['xyze', notRgbe, /only 32-bit_rle_rgbe is read/],
    ];
    for (const [name, bytes, why] of cases) {
      const r = await prepareScene({ source: { path: await sceneWith(`bad-${name}`, () => {}, bytes) } });
      expect(r.ok, name).toBe(false);
      const p = r.problems.find((x) => x.code === 'SCENE_TEXTURE_UNREADABLE');
      expect(p?.message, name).toMatch(/Environment map `sky.hdr`/);
      expect(p?.message, name).toMatch(why);
    }
  });

  it('an operator refuses a package whose map was swapped for a hostile one, in words, before allocating', async () => {
    // A package is the creator's bytes: the map may claim any size or be cut short.
    for (const [bytes, why] of [
      [new TextEncoder().encode('#?RADIANCE\n\n-Y 65000 +X 65000\n'), /65000 × 65000 pixels, more than/],
      [makeSkyHdr(64, 32).subarray(0, 500), /ends in the middle/],
    ] as const) {
      const doc = hdriScene();
      doc.getRoot().listTextures()[0]!.setImage(bytes);
      const glb = await createGltfIO().writeBinary(doc);
      const packaged = await readGlb(glb);
      expect(() => flattenScene(packaged, {})).toThrow(why);
      try {
        flattenScene(packaged, {});
      } catch (e) {
        expect((e as { code?: string }).code).toBe('HDR_BAD');
      }
    }
  });

  it('packs an OpenEXR map beside the .gltf as .hdr, and refuses a hostile one in words', async () => {
    const sky = readHdr(makeSkyHdr(64, 32));
    const rgba = new Float32Array(64 * 32 * 4);
    for (let i = 0; i < 64 * 32; i++) rgba.set([sky.data[i * 3]!, sky.data[i * 3 + 1]!, sky.data[i * 3 + 2]!, 1], i * 4);
    const exr = encodeExr(rgba, 64, 32, { pixelType: 'float', compression: 'zip' });
    const asExr = (j: Json) => {
      envImage(j).uri = 'sky.exr';
      delete envImage(j).mimeType;
    };
    const path = await sceneWith('exr', asExr);
    writeFileSync(join(dir, 'exr', 'sky.exr'), exr);
    const r = await prepareScene({ source: { path } });
    expect(r.ok, JSON.stringify(r.problems)).toBe(true);
    if (!r.ok) return;
    expect(r.summary.environmentMaps?.[0]).toMatchObject({ width: 64, height: 32 });
    const flat = flattenScene(await readGlb(r.glb), {});
    const bg = flat.buffers.background as { type: string; data: Float32Array };
    expect(bg.type).toBe('hdri');
    // The sun survives the trip (RGBE keeps 8 bits of mantissa).
    expect(Math.max(...bg.data)).toBeGreaterThan(350);

    // A header claiming 2^30 pixels is refused before anything is allocated.
    const huge = Buffer.from(exr);
    const at = huge.indexOf('dataWindow') + 'dataWindow'.length + 1 + 'box2i'.length + 1 + 4;
    huge.writeInt32LE(65535, at + 8);
    huge.writeInt32LE(16383, at + 12);
    const bad = await sceneWith('exr-huge', asExr);
    writeFileSync(join(dir, 'exr-huge', 'sky.exr'), huge);
    const rb = await prepareScene({ source: { path: bad } });
    expect(rb.ok).toBe(false);
    expect(rb.problems.find((p) => p.code === 'SCENE_TEXTURE_UNREADABLE')?.message).toMatch(/Environment map `sky.exr` cannot be used: it is 65536 × 16384 pixels, more than/);
  });
});
