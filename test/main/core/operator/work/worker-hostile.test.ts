import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../../../../shared/job-spec';
import { Dispatcher } from '../../../../../main/core/creator/dispatch/dispatcher';
import { RayfarmError } from '../../../../../main/core/errors';
import { localLink } from '../../../../../main/core/node/links';
import { ENGINE_ID } from '../../../../../main/core/net/work';
import type { WorkResponse } from '../../../../../main/core/net/work/messages';
import { MAX_CRASHES, TaskCrashGuard } from '../../../../../main/core/operator/work/crash-guard';
import { MAX_CREATORS_PER_ROUND, pickJobs } from '../../../../../main/core/operator/work/job-picker';
import type { OpenJob } from '../../../../../main/core/operator/work/job-picker';
import { SceneCache } from '../../../../../main/core/operator/work/scene-cache';
import { Worker } from '../../../../../main/core/operator/work/worker';
import type { CreatorLink, TaskRenderer, WorkerEvent } from '../../../../../main/core/operator/work/worker';
import { BlobStore, openStore } from '../../../../../main/core/store';
import type { Store } from '../../../../../main/core/store';

const self = { peerId: 'me', address: `0x${'1'.repeat(40)}` };
const stores: Store[] = [];
const workers: Worker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const s of stores.splice(0)) s.close();
});

async function waitFor<T>(fn: () => T, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const blank: TaskRenderer = { render: async ({ task }) => new Float32Array(task.rect.width * task.rect.height * 4).fill(0.5) };

function setup(opts: { renderer?: TaskRenderer; fakes?: OpenJob[]; fakeLink?: CreatorLink; reputation?: (c: string) => number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rf-hostile-'));
  const store = openStore(dir);
  stores.push(store);
  const results = new BlobStore(join(dir, 'operator', 'results'));
  const d = new Dispatcher({ db: store.db, blobs: store.blobs });
  const events: WorkerEvent[] = [];
  const link = localLink(d, self);
  const mkWorker = () => {
    const w = new Worker({
      db: store.db,
      results,
      cache: new SceneCache(store.db, store.blobs, () => 1 << 30),
      renderer: opts.renderer ?? blank,
      jobs: () => [
        ...(opts.fakes ?? []),
        ...d.list().filter((p) => p.state === 'active').map((p) => ({ jobId: p.id, creator: 'me', sceneBytes: 10, engine: ENGINE_ID, perBenchHour: '1' })),
      ],
      link: (c) => (c === 'me' ? link : opts.fakeLink!),
      policy: () => ({ enabled: true, engines: [ENGINE_ID], maxSceneBytes: 1 << 30, minPricePerBenchHour: '0' }),
      onEvent: (e) => events.push(e),
      ...(opts.reputation ? { reputation: opts.reputation } : {}),
    });
    workers.push(w);
    return w;
  };
  const addJob = (frames = 1) => {
    const hash = store.blobs.put(new Uint8Array([1, 2, 3]));
    return d.addJob({ spec: JobSpecSchema.parse({ sceneId: hash, width: 16, height: 16, spp: 1, frames: { start: 0, end: frames - 1 } }), scene: { hash, bytes: 3 } });
  };
  return { store, d, events, mkWorker, addJob };
}

/** A creator that announces jobs and never has work (or fails): each ask is counted. */
function fakeCreators(n: number, answer: () => Promise<WorkResponse>) {
  const asked: string[] = [];
  const fakes: OpenJob[] = Array.from({ length: n }, (_, i) => ({ jobId: `fake-${i}`, creator: `fake-creator-${i}`, sceneBytes: 1, engine: ENGINE_ID, perBenchHour: '1000' }));
  const fakeLink = {
    request: (jobId: string) => {
      asked.push(jobId);
      return answer();
    },
  } as unknown as CreatorLink;
  return { fakes, fakeLink, asked };
}

describe('an operator under hostile creators', () => {
  it('asks a bounded number of creators per round, and never chokes on a price that is not a number', () => {
    const jobs: OpenJob[] = [
      ...Array.from({ length: 500 }, (_, i) => ({ jobId: `j${i}`, creator: `c${i}`, sceneBytes: 1, engine: ENGINE_ID, perBenchHour: String(i) })),
      { jobId: 'bad', creator: 'evil', sceneBytes: 1, engine: ENGINE_ID, perBenchHour: 'abc' },
      { jobId: 'inf', creator: 'evil2', sceneBytes: 1, engine: ENGINE_ID, perBenchHour: '1e999' },
    ];
    const ctx = { engines: [ENGINE_ID], maxSceneBytes: 10, minPricePerBenchHour: '0', backoffUntil: () => 0, allowed: () => true, now: 0 };
    const round = pickJobs(jobs, { ...ctx, reputation: () => 0 });
    expect(round).toHaveLength(MAX_CREATORS_PER_ROUND);
    expect(round.map((j) => j.jobId)).toEqual(['j499', 'j498', 'j497', 'j496']);
    // Reputation outranks price.
    expect(pickJobs(jobs, { ...ctx, reputation: (c) => (c === 'c3' ? 1 : 0) })[0]!.jobId).toBe('j3');
  });

  it('gets real work done while 300 fake creators announce better-paid jobs that never give any', async () => {
    const { fakes, fakeLink, asked } = fakeCreators(300, async () => ({ status: 'none', retryAfterMs: 60_000, reason: 'nothing for you' }));
    // The real creator has paid this operator before (its history); the fakes are strangers.
    const s = setup({ fakes, fakeLink, reputation: (c) => (c === 'me' ? 3 : 0) });
    const job = s.addJob(6);
    s.mkWorker().start();
    await waitFor(() => s.d.job(job.id)!.progress.state === 'done', 'the real job done');
    // Rounds are bounded: nowhere near every fake was asked while the real job ran.
    expect(asked.length).toBeLessThan(60);
  });

  it('without any history, still asks at most a few creators per round and reaches the real job', async () => {
    const { fakes, fakeLink } = fakeCreators(12, () => Promise.reject(new Error('connection refused')));
    const s = setup({ fakes, fakeLink });
    const job = s.addJob(2);
    s.mkWorker().start();
    await waitFor(() => s.d.job(job.id)!.progress.state === 'done', 'the real job done', 20_000);
  });
});

describe('a task that crashed the renderer', () => {
  it('is refused after a restart once it crashed twice, without rendering it again', async () => {
    let renders = 0;
    const s = setup({ renderer: { render: async (i) => (renders++, blank.render(i)) } });
    const job = s.addJob(1);
    const a = s.d.request(self, job.id, { engines: [ENGINE_ID], maxSceneBytes: 100 });
    if (a.status !== 'ok') throw new Error('no lease');
    // Two earlier starts died mid-render: what they leave behind is the lease and two attempts.
    s.store.db.prepare("INSERT INTO worker_leases (lease_id, creator, lease, state, received_at) VALUES (?, 'me', ?, 'rendering', 0)").run(a.lease.leaseId, JSON.stringify(a.lease));
    const guard = new TaskCrashGuard(s.store.db);
    for (let i = 0; i < MAX_CRASHES; i++) guard.begin(a.lease);
    s.mkWorker().start();
    const failed = await waitFor(() => s.events.find((e) => e.type === 'failed'), 'the refusal');
    expect((failed as { reason: string }).reason).toMatch(/crashed the renderer 2 times; this operator refuses it/);
    const failures = s.store.db.prepare('SELECT reason FROM dispatch_failures WHERE job_id = ?').all(job.id) as { reason: string }[];
    expect(failures[0]!.reason).toMatch(/crashed the renderer/);
    expect(renders).toBe(0);
  });

  it('is rendered again after one crash, and the record is cleared when it succeeds', async () => {
    const s = setup();
    const job = s.addJob(1);
    const a = s.d.request(self, job.id, { engines: [ENGINE_ID], maxSceneBytes: 100 });
    if (a.status !== 'ok') throw new Error('no lease');
    s.store.db.prepare("INSERT INTO worker_leases (lease_id, creator, lease, state, received_at) VALUES (?, 'me', ?, 'rendering', 0)").run(a.lease.leaseId, JSON.stringify(a.lease));
    new TaskCrashGuard(s.store.db).begin(a.lease);
    s.mkWorker().start();
    await waitFor(() => s.d.job(job.id)!.progress.state === 'done', 'rendered after one crash');
    expect(s.store.db.prepare('SELECT COUNT(*) AS n FROM worker_task_crashes').get()).toEqual({ n: 0 });
  });

  it('keeps the record when the frame worker crashes in-process, but not for an ordinary refusal', async () => {
    let error: Error = new RayfarmError('SCENE_FRAME_CRASHED', 'Loading the scene stopped unexpectedly (out of memory).');
    const s = setup({ renderer: { render: () => Promise.reject(error) } });
    s.addJob(1);
    s.mkWorker().start();
    await waitFor(() => s.events.some((e) => e.type === 'failed'), 'the crash');
    expect(s.store.db.prepare('SELECT attempts, last_reason FROM worker_task_crashes').get()).toMatchObject({ attempts: 1, last_reason: expect.stringMatching(/out of memory/) });
    error = new RayfarmError('SCENE_TOO_LARGE', 'The scene has too many triangles.');
    const s2 = setup({ renderer: { render: () => Promise.reject(error) } });
    s2.addJob(1);
    s2.mkWorker().start();
    await waitFor(() => s2.events.some((e) => e.type === 'failed'), 'the refusal');
    expect(s2.store.db.prepare('SELECT COUNT(*) AS n FROM worker_task_crashes').get()).toEqual({ n: 0 });
  });

  it('drops a stored lease whose task no longer matches its spec instead of rendering it', async () => {
    let renders = 0;
    const s = setup({ renderer: { render: async (i) => (renders++, blank.render(i)) } });
    const job = s.addJob(1);
    const a = s.d.request(self, job.id, { engines: [ENGINE_ID], maxSceneBytes: 100 });
    if (a.status !== 'ok') throw new Error('no lease');
    const tampered = { ...a.lease, task: { ...a.lease.task, rect: { x: 2147483000, y: 0, width: 2147483000, height: 4 } } };
    s.store.db.prepare("INSERT INTO worker_leases (lease_id, creator, lease, state, received_at) VALUES (?, 'me', ?, 'queued', 0)").run(a.lease.leaseId, JSON.stringify(tampered));
    const w = s.mkWorker();
    w.start();
    await waitFor(() => (s.store.db.prepare('SELECT COUNT(*) AS n FROM worker_leases WHERE lease_id = ?').get(a.lease.leaseId) as { n: number }).n === 0, 'the stored lease dropped');
    expect(renders).toBe(0);
  });
});
