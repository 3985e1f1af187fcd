import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { findBlender } from '../../main/core/blender';
import type { BlenderInstall } from '../../main/core/blender';
import { ENGINE_ID } from '../../main/core/net/work';
import { decodeExr } from '../../main/core/output/exr';
import { randomBytes } from 'node:crypto';
import { verifyFinite } from '../../main/core/creator/dispatch/dispatch-types';
import { blendPatchRenderers, blendVerifyHook } from '../../main/core/creator/proof/blend-patches';
import { Verifier } from '../../main/core/creator/proof/verifier';
import { BlendTaskRenderer } from '../../main/core/render/blend-task';
import type { BlobStore } from '../../main/core/store';
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
    // Blender's own render of the file (`-f`) is then deterministic too: no adaptive sampling or denoising.
    makeBlend(file, `${BASE_SCENE_PY}${ANIMATE_CAMERA_PY}\ns.cycles.use_adaptive_sampling = False\ns.cycles.use_denoising = False\ns.render.image_settings.file_format = 'OPEN_EXR'\ns.render.image_settings.color_depth = '32'\n`);
  });

  it('a .blend with an animated camera over 4 frames comes back from two operators identical to `rayfarm render` and to Blender\'s own render', async () => {
    // The creator checks every Blender result with its own Blender (proof of render).
    const creatorBlobs: { put?: BlobStore } = {};
    const verifier = new Verifier({ secret: randomBytes(32), ...blendPatchRenderers(new BlendTaskRenderer(install), (s) => ({ sceneHash: s.sceneId, file: creatorBlobs.put!.pathOf(s.sceneId) })) });
    let verified = 0;
    const hook = blendVerifyHook(verifier, verifyFinite);
    const verify = async (i: Parameters<typeof hook>[0]) => {
      const v = await hook(i);
      if (v.verdict === 'accepted') verified++;
      return v;
    };
    const creator = await startNode({ operator: false, dispatcher: { verify } });
    creatorBlobs.put = creator.store.blobs;
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
    const spec = blendJobSpec(hash, prepared.engine, prepared.summary, { format: 'exr-float' });
    expect(spec).toMatchObject({ frames: { start: 1, end: 4 }, width: 64, height: 48, spp: 8, engine: `blender-cycles/${install.majorMinor}` });
    const out = join(root, 'farm-out');
    const job = creator.svc.submit({ spec, outDir: out });
    const done = await creator.svc.waitForJob(job.id);
    expect(done).toMatchObject({ state: 'done', done: 4, failed: 0 });
    expect(verified).toBe(4);
    await waitFor(() => creator.svc.output.framesWritten(job.id) === 4, 20_000, 'frames written');
    // The operator without Blender never fetched the scene; both Blender operators did the work.
    expect(ops[2]!.store.blobs.has(hash)).toBe(false);
    expect(ops.slice(0, 2).filter((o) => o.store.blobs.has(hash)).length).toBeGreaterThanOrEqual(1);

    const ref = join(root, 'ref-out');
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/rayfarm.mjs'), 'render', file, '--out', ref, '--format', 'exr-float'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const names = readdirSync(ref).sort();
    expect(names).toEqual(['frame-0001.exr', 'frame-0002.exr', 'frame-0003.exr', 'frame-0004.exr']);
    expect(readdirSync(out).filter((n) => !n.endsWith('.tmp')).sort()).toEqual(names);
    for (const n of names) expect(readFileSync(join(out, n)).equals(readFileSync(join(ref, n))), n).toBe(true);

    // Blender's own render of the file: the job kept the file's seed, so the pixels are the same
    // bit for bit (the measured tolerance on this CPU is zero).
    const own = join(root, 'own');
    const b = spawnSync(blenderPath!, ['-b', '--factory-startup', '--disable-autoexec', '-noaudio', file, '-o', join(own, 'own-####'), '-s', '1', '-e', '4', '-a'], { env: { PATH: '/usr/bin:/bin', HOME: root }, encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    for (let f = 1; f <= 4; f++) {
      const theirs = decodeExr(new Uint8Array(readFileSync(join(own, `own-000${f}.exr`))));
      const ours = decodeExr(new Uint8Array(readFileSync(join(out, `frame-000${f}.exr`))));
      expect([ours.width, ours.height]).toEqual([theirs.width, theirs.height]);
      expect(Buffer.from(ours.pixels.buffer).equals(Buffer.from(theirs.pixels.buffer)), `frame ${f}`).toBe(true);
    }
  }, 300_000);
});
