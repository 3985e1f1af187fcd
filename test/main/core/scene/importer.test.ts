import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document } from '@gltf-transform/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readScene } from '../../../../main/core/scene/importer';
import { createGltfIO } from '../../../../main/core/engine/gltf-io';
import { box, meshFrom } from '../../../../scripts/scenes/geometry';
import { encodePng, materialSpheres } from '../../../../scripts/scenes/samples';

let dir: string;
const io = createGltfIO();

/** Writes the spheres scene as .gltf + .bin + checker.png into a fresh folder; returns the .gltf path. */
async function writeGltf(name: string): Promise<string> {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  await io.write(join(folder, 'spheres.gltf'), materialSpheres());
  return join(folder, 'spheres.gltf');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw glTF JSON edited by hand
function editJson(path: string, edit: (json: Record<string, any>) => void): void {
  const json = JSON.parse(readFileSync(path, 'utf8'));
  edit(json);
  writeFileSync(path, JSON.stringify(json));
}

function codes(problems: { code: string; severity: string }[]): string[] {
  return problems.map((p) => `${p.severity}:${p.code}`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rf-import-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('readScene: good inputs', () => {
  it('reads a .glb', async () => {
    const path = join(dir, 'spheres.glb');
    writeFileSync(path, await io.writeBinary(materialSpheres()));
    const r = await readScene({ path });
    expect(r.problems).toEqual([]);
    expect(r.doc!.getRoot().listMeshes().length).toBeGreaterThan(0);
    expect(r.name).toBe('Materials');
  });

  it('reads a .gltf with its .bin and image files, and the folder holding it', async () => {
    const path = await writeGltf('good');
    expect(readdirSync(join(dir, 'good')).sort()).toEqual(['checker.png', 'spheres.bin', 'spheres.gltf']);
    const r = await readScene({ path });
    expect(r.problems).toEqual([]);
    expect(r.doc!.getRoot().listTextures()[0]!.getImage()!.byteLength).toBeGreaterThan(100);
    const f = await readScene({ path: join(dir, 'good') });
    expect(f.problems).toEqual([]);
  });

  it('reads uploaded files with relative names', async () => {
    const path = await writeGltf('upload');
    const folder = join(dir, 'upload');
    const files = readdirSync(folder).map((n) => ({ name: `my scene/${n}`, bytes: new Uint8Array(readFileSync(join(folder, n))) }));
    const r = await readScene({ files });
    expect(r.problems).toEqual([]);
    expect(path).toContain('upload');
  });
});

describe('readScene: broken inputs are named in plain words', () => {
  it('names a missing texture and the material that uses it', async () => {
    const path = await writeGltf('missing-tex');
    rmSync(join(dir, 'missing-tex', 'checker.png'));
    const r = await readScene({ path });
    const p = r.problems.find((x) => x.code === 'SCENE_MISSING_FILE')!;
    expect(p.severity).toBe('error');
    expect(p.message).toMatch(/^Texture `checker.png`, used by material `Checker`, is missing/);
    expect(p.subject).toEqual({ kind: 'texture', name: 'checker.png' });
  });

  it('names a missing .bin', async () => {
    const path = await writeGltf('missing-bin');
    rmSync(join(dir, 'missing-bin', 'spheres.bin'));
    const r = await readScene({ path });
    expect(r.problems[0]).toMatchObject({ severity: 'error', code: 'SCENE_MISSING_FILE', subject: { kind: 'file', name: 'spheres.bin' } });
    expect(r.doc).toBeUndefined();
  });

  it('says a file that is not glTF is not glTF', async () => {
    const obj = join(dir, 'model.obj');
    writeFileSync(obj, 'o cube\nv 0 0 0\nv 1 0 0\n');
    const renamed = join(dir, 'fake.glb');
    writeFileSync(renamed, 'hello, I am text');
    const folder = join(dir, 'no-gltf');
    mkdirSync(folder);
    writeFileSync(join(folder, 'readme.txt'), 'nothing');
    expect((await readScene({ path: obj })).problems[0]!.message).toMatch(/`model.obj` is not a glTF file. It looks like an OBJ file/);
    expect((await readScene({ path: renamed })).problems[0]).toMatchObject({ code: 'SCENE_NOT_GLTF' });
    expect((await readScene({ path: folder })).problems[0]).toMatchObject({ code: 'SCENE_NO_GLTF' });
    expect((await readScene({ path: join(dir, 'nope.glb') })).problems[0]).toMatchObject({ code: 'SCENE_NOT_FOUND' });
    // A .blend is for the command line's Blender path, said in words (the app does not import it yet).
    const blend = join(dir, 'shot.blend');
    writeFileSync(blend, 'BLENDER-v304');
    expect((await readScene({ path: blend })).problems[0]).toMatchObject({ code: 'SCENE_BLEND_NOT_IN_APP', message: expect.stringMatching(/`shot.blend` is a Blender file: .*rayfarm submit/) });
  });

  it('blocks an unsupported required extension and only warns about an optional one', async () => {
    const path = await writeGltf('ext');
    editJson(path, (j) => {
      j.extensionsUsed = ['KHR_materials_iridescence', 'KHR_materials_clearcoat', 'KHR_texture_transform', 'EXT_fancy_thing'];
      j.extensionsRequired = ['EXT_fancy_thing'];
    });
    const r = await readScene({ path });
    expect(codes(r.problems)).toEqual(['warning:SCENE_EXTENSION_IGNORED', 'error:SCENE_UNSUPPORTED_EXTENSION']);
    expect(r.problems[1]!.subject).toEqual({ kind: 'extension', name: 'EXT_fancy_thing' });
    // The material and texture extensions the engine renders may be required.
    editJson(path, (j) => {
      j.extensionsRequired = ['KHR_texture_transform', 'KHR_materials_transmission', 'KHR_materials_volume'];
      j.extensionsUsed = ['KHR_materials_iridescence', ...j.extensionsRequired];
    });
    expect(codes((await readScene({ path })).problems)).toEqual(['warning:SCENE_EXTENSION_IGNORED']);
    editJson(path, (j) => {
      j.extensionsUsed = ['KHR_materials_iridescence'];
      delete j.extensionsRequired;
    });
    const ok = await readScene({ path });
    expect(codes(ok.problems)).toEqual(['warning:SCENE_EXTENSION_IGNORED']);
    expect(ok.doc).toBeDefined();
  });

  it('names a short buffer and an accessor that reads past its data', async () => {
    const path = await writeGltf('short');
    const bin = join(dir, 'short', 'spheres.bin');
    truncateSync(bin, 1000);
    expect((await readScene({ path })).problems[0]).toMatchObject({ code: 'SCENE_SHORT_BUFFER', message: expect.stringMatching(/`spheres.bin` is cut short/) });
    const path2 = await writeGltf('accessor');
    editJson(path2, (j) => {
      j.accessors[0].count += 1000;
    });
    const r = await readScene({ path: path2 });
    const p = r.problems.find((x) => x.code === 'SCENE_ACCESSOR_OUT_OF_RANGE')!;
    expect(p.subject?.kind).toBe('accessor');
    expect(p.message).toMatch(/Accessor 0 \(\w+ of mesh `Sphere 0-0`\) reads past the end of its data/);
  });

  it('names a truncated GLB', async () => {
    const bytes = await io.writeBinary(materialSpheres());
    const path = join(dir, 'cut.glb');
    writeFileSync(path, bytes.subarray(0, 5000));
    expect((await readScene({ path })).problems[0]).toMatchObject({ severity: 'error', code: 'SCENE_TRUNCATED' });
  });

  it('names vertex indices out of range', async () => {
    const d = new Document();
    d.createBuffer();
    d.createScene('s').addChild(d.createNode('n').setMesh(meshFrom(d, 'Broken', { positions: [0, 0, 0, 1, 0, 0, 0, 1, 0], normals: [], uvs: [], indices: [0, 1, 7] }, null)));
    const path = join(dir, 'badindex.glb');
    writeFileSync(path, await io.writeBinary(d));
    const r = await readScene({ path });
    expect(r.problems).toContainEqual(expect.objectContaining({ code: 'SCENE_ACCESSOR_OUT_OF_RANGE', subject: { kind: 'mesh', name: 'Broken' } }));
  });

  it('says when a scene has nothing to render', async () => {
    const d = new Document();
    d.createScene('Empty').addChild(d.createNode('cam').setCamera(d.createCamera('c').setType('perspective').setYFov(1)));
    const path = join(dir, 'empty.glb');
    writeFileSync(path, await io.writeBinary(d));
    expect((await readScene({ path })).problems).toContainEqual(expect.objectContaining({ severity: 'error', code: 'SCENE_NO_GEOMETRY' }));
  });

  it('refuses a folder with two scenes and warns about huge textures', async () => {
    const folder = join(dir, 'two');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.gltf'), '{}');
    writeFileSync(join(folder, 'b.gltf'), '{}');
    expect((await readScene({ path: folder })).problems[0]).toMatchObject({ code: 'SCENE_SEVERAL_GLTF' });

    const d = new Document();
    d.createBuffer();
    const tex = d.createTexture('Huge').setImage(encodePng(8200, 1, new Uint8Array(8200 * 4).fill(200))).setMimeType('image/png');
    d.createScene('s').addChild(d.createNode('b').setMesh(meshFrom(d, 'b', box(1, 1, 1), d.createMaterial('Big').setBaseColorTexture(tex))));
    const path = join(dir, 'huge.glb');
    writeFileSync(path, await io.writeBinary(d));
    const r = await readScene({ path });
    expect(codes(r.problems)).toEqual(['warning:SCENE_TEXTURE_TOO_LARGE']);
    expect(r.problems[0]!.message).toMatch(/8200 × 1 pixels/);
  });
});
