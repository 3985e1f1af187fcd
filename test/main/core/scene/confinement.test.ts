import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readScene } from '../../../../main/core/scene/importer';
import { prepareScene } from '../../../../main/core/scene/scene-prepare';
import { confinedPath } from '../../../../main/core/scene/scene-files';
import { createGltfIO } from '../../../../main/core/engine/gltf-io';
import { materialSpheres } from '../../../../scripts/scenes/samples';

let dir: string;
const SECRET = 'RAYFARM-SECRET-KEYSTORE-BYTES';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw glTF JSON edited by hand
type Json = Record<string, any>;

/** The spheres scene as .gltf + .bin + checker.png in `<dir>/<name>/`, with its JSON edited. */
async function sceneWith(name: string, edit: (json: Json) => void): Promise<string> {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'spheres.gltf');
  await createGltfIO().write(path, materialSpheres());
  const json = JSON.parse(readFileSync(path, 'utf8')) as Json;
  edit(json);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

function textureIndex(json: Json): number {
  return json.images.findIndex((i: Json) => typeof i.uri === 'string');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rf-confine-'));
  // A secret beside the scene folders: what an escaping URI would reach.
  writeFileSync(join(dir, 'secret.key'), SECRET);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scene confinement', () => {
  it('refuses the ../../../../../../../etc/passwd texture by path, naming the URI and the material', async () => {
    const path = await sceneWith('passwd', (j) => {
      j.images[textureIndex(j)].uri = '../../../../../../../etc/passwd';
    });
    const r = await prepareScene({ source: { path } });
    expect(r.ok).toBe(false);
    const p = r.problems.find((x) => x.code === 'SCENE_FILE_REFUSED')!;
    expect(p.severity).toBe('error');
    expect(p.message).toContain('`../../../../../../../etc/passwd`');
    expect(p.message).toMatch(/used by material/);
    expect(p.message).toMatch(/outside the scene's folder/);
  });

  const attacks: [string, string, RegExp][] = [
    ['a .. escape to a file beside the folder', '../secret.key', /outside the scene's folder/],
    ['an encoded .. escape', '..%2Fsecret.key', /outside the scene's folder/],
    ['an absolute path', join(dir ?? '/tmp', 'secret.key'), /absolute path/],
    ['a file: URL', 'file:///etc/passwd', /URL or drive path/],
    ['an http: URL', 'http://127.0.0.1:9/x.png', /URL or drive path/],
    ['a drive letter', 'C:\\secret.key', /URL or drive path/],
    ['malformed percent-encoding', '%E0.png', /not a valid/],
  ];
  for (const [what, uri, why] of attacks) {
    it(`refuses ${what} for a texture and for a buffer`, async () => {
      for (const kind of ['images', 'buffers'] as const) {
        const path = await sceneWith(`${kind}-${encodeURIComponent(what)}`, (j) => {
          const i = kind === 'images' ? textureIndex(j) : 0;
          j[kind][i].uri = uri.replace(join('/tmp', 'secret.key'), join(dir, 'secret.key'));
        });
        const r = await prepareScene({ source: { path } });
        expect(r.ok, `${kind}: ${uri}`).toBe(false);
        const p = r.problems.find((x) => x.code === 'SCENE_FILE_REFUSED');
        expect(p?.message, `${kind}: ${uri}`).toMatch(why);
      }
    });
  }

  it('refuses a symbolic link inside the folder that leads out of it', async () => {
    const path = await sceneWith('link', (j) => {
      j.images[textureIndex(j)].uri = 'textures/secret.key';
    });
    symlinkSync(dir, join(dir, 'link', 'textures'));
    const r = await prepareScene({ source: { path } });
    expect(r.ok).toBe(false);
    expect(r.problems.find((x) => x.code === 'SCENE_FILE_REFUSED')?.message).toMatch(/through a link/);
  });

  it('confines a folder import and an upload the same way, and never packs the secret', async () => {
    const path = await sceneWith('folder', (j) => {
      j.buffers[0].uri = '../secret.key';
    });
    const byFolder = await prepareScene({ source: { path: join(dir, 'folder') } });
    expect(byFolder.ok).toBe(false);
    expect(byFolder.problems.find((x) => x.code === 'SCENE_FILE_REFUSED')?.message).toContain('`../secret.key`');
    // The same files uploaded: the upload's root is the scene's folder.
    const files = ['spheres.gltf', 'spheres.bin'].map((n) => ({ name: n, bytes: new Uint8Array(readFileSync(join(dir, 'folder', n))) }));
    const byUpload = await prepareScene({ source: { files } });
    expect(byUpload.ok).toBe(false);
    expect(byUpload.problems.find((x) => x.code === 'SCENE_FILE_REFUSED')?.message).toContain('`../secret.key`');
    expect(readFileSync(path, 'utf8')).toContain('../secret.key');
  });

  it('still reads files in subfolders, and .. that stays inside', async () => {
    const path = await sceneWith('inside', (j) => {
      j.images[textureIndex(j)].uri = 'sub/../' + j.images[textureIndex(j)].uri;
    });
    const r = await readScene({ path });
    expect(r.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('confinedPath: a URI resolves inside the folder or names why not', () => {
    expect(confinedPath('a/b.png', '')).toEqual({ path: 'a/b.png' });
    expect(confinedPath('../b.png', 'sub')).toEqual({ path: 'b.png' });
    expect(confinedPath('../../b.png', 'sub')).toMatchObject({ reason: 'outside' });
    expect(confinedPath('a%00.png', '')).toMatchObject({ reason: 'malformed' });
    expect(confinedPath('a\\..\\..\\b', '')).toMatchObject({ reason: 'malformed' });
    expect(confinedPath('/etc/passwd', '')).toMatchObject({ reason: 'absolute' });
  });
});

describe('scene limits', () => {
  it('refuses a texture that is not a decodable PNG or JPEG (an error, not a warning)', async () => {
    const path = await sceneWith('fake-png', () => undefined);
    const json = JSON.parse(readFileSync(path, 'utf8')) as Json;
    const png = join(dir, 'fake-png', json.images[textureIndex(json)].uri);
    const bytes = readFileSync(png);
    writeFileSync(png, bytes.subarray(0, 40)); // a PNG header and nothing to decode
    const r = await readScene({ path });
    expect(r.problems.find((p) => p.code === 'SCENE_TEXTURE_UNREADABLE')).toMatchObject({ severity: 'error' });
    writeFileSync(png, 'not an image at all');
    const r2 = await readScene({ path });
    expect(r2.problems.find((p) => p.code === 'SCENE_TEXTURE_UNREADABLE')).toMatchObject({ severity: 'error' });
  });

  it('refuses a texture whose header claims more pixels than the cap, before decoding it', async () => {
    const path = await sceneWith('huge-png', () => undefined);
    const json = JSON.parse(readFileSync(path, 'utf8')) as Json;
    const png = join(dir, 'huge-png', json.images[textureIndex(json)].uri);
    const bytes = Buffer.from(readFileSync(png));
    bytes.writeUInt32BE(65535, 16);
    bytes.writeUInt32BE(65535, 20);
    writeFileSync(png, bytes);
    const r = await readScene({ path });
    expect(r.problems.find((p) => p.code === 'SCENE_TEXTURE_TOO_LARGE')).toMatchObject({ severity: 'error' });
  });

  it('refuses a buffer whose file is longer or shorter than its declared length', async () => {
    const longer = await sceneWith('declared-longer', (j) => {
      j.buffers[0].byteLength += 1;
    });
    expect((await readScene({ path: longer })).problems.map((p) => p.code)).toContain('SCENE_SHORT_BUFFER');
    const shorter = await sceneWith('declared-shorter', (j) => {
      j.buffers[0].byteLength -= 100;
    });
    expect((await readScene({ path: shorter })).problems.map((p) => p.code)).toContain('SCENE_BUFFER_LENGTH');
  });

  it('refuses a data: URI that is malformed', async () => {
    const path = await sceneWith('data-uri', (j) => {
      j.images[textureIndex(j)].uri = 'data:image/png;base64,!!!!';
    });
    const r = await readScene({ path });
    expect(r.problems.find((p) => p.code === 'SCENE_CORRUPT')?.message).toMatch(/cannot be decoded/);
  });

  it('refuses JSON fields of the wrong type with a plain message instead of a TypeError', async () => {
    const path = await sceneWith('types', (j) => {
      j.nodes[0].translation = null;
    });
    const r = await readScene({ path });
    expect(r.problems[0]).toMatchObject({ severity: 'error', code: 'SCENE_CORRUPT' });
    expect(r.problems[0]!.message).toMatch(/nodes\.0\.translation/);
  });
});
