import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Document } from '@gltf-transform/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFrames } from '../../../main/cli/commands/render';
import { decodePng } from '../../../main/core/output/png';
import { createGltfIO } from '../../../main/core/engine/gltf-io';
import { animatedScene, cornellBox } from '../../../scripts/scenes/samples';
import { engineBuilt, sayIfNoEngine } from '../../helpers/engine';

const bin = join(__dirname, '../../../bin/rayfarm.mjs');
let dir: string;

function rayfarm(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rf-cli-'));
  const io = createGltfIO();
  writeFileSync(join(dir, 'cornell.glb'), await io.writeBinary(cornellBox()));
  writeFileSync(join(dir, 'animated.glb'), await io.writeBinary(animatedScene()));
  const empty = new Document();
  empty.createScene('nothing');
  writeFileSync(join(dir, 'empty.glb'), await io.writeBinary(empty));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rayfarm scene', () => {
  it('prints the summary as one JSON object', () => {
    const r = rayfarm('scene', join(dir, 'cornell.glb'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['sceneId', 'triangles', 'meshes', 'materials', 'textures', 'lights', 'cameras', 'animations', 'bounds', 'bytes', 'warnings', 'errors']));
    expect(j).toMatchObject({ triangles: 36, materials: 4, errors: [], warnings: [] });
    expect(j.sceneId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('exits non-zero and names the problem when the scene cannot be rendered', () => {
    const r = rayfarm('scene', join(dir, 'empty.glb'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing to render/);
    const j = rayfarm('scene', join(dir, 'missing.glb'), '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).errors[0].code).toBe('SCENE_NOT_FOUND');
  });
});

describe('rayfarm scene confinement (issue 14 reproduction)', () => {
  it('refuses a .gltf whose image uri is ../../../../../../../etc/passwd, naming the URI, and packs nothing', async () => {
    const folder = join(dir, 'passwd');
    mkdirSync(folder, { recursive: true });
    await createGltfIO().write(join(folder, 'box.gltf'), cornellBox());
    const json = JSON.parse(readFileSync(join(folder, 'box.gltf'), 'utf8'));
    json.images = [{ uri: '../../../../../../../etc/passwd' }];
    json.textures = [{ source: 0 }];
    json.materials[0].pbrMetallicRoughness = { ...json.materials[0].pbrMetallicRoughness, baseColorTexture: { index: 0 } };
    writeFileSync(join(folder, 'box.gltf'), JSON.stringify(json));
    const r = rayfarm('scene', join(folder, 'box.gltf'), '--json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.errors[0]).toMatchObject({ code: 'SCENE_FILE_REFUSED' });
    expect(out.errors[0].message).toContain('`../../../../../../../etc/passwd`');
    expect(r.stdout).not.toContain('root:');
  });
});

describe('rayfarm render', () => {
  it('parses frame ranges', () => {
    expect(parseFrames('1-24')).toEqual({ start: 1, end: 24, step: 1 });
    expect(parseFrames('5')).toEqual({ start: 5, end: 5, step: 1 });
    expect(parseFrames('0-8:2')).toEqual({ start: 0, end: 8, step: 2 });
    expect(() => parseFrames('x')).toThrow(/--frames/);
  });

  it('rejects a bad spec naming the field', () => {
    const r = rayfarm('render', join(dir, 'cornell.glb'), '--out', join(dir, 'o'), '--spp', '0');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/spp: samples per pixel must be at least 1/);
  });

  it.skipIf(!engineBuilt)('writes tiled animation frames that match untiled ones bit for bit', () => {
    const common = ['--frames', '0-2', '--spp', '2', '--width', '48', '--height', '32', '--format', 'png16', '--threads', '2'];
    const a = rayfarm('render', join(dir, 'animated.glb'), '--out', join(dir, 'whole'), ...common, '--json');
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).files).toHaveLength(3);
    expect(a.stderr).toMatch(/rendered 3 frames/);
    const b = rayfarm('render', join(dir, 'animated.glb'), '--out', join(dir, 'tiled'), ...common, '--tiles', '3x2');
    expect(b.code, b.stderr).toBe(0);
    expect(readdirSync(join(dir, 'tiled')).sort()).toEqual(['frame-0000.png', 'frame-0001.png', 'frame-0002.png']);
    for (const f of readdirSync(join(dir, 'whole'))) {
      expect(readFileSync(join(dir, 'tiled', f)).equals(readFileSync(join(dir, 'whole', f)))).toBe(true);
    }
    const f0 = decodePng(readFileSync(join(dir, 'whole', 'frame-0000.png')));
    const f2 = decodePng(readFileSync(join(dir, 'whole', 'frame-0002.png')));
    expect(f0.bits).toBe(16);
    expect(Buffer.from(f0.samples.buffer).equals(Buffer.from(f2.samples.buffer))).toBe(false); // the box moved
  });
});

sayIfNoEngine('the render CLI test is');
