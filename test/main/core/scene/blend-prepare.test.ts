import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlenderInstall } from '../../../../main/core/blender';
import { findBlender } from '../../../../main/core/blender';
import { inspectAndCheckBlend, prepareBlend } from '../../../../main/core/scene/blend-prepare';
import { ANIMATE_CAMERA_PY, BASE_SCENE_PY, blenderPath, makeBlend, sayIfNoBlender, texturedCubePy, writePngPy } from '../../../helpers/blender';

sayIfNoBlender('.blend check and package tests');
const ROOT = resolve(import.meta.dirname, '../../../..');
const root = mkdtempSync(join(tmpdir(), 'rayfarm-blend-prepare-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dir(name: string): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
}

describe.skipIf(!blenderPath)('a .blend, checked and packed', () => {
  let install: BlenderInstall;
  beforeAll(async () => {
    install = (await findBlender())!;
  });

  it('reports the engine, frames, resolution, samples and cameras, and packs into one content-addressed file', async () => {
    const file = join(dir('anim'), 'anim.blend');
    makeBlend(file, BASE_SCENE_PY + ANIMATE_CAMERA_PY);
    const r = await prepareBlend(install, file);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.summary).toMatchObject({ kind: 'blender', engine: 'Cycles', frameStart: 1, frameEnd: 4, frameStep: 1, width: 64, height: 48, samples: 8, cameras: ['Camera'], camera: 'Camera' });
    expect(r.summary.blenderVersion).toMatch(/^\d+\.\d+$/);
    expect(r.engine).toBe(`blender-cycles/${install.majorMinor}`);
    expect(Buffer.from(r.blend.subarray(0, 7)).toString('latin1')).toBe('BLENDER');
    expect(r.sceneId).toBe(createHash('sha256').update(r.blend).digest('hex'));
  });

  it('a missing texture is refused, naming the file and its material', async () => {
    const d = dir('missing');
    const file = join(d, 'missing.blend');
    makeBlend(file, `${BASE_SCENE_PY}${writePngPy(join(d, 'wood.png'))}${texturedCubePy(join(d, 'wood.png'), 'Table')}\nimport os\nos.remove(${JSON.stringify(join(d, 'wood.png'))})\n`);
    const r = await prepareBlend(install, file);
    expect(r.ok).toBe(false);
    const p = r.problems.find((x) => x.code === 'SCENE_MISSING_FILE');
    expect(p?.message).toMatch(/"wood\.png" used by material "Table" is missing/);
    expect(r.summary.externalFiles).toEqual([expect.objectContaining({ path: join(d, 'wood.png'), present: false, packed: false })]);
  });

  it('an image outside the .blend\'s folder is refused and never read', async () => {
    const d = dir('outside/scene');
    const secret = join(dir('outside/secret'), 'id_rsa.png');
    const file = join(d, 'peek.blend');
    makeBlend(file, `${BASE_SCENE_PY}${writePngPy(secret)}${texturedCubePy(secret, 'Peek')}`);
    const r = await prepareBlend(install, file);
    expect(r.ok).toBe(false);
    const p = r.problems.find((x) => x.code === 'SCENE_FILE_OUTSIDE');
    expect(p?.message).toMatch(/"id_rsa\.png" used by material "Peek" is at .*outside the \.blend's folder/);
  });

  it('a texture inside the folder is packed: the package renders without the folder', async () => {
    const d = dir('texsrc');
    const file = join(d, 'tex.blend');
    makeBlend(file, `${BASE_SCENE_PY}${writePngPy(join(d, 'checker.png'))}${texturedCubePy(join(d, 'checker.png'))}`);
    const r = await prepareBlend(install, file);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.summary.externalFiles).toEqual([expect.objectContaining({ kind: 'image', present: true, packed: false, usedBy: ['Wood'] })]);
    // The package holds the image: Blender reading it alone (another folder) finds everything packed.
    const alone = join(dir('packed-alone'), 'package.blend');
    writeFileSync(alone, r.blend);
    const again = await inspectAndCheckBlend(install, alone);
    expect(again.problems.filter((x) => x.severity === 'error')).toEqual([]);
    expect(again.summary.externalFiles.every((f) => f.packed)).toBe(true);
    expect(JSON.stringify(again.summary)).not.toContain(d);
  });

  it('Eevee is refused: it needs a GPU display context', async () => {
    const file = join(dir('eevee'), 'eevee.blend');
    makeBlend(file, `${BASE_SCENE_PY}\ns.render.engine = 'BLENDER_EEVEE'\n`);
    const r = await inspectAndCheckBlend(install, file);
    expect(r.problems.find((x) => x.code === 'SCENE_BLEND_ENGINE')?.message).toMatch(/Eevee, which needs a GPU with a display/);
  });

  it('an unbaked simulation and a Python driver are refused in words', async () => {
    const file = join(dir('sim'), 'sim.blend');
    makeBlend(file, `${BASE_SCENE_PY}
cube = bpy.data.objects['Cube']
cube.modifiers.new('Cloth', 'CLOTH')
d = cube.driver_add('location', 2).driver
d.type = 'SCRIPTED'
d.expression = '__import__("os").getpid() * 0'
`);
    const r = await inspectAndCheckBlend(install, file);
    expect(r.problems.find((x) => x.code === 'SCENE_BLEND_UNBAKED')?.message).toMatch(/cloth simulation on object "Cube" is not baked/);
    expect(r.problems.find((x) => x.code === 'SCENE_BLEND_SCRIPTS')?.message).toMatch(/driver on object "Cube".*Python expression/);
  });

  it('`rayfarm scene FILE.blend --json` prints the summary with each external file', () => {
    const d = dir('cli');
    const file = join(d, 'cli.blend');
    makeBlend(file, `${BASE_SCENE_PY}${writePngPy(join(d, 'wood.png'))}${texturedCubePy(join(d, 'wood.png'))}`);
    const out = spawnSync(process.execPath, [join(ROOT, 'bin/rayfarm.mjs'), 'scene', file, '--json'], { cwd: ROOT, encoding: 'utf8' });
    expect(out.status, out.stderr).toBe(0);
    const j = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(j).toMatchObject({ kind: 'blender', engine: 'Cycles', frameStart: 1, frameEnd: 4, width: 64, height: 48, samples: 8, externalFiles: [{ path: join(d, 'wood.png'), present: true }] });
    expect(j.blenderVersion).toMatch(/^\d+\.\d+/);
    expect(j.sceneId).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('a creator without a matching Blender', () => {
  it('cannot submit a .blend and is told why', () => {
    const file = join(dir('no-blender'), 'scene.blend');
    writeFileSync(file, 'BLENDER-v304 not really');
    const out = spawnSync(process.execPath, [join(ROOT, 'bin/rayfarm.mjs'), 'submit', file, '--out', join(root, 'no-blender-out'), '--blender', join(root, 'no-such-blender'), '--data-dir', dir('no-blender-data')], { cwd: ROOT, encoding: 'utf8' });
    expect(out.status).toBe(1);
    expect(out.stderr).toMatch(/There is no Blender at .*no-such-blender/);
  });
});
