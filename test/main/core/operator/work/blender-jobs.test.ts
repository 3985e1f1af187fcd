import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobSpecSchema, splitJob } from '../../../../../shared/job-spec';
import { Dispatcher } from '../../../../../main/core/creator/dispatch/dispatcher';
import { ENGINE_ID } from '../../../../../main/core/net/work';
import { pickJobs } from '../../../../../main/core/operator/work/job-picker';
import type { OpenJob } from '../../../../../main/core/operator/work/job-picker';
import { routedTaskRenderer } from '../../../../../main/core/operator/work/blend-renderer';
import { BlendTaskRenderer } from '../../../../../main/core/render/blend-task';
import { openStore } from '../../../../../main/core/store';
import type { Store } from '../../../../../main/core/store';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

const blender34 = 'blender-cycles/3.4';
const job = (jobId: string, engine: string): OpenJob => ({ jobId, creator: `c-${jobId}`, sceneBytes: 1, engine, perBenchHour: '1' });
const ctx = (engines: string[]) => ({ engines, maxSceneBytes: 10, minPricePerBenchHour: '0', backoffUntil: () => 0, allowed: () => true, reputation: () => 0, now: 0 });

describe('Blender jobs: only operators with the same Blender take them', () => {
  it('the picker takes Blender jobs of the version this operator has and no other', () => {
    const jobs = [job('native', ENGINE_ID), job('b34', blender34), job('b42', 'blender-cycles/4.2'), job('odd', 'blender-cycles/3.4; rm -rf')];
    expect(pickJobs(jobs, ctx([ENGINE_ID, blender34])).map((j) => j.jobId).sort()).toEqual(['b34', 'native']);
    expect(pickJobs(jobs, ctx([ENGINE_ID])).map((j) => j.jobId)).toEqual(['native']);
  });

  it('the dispatcher leases a Blender task only to an operator offering that engine, and says why to others', () => {
    const store = openStore(mkdtempSync(join(tmpdir(), 'rf-blend-dispatch-')));
    stores.push(store);
    const d = new Dispatcher({ db: store.db, blobs: store.blobs, leaseMs: 10_000 });
    const spec = JobSpecSchema.parse({ sceneId: 'b'.repeat(64), engine: blender34, width: 16, height: 16, spp: 1, frames: { start: 1, end: 2 } });
    const j = d.addJob({ spec, scene: { hash: spec.sceneId, bytes: 100 }, outDir: mkdtempSync(join(tmpdir(), 'rf-blend-out-')) });
    const op = (n: number) => ({ peerId: `peer-${n}`, address: `0x${String(n).padStart(40, '0')}` });
    expect(d.request(op(1), j.id, { engines: [ENGINE_ID], maxSceneBytes: 1 << 30 })).toMatchObject({ status: 'denied', reason: expect.stringMatching(/needs the blender-cycles\/3\.4 engine/) });
    expect(d.request(op(2), undefined, { engines: [ENGINE_ID, 'blender-cycles/4.2'], maxSceneBytes: 1 << 30 })).toMatchObject({ status: 'none' });
    const ok = d.request(op(3), undefined, { engines: [ENGINE_ID, blender34], maxSceneBytes: 1 << 30 });
    expect(ok).toMatchObject({ status: 'ok', lease: { engine: blender34, spec: { engine: blender34 } } });
  });

  it('a Blender task reaching an operator without Blender, or with another version, is refused in words', async () => {
    const spec = JobSpecSchema.parse({ sceneId: 'b'.repeat(64), engine: blender34, width: 16, height: 16, spp: 1 });
    const task = splitJob(spec)[0]!;
    const native = { render: () => Promise.reject(new Error('the native engine must not get a Blender task')) };
    const input = { spec, task, sceneHash: spec.sceneId, signal: new AbortController().signal, onProgress: () => {} };
    await expect(routedTaskRenderer(native, () => undefined).render(input)).rejects.toMatchObject({ code: 'BLENDER_NOT_FOUND' });
    const other = new BlendTaskRenderer({ path: '/usr/bin/blender', version: '4.2.0', majorMinor: '4.2', devices: [], denoiser: false, sandbox: 'none' });
    await expect(other.renderTask({ sceneHash: spec.sceneId, file: '/nonexistent.blend' }, spec, task)).rejects.toMatchObject({ code: 'BLENDER_VERSION_MISMATCH', message: expect.stringMatching(/needs Blender 3\.4; this machine has Blender 4\.2\.0/) });
  });
});
