import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findBlender } from '../../../../main/core/blender';
import type { BlenderInstall } from '../../../../main/core/blender';
import { sceneHandlers } from '../../../../main/core/api/scene-handlers';
import { blendOf, creatorBlenderFor } from '../../../../main/core/scene/blend-import';
import { SceneLibrary, uploadDir } from '../../../../main/core/scene/scene-library';
import { openStore } from '../../../../main/core/store';
import type { Store } from '../../../../main/core/store';
import { validateJobSpec } from '../../../../shared/job-spec';
import { BASE_SCENE_PY, blenderPath, makeBlend, sayIfNoBlender } from '../../../helpers/blender';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rayfarm-blend-import-'));
  store = openStore(join(dir, 'data'));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('which drops are a .blend', () => {
  it('a folder with one .blend (at its top or one folder down) is that .blend; with a glTF or none it is not', () => {
    mkdirSync(join(dir, 'a/scene'), { recursive: true });
    writeFileSync(join(dir, 'a/scene/shot.blend'), 'x');
    expect(blendOf(join(dir, 'a'))).toBe(join(dir, 'a/scene/shot.blend'));
    writeFileSync(join(dir, 'a/scene/shot.gltf'), '{}');
    expect(blendOf(join(dir, 'a'))).toBeUndefined();
    mkdirSync(join(dir, 'b'));
    writeFileSync(join(dir, 'b/x.png'), 'x');
    expect(blendOf(join(dir, 'b'))).toBeUndefined();
  });

  it('a drop of several .blend files is refused in words rather than one picked at random', () => {
    mkdirSync(join(dir, 'c'));
    for (const n of ['one.blend', 'two.blend']) writeFileSync(join(dir, 'c', n), 'x');
    const r = blendOf(join(dir, 'c'));
    expect(r).toMatchObject({ problem: { code: 'SCENE_SEVERAL_BLENDS', message: expect.stringMatching(/holds 2 \.blend files .*drop one \.blend/) } });
  });
});

describe('a creator without a matching Blender', () => {
  it('is told at import that Blender is missing and how to get it; nothing is stored', async () => {
    const lib = new SceneLibrary({ store, blender: async () => null });
    writeFileSync(join(dir, 'cube.blend'), 'BLENDER-v304');
    const r = await lib.importScene({ path: join(dir, 'cube.blend') });
    expect(r).toMatchObject({ ok: false, problems: [{ code: 'BLENDER_NOT_FOUND', message: expect.stringMatching(/Blender is not installed on this computer\. .*apt-get install blender/) }] });
    expect(lib.list()).toEqual([]);
    await lib.close();
  });

  it('cannot price or create a job for another Blender version, and is told why', async () => {
    const install: BlenderInstall = { path: '/usr/bin/blender', version: '3.4.1', majorMinor: '3.4', devices: [], denoiser: false, sandbox: 'none' };
    await expect(creatorBlenderFor(async () => install, 'blender-cycles/4.2')).rejects.toMatchObject({ code: 'BLENDER_VERSION_MISMATCH', message: expect.stringMatching(/needs Blender 4\.2, and this computer has Blender 3\.4\.1/) });
    await expect(creatorBlenderFor(async () => null, 'blender-cycles/3.4')).rejects.toMatchObject({ code: 'BLENDER_NOT_FOUND', message: expect.stringMatching(/your own Blender 3\.4\./) });
    await expect(creatorBlenderFor(async () => install, 'blender-cycles/3.4')).resolves.toBe(install);
  });
});

sayIfNoBlender('.blend import into the scene library');

describe.skipIf(!blenderPath)('a .blend through the scene library, with this machine\'s Blender', () => {
  const made = mkdtempSync(join(tmpdir(), 'rayfarm-blend-import-made-'));
  let install: BlenderInstall;
  beforeAll(async () => {
    install = (await findBlender())!;
    makeBlend(join(made, 'cube.blend'), BASE_SCENE_PY);
  });
  afterAll(() => rmSync(made, { recursive: true, force: true }));

  it('an upload named .blend that is not one is refused in words, the upload\'s folder never shown', async () => {
    const lib = new SceneLibrary({ store, blender: async () => install });
    const up = uploadDir(store.dataDir, 'evil-upload-0001');
    mkdirSync(up, { recursive: true });
    writeFileSync(join(up, 'cube.blend'), '#!/bin/sh\nrm -rf ~\n');
    const r = await lib.importScene({ uploadId: 'evil-upload-0001' });
    expect(r).toMatchObject({ ok: false, problems: [{ code: 'SCENE_NOT_BLEND', message: expect.stringMatching(/cube\.blend is not a Blender file/) }] });
    expect(JSON.stringify(r)).not.toContain(up);
    await lib.close();
  });

  it('stores the packed .blend with what Blender found and a Blender preview; a forged estimate is refused', async () => {
    const lib = new SceneLibrary({ store, blender: async () => install });
    const r = await lib.importScene({ path: join(made, 'cube.blend') });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const s = r.scene.summary;
    expect(s.blender).toMatchObject({ kind: 'blender', engine: 'Cycles', engineId: `blender-cycles/${install.majorMinor}`, frameStart: 1, frameEnd: 4, width: 64, height: 48, samples: 8, camera: 'Camera', denoiser: install.denoiser });
    expect(readFileSync(store.blobs.pathOf(r.scene.sceneId)).subarray(0, 7).toString('latin1')).toBe('BLENDER');
    expect(s.previewHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(store.blobs.get(s.previewHash!).subarray(1, 4)).toString()).toBe('PNG');
    // The built-in engine is never handed a .blend, and a spec naming another Blender is refused.
    const h = sceneHandlers({ library: lib, store, engine: () => Promise.reject(new Error('no engine in this test')), blender: async () => install, events: () => undefined });
    const spec = (engine?: string) => validateJobSpec({ sceneId: r.scene.sceneId, width: 64, height: 48, spp: 1, ...(engine ? { engine } : {}) });
    const gltf = spec();
    if (!gltf.ok) throw new Error(gltf.message);
    await expect(Promise.resolve().then(() => h['creator.estimate']({ spec: gltf.spec, nodes: 1 }, { transport: 'local' }))).rejects.toMatchObject({ code: 'SCENE_IS_BLEND' });
    const other = spec('blender-cycles/9.9');
    if (!other.ok) throw new Error(other.message);
    await expect(Promise.resolve().then(() => h['creator.estimate']({ spec: other.spec, nodes: 1 }, { transport: 'local' }))).rejects.toMatchObject({ code: 'BLENDER_VERSION_MISMATCH' });
    await lib.close();
  });
});
