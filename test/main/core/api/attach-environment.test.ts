import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, ftruncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../main/core/app';
import type { App } from '../../../../main/core/app';
import { flattenScene } from '../../../../main/core/engine/flatten';
import { createGltfIO, readGlb } from '../../../../main/core/engine/gltf-io';
import { readHdr } from '../../../../main/core/engine/hdr';
import { encodeExr } from '../../../../main/core/output/exr';
import { MAX_ENVIRONMENT_BYTES } from '../../../../main/core/scene/environment-attach';
import { uploadDir } from '../../../../main/core/scene/scene-library';
import { handleUpload } from '../../../../main/web/uploads';
import { makeSkyHdr } from '../../../../scripts/scenes/lighting';
import { materialSpheres } from '../../../../scripts/scenes/samples';
import { engineBuilt } from '../../../helpers/engine';
import { tempDataDir } from '../../../helpers/headless';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Mean of a preview PNG's pixels (0–255), decoded from its data URL. */
async function meanOf(dataUrl: string): Promise<number> {
  const { PNG } = await import('pngjs');
  const png = PNG.sync.read(Buffer.from(dataUrl.split(',')[1]!, 'base64'));
  let sum = 0;
  for (let i = 0; i < png.width * png.height; i++) sum += png.data[i * 4]! + png.data[i * 4 + 1]! + png.data[i * 4 + 2]!;
  return sum / (png.width * png.height * 3);
}

// A creator with a plain glTF adds a studio .hdr/.exr of their own: the map is checked like a
// packed one, packed into a new scene package (new id), and offered to jobs by its sha256.
describe('creator.attachEnvironment', () => {
  let app: App;
  let sceneId: string;
  const sky = makeSkyHdr(64, 32);
  const file = (name: string, bytes: Uint8Array | string) => {
    const p = join(app.store.dataDir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const stage = (id: string, name: string, bytes: Uint8Array | string) => {
    const folder = uploadDir(app.store.dataDir, id);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, name), bytes);
    return id;
  };
  const sceneCount = async () => (await app.api.call('creator.listScenes')).length;

  beforeAll(async () => {
    app = await createApp({ dataDir: tempDataDir(), log: () => {}, chain: 'off' });
    const r = await app.api.call('creator.importScene', { path: file('spheres.glb', await createGltfIO().writeBinary(materialSpheres())) });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    sceneId = r.scene.sceneId;
  });
  afterAll(() => app.stop());

  it('packs an uploaded .hdr into a new scene that offers it; the old scene stays whole, and jobs naming the map render lit by it', async () => {
    const before = app.store.blobs.get(sceneId);
    const events: string[] = [];
    const off = app.api.subscribe((e) => events.push(e.event));
    const r = await app.api.call('creator.attachEnvironment', { sceneId, uploadId: stage('envupload-0001', 'studio.hdr', sky) });
    off();
    expect(r.ok, JSON.stringify(!r.ok && r.problems)).toBe(true);
    if (!r.ok) return;
    expect(r.map).toEqual({ name: 'studio.hdr', sha256: sha(sky), width: 64, height: 32 });
    expect(r.scene.sceneId).not.toBe(sceneId);
    expect(r.scene.name).toBe('Materials + studio.hdr');
    expect(r.scene.summary.environmentMaps).toEqual([r.map]);
    expect(r.scene.summary.environment).toMatchObject({ kind: 'hdri', hdri: sha(sky) });
    expect(events).toContain('creator.sceneImported');
    // The upload folder is gone; the old package is unchanged and still listed.
    expect(() => app.store.blobs.get(sceneId)).not.toThrow();
    expect(sha(app.store.blobs.get(sceneId))).toBe(sha(before));
    expect((await app.api.call('creator.listScenes')).map((s) => s.sceneId)).toEqual(expect.arrayContaining([sceneId, r.scene.sceneId]));
    // What an operator fetches by the new id carries the map: a job naming it is lit by it.
    const flat = flattenScene(await readGlb(app.store.blobs.get(r.scene.sceneId)), { environment: { hdri: sha(sky) } });
    expect(flat.buffers.background).toMatchObject({ type: 'hdri', width: 64, height: 32 });
    // The same map again gives the same scene, not a third package.
    const n = await sceneCount();
    const again = await app.api.call('creator.attachEnvironment', { sceneId, path: file('studio.hdr', sky) });
    expect(again.ok && again.scene.sceneId).toBe(r.scene.sceneId);
    expect(await sceneCount()).toBe(n);
    if (!engineBuilt) return;
    // The preview with the map is lit by it: brighter than the scene with no world light.
    const lit = await app.api.call('creator.preview', { sceneId: r.scene.sceneId, width: 48, height: 32, spp: 4, environment: { hdri: sha(sky) } });
    const dark = await app.api.call('creator.preview', { sceneId: r.scene.sceneId, width: 48, height: 32, spp: 4, environment: 'none' });
    expect(await meanOf(lit.dataUrl)).toBeGreaterThan((await meanOf(dark.dataUrl)) + 20);
  });

  it('converts an OpenEXR map to .hdr as an import does', async () => {
    const px = new Float32Array(8 * 4 * 4).map((_, i) => (i % 4 === 3 ? 1 : 0.5 + (i % 7) * 0.25));
    const r = await app.api.call('creator.attachEnvironment', { sceneId, path: file('studio.exr', encodeExr(px, 8, 4, { pixelType: 'float' })) });
    expect(r.ok, JSON.stringify(!r.ok && r.problems)).toBe(true);
    if (!r.ok) return;
    expect(r.map).toMatchObject({ name: 'studio.hdr', width: 8, height: 4 });
    const doc = await readGlb(app.store.blobs.get(r.scene.sceneId));
    const tex = doc.getRoot().listTextures().find((t) => sha(t.getImage()!) === r.map.sha256)!;
    expect(readHdr(tex.getImage()!).data[0]).toBeCloseTo(0.5, 1);
  });

  it('refuses hostile files in words and stores nothing: a renamed PNG, a huge header, a truncated body, an oversized file', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(64).fill(0)]);
    const huge = '#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 100000 +X 200000\n\u0002\u0002';
    const big = join(app.store.dataDir, 'big.hdr');
    // A sparse file past the limit: refused by its size, never read.
    const fd = openSync(big, 'w');
    ftruncateSync(fd, MAX_ENVIRONMENT_BYTES + 1);
    closeSync(fd);
    const n = await sceneCount();
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ uploadId: stage('envupload-png1', 'sky.hdr', png) }, 'ENV_NOT_HDR', /`sky.hdr` is not a Radiance .hdr or OpenEXR image/],
      [{ path: file('huge.hdr', huge) }, 'ENV_BAD', /200000 × 100000 pixels, more than/],
      [{ path: file('cut.hdr', sky.subarray(0, 2000)) }, 'ENV_BAD', /ends in the middle of its pixels/],
      [{ path: big }, 'ENV_TOO_LARGE', /at most 256 MiB/],
      [{ path: file('fake.exr', Uint8Array.from([0x76, 0x2f, 0x31, 0x01, 2, 0x1a, 0, 0])) }, 'ENV_BAD', /cannot be used as an environment map: it is tiled, deep or multi-part/],
      [{ path: app.store.dataDir }, 'ENV_NOT_FILE', /not a plain file/],
      [{ uploadId: 'envupload-gone' }, 'SCENE_UPLOAD_NOT_FOUND', /gone/],
    ];
    for (const [source, code, message] of cases) {
      const r = await app.api.call('creator.attachEnvironment', { sceneId, ...source } as never);
      expect(r.ok, code).toBe(false);
      if (r.ok) continue;
      expect(r.problems[0]).toMatchObject({ severity: 'error', code });
      expect(r.problems[0]!.message).toMatch(message);
    }
    expect(await sceneCount()).toBe(n);
  });

  it('refuses a scene this library does not hold, a malformed id and an upload id that climbs out of the uploads folder', async () => {
    const unknown = await app.api.invoke('creator.attachEnvironment', { sceneId: 'c'.repeat(64), path: file('ok.hdr', sky) }, { transport: 'local' });
    expect(unknown.ok === false && unknown.error.code).toBe('SCENE_UNKNOWN');
    for (const input of [{ sceneId: '../x', path: 'a.hdr' }, { sceneId, uploadId: '../../etc' }, { sceneId, uploadId: 'envupload-0002', path: '/etc/passwd' }]) {
      const r = await app.api.invoke('creator.attachEnvironment', input, { transport: 'local' });
      expect(r.ok === false && r.error.code, JSON.stringify(input)).toBe('API_BAD_INPUT');
    }
  });

  it('the upload route keeps a map named with ../ inside its upload folder', async () => {
    const dir = join(app.store.dataDir, 'uploads');
    const server: Server = createServer((req, res) => void handleUpload(dir, req, res));
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    try {
      const port = (server.address() as AddressInfo).port;
      for (const name of ['../../sky.hdr', '/etc/sky.hdr', 'a/../../sky.hdr']) {
        const r = await fetch(`http://127.0.0.1:${port}/upload?upload=envupload-0003&name=${encodeURIComponent(name)}`, { method: 'POST', body: Buffer.from(sky), signal: AbortSignal.timeout(10_000) });
        // A leading slash is made relative (it lands inside the folder); a climb is refused.
        if (name.startsWith('/')) expect(r.status).toBe(200);
        else expect(r.status, name).toBe(400);
      }
    } finally {
      server.close();
    }
  });
});
