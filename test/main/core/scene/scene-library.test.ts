import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng } from '../../../../main/core/output/png';
import { nativeEngine } from '../../../../main/core/render/render-task';
import { SceneLibrary, uploadDir } from '../../../../main/core/scene/scene-library';
import { createGltfIO } from '../../../../main/core/engine/gltf-io';
import { openStore, sha256Hex } from '../../../../main/core/store';
import type { Store } from '../../../../main/core/store';
import { animatedScene, cornellBox, materialSpheres } from '../../../../scripts/scenes/samples';
import { engineBuilt } from '../../../helpers/engine';

let dir: string;
let store: Store;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rf-lib-'));
  store = openStore(join(dir, 'data'));
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function blobCount(): number {
  const root = join(store.dataDir, 'blobs');
  return readdirSync(root).filter((d) => d !== 'tmp').reduce((n, d) => n + readdirSync(join(root, d)).length, 0);
}

describe('SceneLibrary', () => {
  it('packages a scene under its sha256, summarises it and renders a preview', async () => {
    const lib = new SceneLibrary({ store, engine: engineBuilt ? async () => nativeEngine : undefined });
    const path = join(dir, 'cornell.glb');
    const io = createGltfIO();
    writeFileSync(path, await io.writeBinary(cornellBox()));
    const r = await lib.importScene({ path });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    const { scene } = r;
    expect(scene.sceneId).toBe(sha256Hex(store.blobs.get(scene.sceneId)));
    expect(scene.summary).toMatchObject({ name: 'Cornell box', triangles: 36, meshes: 6, // three identical white walls merged into one mesh drawn three times
      lights: [], cameras: [{ name: 'Camera', type: 'perspective' }], usesDefaultEnvironment: false });
    expect(scene.summary.bytes).toBe(store.blobs.size(scene.sceneId));
    expect(scene.summary.bounds.max[1]).toBeCloseTo(2);
    if (engineBuilt) {
      const png = decodePng(store.blobs.get(scene.summary.previewHash!));
      expect(png.width).toBe(256);
    } else {
      console.log('engine not built: preview not checked');
    }
    expect(lib.list().map((s) => s.sceneId)).toEqual([scene.sceneId]);
    // The packaged scene opens again as a document.
    const doc = await lib.document(scene.sceneId);
    expect(doc.getRoot().listMeshes()).toHaveLength(6);
  });

  it('gives the same scene the same id and stores nothing new', async () => {
    const lib = new SceneLibrary({ store });
    const a = join(dir, 'a.glb');
    writeFileSync(a, await createGltfIO().writeBinary(animatedScene()));
    const first = await lib.importScene({ path: a });
    const before = blobCount();
    const second = await lib.importScene({ path: a });
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(second.scene.sceneId).toBe(first.scene.sceneId);
    expect(second.alreadyImported).toBe(true);
    expect(blobCount()).toBe(before);
    expect(first.scene.summary.animations).toEqual([{ name: 'Action', start: 0, end: 1, channels: 4 }]);
    expect(first.scene.summary.lights.map((l) => l.type)).toEqual(['point', 'spot']);
  });

  it('imports a browser upload staged in the uploads folder, the same as the file on disk', async () => {
    const lib = new SceneLibrary({ store });
    const id = 'upload-1234abcd';
    const folder = uploadDir(store.dataDir, id);
    mkdirSync(folder, { recursive: true });
    await createGltfIO().write(join(folder, 'spheres.gltf'), materialSpheres());
    const up = await lib.importScene({ uploadId: id });
    expect(up.ok).toBe(true);
    expect(existsSync(folder)).toBe(false); // the staging folder is cleared once imported
    expect((await lib.importScene({ uploadId: id })).problems[0]).toMatchObject({ code: 'SCENE_UPLOAD_NOT_FOUND' });
    const disk = join(dir, 'spheres.glb');
    writeFileSync(disk, await createGltfIO().writeBinary(materialSpheres()));
    const fromGlb = await lib.importScene({ path: disk });
    if (!up.ok || !fromGlb.ok) return;
    expect(fromGlb.scene.sceneId).toBe(up.scene.sceneId);
    expect(up.scene.summary.usesDefaultEnvironment).toBe(true);
    expect(up.scene.summary.textures).toEqual([expect.objectContaining({ name: 'checker', width: 256, height: 256, mimeType: 'image/png' })]);
    expect(up.scene.summary.triangles).toBe(10 * 2208 + 2);
  });

  it('returns the problems and stores nothing for a broken scene', async () => {
    const lib = new SceneLibrary({ store });
    const before = lib.list().length;
    const path = join(dir, 'broken.gltf');
    writeFileSync(path, JSON.stringify({ asset: { version: '2.0' }, buffers: [{ uri: 'gone.bin', byteLength: 10 }] }));
    const r = await lib.importScene({ path });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ code: 'SCENE_MISSING_FILE' });
    expect(lib.list()).toHaveLength(before);
    expect(() => uploadDir(store.dataDir, '../etc')).toThrow(/malformed/);
  });
});

describe('SceneLibrary uploads', () => {
  it('keeps a staged upload from reading files outside its folder', async () => {
    const lib = new SceneLibrary({ store });
    const id = 'escape-12345678';
    const folder = uploadDir(store.dataDir, id);
    mkdirSync(folder, { recursive: true });
    // A .bin beside the uploads folder, which the upload's glTF tries to reach with ../
    await createGltfIO().write(join(store.dataDir, 'uploads', 'outside.gltf'), materialSpheres());
    const json = JSON.parse(readFileSync(join(store.dataDir, 'uploads', 'outside.gltf'), 'utf8'));
    json.buffers[0].uri = '../outside.bin';
    writeFileSync(join(folder, 'scene.gltf'), JSON.stringify(json));
    const r = await lib.importScene({ uploadId: id });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatchObject({ code: 'SCENE_FILE_REFUSED', subject: { kind: 'file', name: '../outside.bin' } });
  });
});
