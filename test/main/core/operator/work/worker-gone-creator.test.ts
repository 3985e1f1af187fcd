/**
 * A creator that leases a task and then vanishes (or never answers) must not stop the
 * operator's work for everyone else: its results wait on disk for their answer, but they no
 * longer hold the render slots. Real dispatchers and SQLite; the vanished creator's link
 * fails every delivery, as a dead peer's would.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../../../../shared/job-spec';
import { Dispatcher } from '../../../../../main/core/creator/dispatch/dispatcher';
import { localLink } from '../../../../../main/core/node/links';
import { ENGINE_ID } from '../../../../../main/core/net/work';
import { SceneCache } from '../../../../../main/core/operator/work/scene-cache';
import { MAX_UNSETTLED_RESULTS, Worker } from '../../../../../main/core/operator/work/worker';
import type { CreatorLink, TaskRenderer, WorkerEvent } from '../../../../../main/core/operator/work/worker';
import { BlobStore, openStore } from '../../../../../main/core/store';
import type { Store } from '../../../../../main/core/store';
import { waitFor } from '../../../../helpers/wait';

const self = { peerId: 'me', address: `0x${'1'.repeat(40)}` };
const stores: Store[] = [];
const workers: Worker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  for (const s of stores.splice(0)) s.close();
});

/** Renders a flat tile once `ready` resolves (a test holds the first render back). */
function rendererAfter(ready: () => Promise<void>): TaskRenderer {
  return {
    render: async ({ task }) => {
      await ready();
      return new Float32Array(task.rect.width * task.rect.height * 4).fill(0.5);
    },
  };
}

/** A creator with its own database and one job of `frames` frames. */
function creator(dir: string, frames: number) {
  const store = openStore(dir);
  stores.push(store);
  const d = new Dispatcher({ db: store.db, blobs: store.blobs, leaseMs: 60_000, pricePerBenchHour: () => '0' });
  const hash = store.blobs.put(new Uint8Array([1, 2, 3]));
  const job = d.addJob({ spec: JobSpecSchema.parse({ sceneId: hash, width: 16, height: 16, spp: 1, frames: { start: 0, end: frames - 1 } }), scene: { hash, bytes: 3 } });
  return { d, job };
}

/** Creators by name with their job's frame count; those in `gone` fail every delivery. */
function setup(frames: Record<string, number>, gone: Set<string>, ready: () => Promise<void> = async () => undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'rf-gone-'));
  const store = openStore(dir);
  stores.push(store);
  // The operator already holds the scene (the creators' own link fetches nothing).
  store.blobs.put(new Uint8Array([1, 2, 3]));
  const creators = new Map(Object.entries(frames).map(([name, n]) => [name, creator(join(dir, 'creators', name), n)]));
  const listed = new Set(creators.keys());
  const deliveries = { gone: 0, rounds: 0 };
  const links = new Map<string, CreatorLink>();
  for (const [name, c] of creators) {
    const link = localLink(c.d, self);
    // A gone creator leased its tasks, then its node died: every delivery fails.
    const failing = async (): Promise<never> => {
      deliveries.gone++;
      throw new Error('the creator cannot be reached');
    };
    links.set(name, gone.has(name) ? { ...link, deliver: failing } : link);
  }
  const events: WorkerEvent[] = [];
  const w = new Worker({
    db: store.db,
    results: new BlobStore(join(dir, 'operator', 'results')),
    cache: new SceneCache(store.db, store.blobs, () => 1 << 30),
    renderer: rendererAfter(ready),
    jobs: () => (deliveries.rounds++, [...listed]).map((name) => ({ jobId: creators.get(name)!.job.id, creator: name, sceneBytes: 3, engine: ENGINE_ID, perBenchHour: '0' })),
    link: (c) => links.get(c)!,
    policy: () => ({ enabled: true, engines: [ENGINE_ID], maxSceneBytes: 1 << 30, minPricePerBenchHour: '0' }),
    onEvent: (e) => events.push(e),
    // Waiting results are delivered again only when the test asks (redeliverWaiting).
    waitRetryMs: 60_000,
    depth: 2,
  });
  workers.push(w);
  const leasedBy = (name: string) => events.filter((e) => e.type === 'leased' && e.creator === name).length;
  return { w, creators, listed, events, deliveries, leasedBy };
}

describe('Worker: a vanished creator does not stall the operator', () => {
  it("keeps a vanished creator's results waiting and still renders every task of a live creator", async () => {
    // At first only the creator that is about to vanish has work: it fills both render slots
    // (the first render waits until the second task is leased).
    let release = (): void => undefined;
    const both = new Promise<void>((resolve) => (release = resolve));
    const s = setup({ gone: 6, live: 5 }, new Set(['gone']), () => both);
    s.listed.delete('live');
    s.w.start();
    await waitFor(() => s.leasedBy('gone') === 2, 15_000, 'two tasks of the creator about to vanish');
    release();
    await waitFor(() => s.w.waitingCount() === 2, 15_000, "both of the gone creator's results waiting");
    s.listed.add('live');
    s.w.kick();
    const live = s.creators.get('live')!;
    await waitFor(() => live.d.job(live.job.id)!.progress.done === 5, 15_000, "the live creator's job done");
    // Nothing of the vanished creator is dropped or taken again: its two results are still kept.
    expect(s.w.waitingCount()).toBe(2);
    expect(s.leasedBy('gone')).toBe(2);
    expect(s.deliveries.gone).toBeGreaterThanOrEqual(2);
    expect(s.events.some((e) => e.type === 'verdict' && e.creator === 'gone')).toBe(false);
  });

  it('stops taking new work once too many results wait for answers, so many creators that never answer cannot fill the disk', async () => {
    const names = Array.from({ length: MAX_UNSETTLED_RESULTS }, (_, i) => `gone-${i}`);
    const s = setup(Object.fromEntries(names.map((n) => [n, 3])), new Set(names));
    s.w.start();
    await waitFor(() => s.w.waitingCount() === MAX_UNSETTLED_RESULTS, 20_000, 'the cap of waiting results reached');
    // Every waiting result is tried again and fails again; still no new task is leased past the cap.
    const leased = s.events.filter((e) => e.type === 'leased').length;
    const before = s.deliveries.gone;
    s.w.redeliverWaiting();
    const rounds = s.deliveries.rounds;
    await waitFor(() => s.deliveries.gone >= before + MAX_UNSETTLED_RESULTS, 20_000, 'every waiting result delivered again');
    // Each failed delivery wakes the worker, which looks for work again (a round reads the job list).
    await waitFor(() => s.deliveries.rounds >= rounds + 2, 20_000, 'the worker looked for work again');
    expect(s.events.filter((e) => e.type === 'leased').length).toBe(leased);
    expect(leased).toBe(MAX_UNSETTLED_RESULTS);
  });
});
