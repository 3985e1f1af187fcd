/**
 * Draco and meshopt geometry: decoded at import, packaged plain, rendered like the plain file;
 * and the files that lie about their compressed data are refused in words before anything
 * is decoded (or, for a damaged stream, when the decoder fails), never allocating what they
 * claim. A package that still carries compression (a hostile creator's) is refused by operators.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document } from '@gltf-transform/core';
import { draco, meshopt } from '@gltf-transform/functions';
import draco3d from 'draco3dgltf';
import { MeshoptDecoder, MeshoptEncoder } from 'meshoptimizer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGltfIO, readGlb } from '../../../../main/core/engine/gltf-io';
import { benchScene, prepareGlb } from '../../../../main/core/engine/benchmark';
import { prepareScene } from '../../../../main/core/scene/scene-prepare';
import { materialSpheres } from '../../../../scripts/scenes/samples';

let dir: string;
let io: ReturnType<typeof createGltfIO>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rf-compressed-'));
  await MeshoptEncoder.ready;
  await MeshoptDecoder.ready;
  io = createGltfIO().registerDependencies({
    'draco3d.encoder': await draco3d.createEncoderModule(),
    'draco3d.decoder': await draco3d.createDecoderModule(),
    'meshopt.encoder': MeshoptEncoder,
    'meshopt.decoder': MeshoptDecoder,
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Kind = 'plain' | 'draco' | 'meshopt';

async function compressed(kind: Kind): Promise<Document> {
  const doc = materialSpheres();
  if (kind === 'draco') await doc.transform(draco());
  if (kind === 'meshopt') await doc.transform(meshopt({ encoder: MeshoptEncoder }));
  return doc;
}

/** Writes the spheres scene compressed as `kind`, as a .gltf + .bin in its own folder; returns the .gltf path. */
async function writeGltf(kind: Kind, name: string = kind): Promise<string> {
  mkdirSync(join(dir, name), { recursive: true });
  const path = join(dir, name, 'spheres.gltf');
  await io.write(path, await compressed(kind));
  return path;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw glTF JSON edited by hand, as an attacker would
function editJson(path: string, edit: (json: Record<string, any>) => void): void {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  edit(json);
  writeFileSync(path, JSON.stringify(json));
}

async function prepared(path: string) {
  const r = await prepareScene({ source: { path } });
  if (!r.ok) throw new Error(`refused: ${r.problems.map((p) => p.message).join(' | ')}`);
  return r;
}

/** Renders a package small and returns its mean luminance. */
async function luminance(glb: Uint8Array, name: string): Promise<number> {
  const file = join(dir, `${name}.glb`);
  writeFileSync(file, glb);
  const r = await benchScene(await prepareGlb(file, 1), { width: 48, height: 48, spp: 8, maxDepth: 4, threads: 1 });
  return r.meanLuminance;
}

describe('compressed geometry at import', () => {
  it('a Draco file and a meshopt file import, package without compression, and render as the plain file does', async () => {
    const plain = await prepared(await writeGltf('plain'));
    const plainLum = await luminance(plain.glb, 'plain');
    expect(plainLum).toBeGreaterThan(0.01);
    for (const kind of ['draco', 'meshopt'] as const) {
      const path = await writeGltf(kind);
      const used = JSON.parse(readFileSync(path, 'utf8')).extensionsUsed as string[];
      expect(used, kind).toContain(kind === 'draco' ? 'KHR_draco_mesh_compression' : 'EXT_meshopt_compression');
      const r = await prepared(path);
      expect(r.problems.filter((p) => p.severity === 'error'), kind).toEqual([]);
      expect(r.summary.triangles, kind).toBe(plain.summary.triangles);
      // What operators get: plain accessors, readable without any decoder.
      const doc = await readGlb(r.glb);
      const names = doc.getRoot().listExtensionsUsed().map((e) => e.extensionName);
      expect(names, kind).not.toContain('KHR_draco_mesh_compression');
      expect(names, kind).not.toContain('EXT_meshopt_compression');
      // Quantised positions move vertices by far less than a pixel: the picture is the same within 1 %.
      const lum = await luminance(r.glb, kind);
      expect(Math.abs(lum / plainLum - 1), kind).toBeLessThan(0.01);
    }
  });
});

describe('hostile compressed files', () => {
  it('a meshopt view claiming 4 GB of vertices is refused before anything is allocated', async () => {
    const path = await writeGltf('meshopt', 'meshopt-bomb');
    editJson(path, (j) => {
      const v = j.bufferViews.find((b: { extensions?: { EXT_meshopt_compression?: { mode: string } } }) => b.extensions?.EXT_meshopt_compression?.mode === 'ATTRIBUTES');
      const def = v.extensions.EXT_meshopt_compression;
      def.count = 1_000_000_000;
      v.byteLength = def.count * def.byteStride;
    });
    const r = await prepareScene({ source: { path } });
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual(expect.objectContaining({ code: 'SCENE_TOO_LARGE', message: expect.stringMatching(/compressed geometry would decode to [\d.]+ GiB; at most 2 GiB/) }));
  });

  it('meshopt data that reads past its buffer, or claims a length its view does not have, is named as damage', async () => {
    const path = await writeGltf('meshopt', 'meshopt-past');
    editJson(path, (j) => {
      const v = j.bufferViews.find((b: { extensions?: object }) => b.extensions?.['EXT_meshopt_compression' as keyof object]);
      v.extensions.EXT_meshopt_compression.byteOffset = 1e9;
    });
    const r = await prepareScene({ source: { path } });
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual(expect.objectContaining({ code: 'SCENE_CORRUPT', message: expect.stringMatching(/compressed data of buffer view \d+ reads bytes 1000000000–.* Export it again, or export it without mesh compression\./) }));
    editJson(path, (j) => {
      const v = j.bufferViews.find((b: { extensions?: object }) => b.extensions?.['EXT_meshopt_compression' as keyof object]);
      v.extensions.EXT_meshopt_compression.byteOffset = 0;
      v.byteLength += 4;
    });
    const r2 = await prepareScene({ source: { path } });
    expect(r2.problems).toContainEqual(expect.objectContaining({ code: 'SCENE_CORRUPT', message: expect.stringMatching(/declares \d+ bytes but its compressed data decodes to \d+/) }));
  });

  it('a Draco primitive whose accessors claim 200 million vertices is refused before decoding', async () => {
    const path = await writeGltf('draco', 'draco-bomb');
    editJson(path, (j) => {
      j.accessors[j.meshes[0].primitives[0].attributes.POSITION].count = 200_000_000;
    });
    const r = await prepareScene({ source: { path } });
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual(expect.objectContaining({ code: 'SCENE_TOO_LARGE' }));
  });

  it('a damaged Draco stream is refused in words when the decoder fails', async () => {
    const path = await writeGltf('draco', 'draco-damaged');
    const json = JSON.parse(readFileSync(path, 'utf8'));
    const view = json.bufferViews[json.meshes[0].primitives[0].extensions.KHR_draco_mesh_compression.bufferView];
    const bin = join(dir, 'draco-damaged', json.buffers[view.buffer].uri);
    const bytes = readFileSync(bin);
    bytes.fill(0, view.byteOffset ?? 0, (view.byteOffset ?? 0) + Math.min(16, view.byteLength));
    writeFileSync(bin, bytes);
    const r = await prepareScene({ source: { path } });
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual(expect.objectContaining({ code: 'SCENE_UNREADABLE', message: expect.stringMatching(/^The compressed geometry in `spheres.gltf` could not be decoded \(.*\); the file is damaged\./) }));
  });

  it('a Draco primitive pointing at a buffer view that does not exist is named as damage', async () => {
    const path = await writeGltf('draco', 'draco-noview');
    editJson(path, (j) => {
      j.meshes[0].primitives[0].extensions.KHR_draco_mesh_compression.bufferView = 999;
    });
    const r = await prepareScene({ source: { path } });
    expect(r.problems).toContainEqual(expect.objectContaining({ code: 'SCENE_CORRUPT', message: expect.stringMatching(/Draco data of mesh .* points to a buffer view that does not exist/) }));
  });

  it('an operator refuses a package that still carries Draco geometry (it was not made by Rayfarm)', async () => {
    const glb = await io.writeBinary(await compressed('draco'));
    await expect(readGlb(glb)).rejects.toMatchObject({ code: 'SCENE_CORRUPT', message: expect.stringMatching(/carries compressed data \(KHR_draco_mesh_compression\).*refused/) });
  });
});
