import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../../../../shared/job-spec';
import { Dispatcher } from '../../../../../main/core/creator/dispatch/dispatcher';
import { localLink } from '../../../../../main/core/node/links';
import { ENGINE_ID } from '../../../../../main/core/net/work';
import { SceneCache } from '../../../../../main/core/operator/work/scene-cache';
import { Worker } from '../../../../../main/core/operator/work/worker';
import type { CreatorLink, TaskRenderer, WorkerEvent } from '../../../../../main/core/operator/work/worker';
import { NetError } from '../../../../../main/core/net/errors';
import { BlobStore, openStore, sha256Hex } from '../../../../../main/core/store';
import type { Store } from '../../../../../main/core/store';
import { waitFor } from '../../../../helpers/wait';

const self = { peerId: 'me', address: `0x${'1'.repeat(40)}` };
const stores: Store[] = [];
const workers: Worker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const s of stores.splice(0)) s.close();
});

/** A renderer the test drives: each render waits until released (or cancelled). */
function gatedRenderer() {
  const pending: { task: number; go: () => void; fail: (e: Error) => void }[] = [];
  const renderer: TaskRenderer = {
    render: ({ task, signal }) =>
      new Promise((resolve, reject) => {
        const p = {
          task: task.index,
          go: () => resolve(new Float32Array(task.rect.width * task.rect.height * 4).fill(task.index)),
          fail: (e: Error) => reject(e),
        };
        signal.addEventListener('abort', () => reject(new Error('cancelled')));
        pending.push(p);
      }),
  };
  return { renderer, pending };
}


function setup(dir = mkdtempSync(join(tmpdir(), 'rf-worker-')), renderer?: TaskRenderer, wrap: (l: CreatorLink) => CreatorLink = (l) => l) {
  const store = openStore(dir);
  stores.push(store);
  const d = new Dispatcher({ db: store.db, blobs: store.blobs });
  const events: WorkerEvent[] = [];
  const gate = gatedRenderer();
  const link: CreatorLink = wrap(localLink(d, self));
  const policy = { on: true };
  // The worker's own result store, as the node gives it one.
  const results = new BlobStore(join(dir, 'operator', 'results'));
  const mkWorker = () => {
    const w = new Worker({
      db: store.db,
      results,
      cache: new SceneCache(store.db, store.blobs, () => 1 << 30),
      renderer: renderer ?? gate.renderer,
      jobs: () => d.list().filter((p) => p.state === 'active').map((p) => ({ jobId: p.id, creator: 'me', sceneBytes: 10, engine: ENGINE_ID, perBenchHour: '0' })),
      link: () => link,
      shouldWork: () => policy.on,
      policy: () => ({ enabled: true, engines: [ENGINE_ID], maxSceneBytes: 1 << 30, minPricePerBenchHour: '0' }),
      onEvent: (e) => events.push(e),
    });
    workers.push(w);
    return w;
  };
  return { store, d, events, gate, mkWorker, dir, policy, results };
}

function addJob(s: ReturnType<typeof setup>, frames = 4) {
  const hash = s.store.blobs.put(new Uint8Array([1, 2, 3]));
  return s.d.addJob({ spec: JobSpecSchema.parse({ sceneId: hash, width: 16, height: 16, spp: 1, frames: { start: 0, end: frames - 1 } }), scene: { hash, bytes: 3 } });
}

describe('Worker', () => {
  it('keeps one task rendering and one queued, and delivers each result', async () => {
    const s = setup();
    const job = addJob(s);
    const w = s.mkWorker();
    w.start();
    await waitFor(() => s.gate.pending.length === 1 && w.heldCount() === 2, 20_000, 'one rendering, one queued');
    expect(s.d.held('me')).toBe(2);
    s.gate.pending.shift()!.go();
    // The queued task starts and a new one is leased behind it.
    await waitFor(() => s.gate.pending.length === 1 && s.gate.pending[0]!.task === 1, 20_000, 'second task rendering');
    await waitFor(() => s.d.job(job.id)!.progress.done === 1, 20_000, 'first result accepted');
    for (let i = 0; i < 3; i++) {
      await waitFor(() => s.gate.pending.length === 1, 20_000, 'next render');
      s.gate.pending.shift()!.go();
    }
    await waitFor(() => s.d.job(job.id)!.progress.state === 'done', 20_000, 'job done');
    expect(s.events.filter((e) => e.type === 'verdict').map((e) => (e as { verdict: { verdict: string } }).verdict.verdict)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
  });

  it('hands the running task back without penalty: the creator re-queues it', async () => {
    const s = setup();
    const job = addJob(s, 2);
    const w = s.mkWorker();
    w.start();
    await waitFor(() => s.gate.pending.length === 1 && w.heldCount() === 2, 20_000, 'leases');
    // The policy says stop (the person came back): the worker hands its tasks back.
    s.policy.on = false;
    await w.handBack('the person came back');
    expect(s.d.held('me')).toBe(0);
    expect(s.events.filter((e) => e.type === 'released')).toHaveLength(2);
    // Not a failure: the same operator may take the job again.
    expect(s.d.request(self, job.id, { engines: [ENGINE_ID], maxSceneBytes: 100 }).status).toBe('ok');
  });

  it('reports a failed render to the creator, which counts it', async () => {
    const s = setup();
    const job = addJob(s, 1);
    const w = s.mkWorker();
    w.start();
    await waitFor(() => s.gate.pending.length === 1, 20_000, 'render');
    s.gate.pending.shift()!.fail(new Error('out of GPU memory'));
    await waitFor(() => s.events.some((e) => e.type === 'failed'), 20_000, 'failure');
    await waitFor(() => s.d.held('me') <= 1, 20_000, 'lease back');
    const failures = s.store.db.prepare('SELECT reason FROM dispatch_failures WHERE job_id = ?').all(job.id) as { reason: string }[];
    expect(failures[0]!.reason).toMatch(/out of GPU memory/);
  });

  it('tries the scene again after a dropped connection instead of failing the task', async () => {
    const scene = new Uint8Array([9, 8, 7, 6]);
    let tries = 0;
    const ref: { store?: Store } = {};
    const s = setup(undefined, undefined, (l) => ({
      ...l,
      fetchScene: async () => {
        if (++tries === 1) throw new NetError('NET_BLOB_UNAVAILABLE', 'No peer could send it', { cause: new NetError('NET_UNREACHABLE', 'Unexpected EOF') });
        ref.store!.blobs.put(scene);
      },
    }));
    ref.store = s.store;
    const hash = sha256Hex(scene);
    const job = s.d.addJob({ spec: JobSpecSchema.parse({ sceneId: hash, width: 16, height: 16, spp: 1 }), scene: { hash, bytes: scene.byteLength } });
    const w = s.mkWorker();
    w.start();
    await waitFor(() => s.gate.pending.length === 1, 10_000, 'the render after the second try');
    s.gate.pending.shift()!.go();
    await waitFor(() => s.d.job(job.id)!.progress.state === 'done', 20_000, 'job done');
    expect(tries).toBe(2);
    expect(s.events.some((e) => e.type === 'failed')).toBe(false);
    expect(s.store.db.prepare('SELECT COUNT(*) AS n FROM dispatch_failures').get()).toEqual({ n: 0 });
  });

  it('gives a task up at once when the scene itself is refused', async () => {
    const s = setup(undefined, undefined, (l) => ({
      ...l,
      fetchScene: () => Promise.reject(new NetError('NET_TOO_LARGE', 'The file is 9 GB; the limit is 2 GB.')),
    }));
    const hash = sha256Hex(new Uint8Array([1]));
    const job = s.d.addJob({ spec: JobSpecSchema.parse({ sceneId: hash, width: 16, height: 16, spp: 1 }), scene: { hash, bytes: 1 } });
    s.mkWorker().start();
    await waitFor(() => s.events.some((e) => e.type === 'failed'), 20_000, 'failure');
    const failures = s.store.db.prepare('SELECT reason FROM dispatch_failures WHERE job_id = ?').all(job.id) as { reason: string }[];
    expect(failures.map((f) => f.reason)).toEqual(['The file is 9 GB; the limit is 2 GB.']);
  });

  it('after a restart, delivers a result it rendered but could not deliver', async () => {
    const s = setup();
    const job = addJob(s, 1);
    // Simulate a crash between render and delivery: a rendered lease on disk.
    const a = s.d.request(self, job.id, { engines: [ENGINE_ID], maxSceneBytes: 100 });
    if (a.status !== 'ok') throw new Error('no lease');
    const pixels = new Uint8Array(new Float32Array(16 * 16 * 4).fill(0.25).buffer);
    const hash = s.results.put(pixels);
    // A result left behind by a crash after its lease was forgotten: removed on start.
    const orphan = s.results.put(new Uint8Array([7, 7, 7]));
    s.store.db
      .prepare("INSERT INTO worker_leases (lease_id, creator, lease, state, result_hash, render_ms, received_at) VALUES (?, 'me', ?, 'rendered', ?, 5, 0)")
      .run(a.lease.leaseId, JSON.stringify(a.lease), hash);
    const w = s.mkWorker();
    w.start();
    await waitFor(() => s.d.job(job.id)!.progress.state === 'done', 20_000, 'delivered after restart');
    expect((s.store.db.prepare('SELECT COUNT(*) AS n FROM worker_leases').get() as { n: number }).n).toBe(0);
    expect(s.results.has(orphan)).toBe(false);
    await waitFor(() => !s.results.has(hash), 20_000, 'the delivered result deleted');
    // The dispatcher's copy of the accepted result, in the shared store, is untouched.
    expect(s.store.blobs.has(s.d.results(job.id).get(0)!)).toBe(true);
  });

  it('evicts the least recently used scenes past the cache size, never one in use', () => {
    const s = setup();
    const cache = new SceneCache(s.store.db, s.store.blobs, () => 250);
    const hashes = [1, 2, 3].map((n) => s.store.blobs.put(new Uint8Array(100).fill(n)));
    let t = 0;
    const timed = new SceneCache(s.store.db, s.store.blobs, () => 250, () => ++t);
    for (const h of hashes) timed.touch(h, 100);
    expect(cache.evict(new Set([hashes[0]!]))).toEqual([hashes[1]]);
    expect(s.store.blobs.has(hashes[0]!)).toBe(true);
    expect(s.store.blobs.has(hashes[1]!)).toBe(false);
    expect(s.store.blobs.has(hashes[2]!)).toBe(true);
  });
});
