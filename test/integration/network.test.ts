import { readFileSync, readdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobSpecSchema, frameFileName } from '../../shared/job-spec';
import type { JobSpec } from '../../shared/job-spec';
import { renderLocally, sampleScene, startNode, waitFor } from './net-helpers';
import type { Node } from './net-helpers';

let scene: Uint8Array;
let nodes: Node[] = [];
beforeAll(async () => {
  scene = await sampleScene('animated.glb');
});
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
});

async function farm(operators: number) {
  const creator = await startNode({ operator: false });
  nodes.push(creator);
  const addr = creator.svc.stack.node.listenAddrs()[0]!;
  const ops: Node[] = [];
  for (let i = 0; i < operators; i++) {
    const o = await startNode({ bootstrap: [addr] });
    nodes.push(o);
    ops.push(o);
  }
  return { creator, ops };
}

function specFor(hash: string, o: Record<string, unknown>): JobSpec {
  return JobSpecSchema.parse({ sceneId: hash, width: 32, height: 32, spp: 2, output: 'exr-float', ...o });
}

function expectSameFrames(outDir: string, refDir: string, spec: JobSpec): void {
  const names = readdirSync(refDir).sort();
  expect(names.length).toBeGreaterThan(0);
  expect(readdirSync(outDir).filter((n) => !n.endsWith('.tmp')).sort()).toEqual(names);
  for (const n of names) expect(readFileSync(join(outDir, n)).equals(readFileSync(join(refDir, n))), n).toBe(true);
  void spec;
}

describe('network end to end (one process)', () => {
  it('a creator and two operators render an 8-frame animation identical to a local render', async () => {
    const { creator, ops } = await farm(2);
    const hash = creator.store.blobs.put(scene);
    const spec = specFor(hash, { frames: { start: 0, end: 7 } });
    const out = mkdtempSync(join(tmpdir(), 'rf-out-'));
    const job = creator.svc.submit({ spec, outDir: out });
    const done = await creator.svc.waitForJob(job.id);
    expect(done).toMatchObject({ state: 'done', done: 8, failed: 0 });
    await waitFor(() => creator.svc.output.framesWritten(job.id) === 8, 10_000, 'frames written');
    expectSameFrames(out, await renderLocally(scene, spec), spec);
    // Both operators took part and fetched the scene over the blob protocol.
    for (const o of ops) expect(o.store.blobs.has(hash)).toBe(true);
  });

  it('a tiled still assembles into the same frame as a local render', async () => {
    const { creator } = await farm(2);
    const hash = creator.store.blobs.put(scene);
    const spec = specFor(hash, { tiles: { x: 2, y: 2 }, frames: { start: 3, end: 3 } });
    const out = mkdtempSync(join(tmpdir(), 'rf-out-'));
    const job = creator.svc.submit({ spec, outDir: out });
    expect(await creator.svc.waitForJob(job.id)).toMatchObject({ state: 'done', done: 4 });
    await waitFor(() => creator.svc.output.framesWritten(job.id) === 1, 10_000, 'frame written');
    expectSameFrames(out, await renderLocally(scene, spec), spec);
    expect(readdirSync(out)).toEqual([frameFileName(3, 'exr-float')]);
  });

  it('a network of one: an app with no peers renders its own job with its own worker', async () => {
    const solo = await startNode();
    nodes.push(solo);
    const hash = solo.store.blobs.put(scene);
    const spec = specFor(hash, { frames: { start: 0, end: 1 } });
    const out = mkdtempSync(join(tmpdir(), 'rf-out-'));
    const job = solo.svc.submit({ spec, outDir: out });
    expect(await solo.svc.waitForJob(job.id)).toMatchObject({ state: 'done', done: 2 });
    await waitFor(() => solo.svc.output.framesWritten(job.id) === 2, 10_000, 'frames written');
    expectSameFrames(out, await renderLocally(scene, spec), spec);
  });

  it('a network of one renders a tiled animation: every frame is written, the same as a local render', async () => {
    // The worker and the dispatcher share a node: a tile's result must outlive the worker's
    // verdict until its frame's last tile arrives (rayfarm submit --local --tiles 2 lost frames).
    const solo = await startNode();
    nodes.push(solo);
    const hash = solo.store.blobs.put(scene);
    const spec = specFor(hash, { tiles: { x: 2, y: 1 }, frames: { start: 0, end: 1 } });
    const out = mkdtempSync(join(tmpdir(), 'rf-out-'));
    const job = solo.svc.submit({ spec, outDir: out });
    expect(await solo.svc.waitForJob(job.id)).toMatchObject({ state: 'done', done: 4 });
    await waitFor(() => solo.svc.output.framesWritten(job.id) === 2, 10_000, 'frames written');
    expectSameFrames(out, await renderLocally(scene, spec), spec);
    expect(solo.lines.filter((l) => l.includes('could not write frame'))).toEqual([]);
    // The worker kept nothing once every verdict was in.
    await waitFor(() => solo.svc.worker.heldCount() === 0, 10_000, 'worker idle');
    const results = join(solo.dir, 'operator', 'results');
    const kept = readdirSync(results).flatMap((d) => readdirSync(join(results, d)));
    expect(kept).toEqual([]);
  });

  it('the creator restarted mid-job resumes it and finishes', async () => {
    const creator = await startNode({ operator: false });
    nodes.push(creator);
    const addr = creator.svc.stack.node.listenAddrs()[0]!;
    const op = await startNode({ bootstrap: [addr] });
    nodes.push(op);
    const hash = creator.store.blobs.put(scene);
    const spec = specFor(hash, { frames: { start: 0, end: 15 }, spp: 16 });
    const out = mkdtempSync(join(tmpdir(), 'rf-out-'));
    const job = creator.svc.submit({ spec, outDir: out });
    await waitFor(() => (creator.svc.dispatcher.job(job.id)?.progress.done ?? 0) >= 2, 30_000, 'two tasks done');
    await creator.stop();
    // Stopped mid-job: some tasks done, others not.
    expect(creator.svc.dispatcher.job(job.id)!.progress.done).toBeLessThan(16);
    nodes = nodes.filter((n) => n !== creator);
    const again = await startNode({ dir: creator.dir, operator: false, listen: [addr.replace(/\/p2p\/.*$/, '')] });
    nodes.push(again);
    expect(again.svc.stack.node.peerId).toBe(creator.svc.stack.node.peerId);
    const done = await again.svc.waitForJob(job.id);
    expect(done).toMatchObject({ state: 'done', done: 16 });
    await waitFor(() => readdirSync(out).filter((n) => n.endsWith('.exr')).length === 16, 10_000, 'all frames on disk');
    expectSameFrames(out, await renderLocally(scene, spec), spec);
  });
});
