import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findBlender } from '../../main/core/blender';
import type { BlenderInstall } from '../../main/core/blender';
import { ENGINE_ID } from '../../main/core/net/work';
import { blendJobSpec, prepareBlend } from '../../main/core/scene/blend-prepare';
import { ANIMATE_CAMERA_PY, BASE_SCENE_PY, blenderPath, makeBlend, sayIfNoBlender } from '../helpers/blender';
import { ROOT, startNode, waitFor } from './net-helpers';
import type { Node } from './net-helpers';

sayIfNoBlender('the Blender studio-farm test');
const root = mkdtempSync(join(tmpdir(), 'rf-blender-farm-'));
let nodes: Node[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!blenderPath)('Blender jobs on a studio farm', () => {
  let install: BlenderInstall;
  let file: string;
  beforeAll(async () => {
    install = (await findBlender())!;
    file = join(root, 'anim.blend');
    makeBlend(file, BASE_SCENE_PY + ANIMATE_CAMERA_PY);
  });

  it('a .blend with an animated camera over 4 frames comes back from two operators identical to `rayfarm render`', async () => {
    const creator = await startNode({ operator: false });
    nodes.push(creator);
    const addr = creator.svc.stack.node.listenAddrs()[0]!;
    // One operator without Blender joins too: it must never take a Blender task.
    const ops = await Promise.all([startNode({ bootstrap: [addr], blender: install }), startNode({ bootstrap: [addr], blender: install }), startNode({ bootstrap: [addr] })]);
    nodes.push(...ops);
    expect(ops[0]!.svc.engines()).toEqual([ENGINE_ID, `blender-cycles/${install.majorMinor}`]);
    expect(ops[2]!.svc.engines()).toEqual([ENGINE_ID]);
    const prepared = await prepareBlend(install, file);
    if (!prepared.ok) throw new Error('the test scene did not pass its checks');
    const hash = creator.store.blobs.put(prepared.blend);
    const spec = blendJobSpec(hash, prepared.engine, prepared.summary, { format: 'png16' });
    expect(spec).toMatchObject({ frames: { start: 1, end: 4 }, width: 64, height: 48, spp: 8, engine: `blender-cycles/${install.majorMinor}` });
    const out = join(root, 'farm-out');
    const job = creator.svc.submit({ spec, outDir: out });
    const done = await creator.svc.waitForJob(job.id);
    expect(done).toMatchObject({ state: 'done', done: 4, failed: 0 });
    await waitFor(() => creator.svc.output.framesWritten(job.id) === 4, 20_000, 'frames written');
    // The operator without Blender never fetched the scene; both Blender operators did the work.
    expect(ops[2]!.store.blobs.has(hash)).toBe(false);
    expect(ops.slice(0, 2).filter((o) => o.store.blobs.has(hash)).length).toBeGreaterThanOrEqual(1);

    const ref = join(root, 'ref-out');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/rayfarm.mjs'), 'render', file, '--out', ref, '--format', 'png16'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const names = readdirSync(ref).sort();
    expect(names).toEqual(['frame-0001.png', 'frame-0002.png', 'frame-0003.png', 'frame-0004.png']);
    expect(readdirSync(out).filter((n) => !n.endsWith('.tmp')).sort()).toEqual(names);
    for (const n of names) expect(readFileSync(join(out, n)).equals(readFileSync(join(ref, n))), n).toBe(true);
  }, 300_000);
});
