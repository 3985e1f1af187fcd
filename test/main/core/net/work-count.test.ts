/**
 * A work request for several tasks at once (`count`), over real libp2p to a real dispatcher:
 * an honest operator with two free slots asks once; old single-task requests still work; a
 * greedy or barred peer gets nothing it may not have, and the honest operator loses nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../../../shared/job-spec';
import { Dispatcher } from '../../../../main/core/creator/dispatch/dispatcher';
import { encodeJson } from '../../../../main/core/net/codec';
import { ENGINE_ID, MAX_TASKS_PER_REQUEST, WORK_LIMITS, WORK_PROTOCOL } from '../../../../main/core/net/work';
import type { Lease, WorkResponse } from '../../../../main/core/net/work';
import { startPeer } from './helpers';
import type { TestPeer } from './helpers';

let peers: TestPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  peers = [];
});

const offer = { engines: [ENGINE_ID], maxSceneBytes: 1 << 30 };
const leasesOf = (r: WorkResponse): Lease[] => (r.status === 'ok' && r.lease ? [r.lease, ...(r.more ?? [])] : []);

/** A creator serving one 16-task job from a real dispatcher, and `n` operators bound to it. */
async function farm(n: number) {
  const creator = await startPeer();
  peers.push(creator);
  const d = new Dispatcher({ db: creator.store.db, blobs: creator.store.blobs, leaseMs: 60_000 });
  creator.stack.work.provider = d;
  const job = d.addJob({ spec: JobSpecSchema.parse({ sceneId: 'a'.repeat(64), width: 64, height: 64, spp: 1, tiles: { x: 4, y: 4 } }), scene: { hash: 'a'.repeat(64), bytes: 100 } });
  const ops: TestPeer[] = [];
  for (let i = 0; i < n; i++) {
    const p = await startPeer();
    peers.push(p);
    await p.stack.node.dial(creator.stack.node.listenAddrs()[0]!);
    await p.stack.hello.ensureBound(creator.stack.node.peerId);
    ops.push(p);
  }
  return { creator, d, jobId: job.id, ops };
}

/** Sends raw JSON on a work stream and reads the answer (what a hostile peer can do). */
async function raw(from: TestPeer, to: TestPeer, msg: unknown): Promise<Record<string, unknown>> {
  const s = await from.stack.node.open(to.stack.node.peerId, WORK_PROTOCOL, WORK_LIMITS);
  await s.write(encodeJson(msg), 1000);
  await s.close(1000);
  return JSON.parse(new TextDecoder().decode((await s.read(5000))!)) as Record<string, unknown>;
}

describe('work requests for several tasks', () => {
  it('gives an operator with two free slots two different tasks in one answer; a single-task request still gets one', async () => {
    const { creator, d, jobId, ops } = await farm(2);
    const two = await ops[0]!.stack.work.request(creator.stack.node.peerId, jobId, offer, 2);
    const got = leasesOf(two);
    expect(got).toHaveLength(2);
    expect(new Set(got.map((l) => l.task.index)).size).toBe(2);
    expect(d.held(ops[0]!.stack.node.peerId)).toBe(2);
    // The old request (no count) is answered as before: one lease, no `more`.
    const one = await ops[1]!.stack.work.request(creator.stack.node.peerId, jobId, offer);
    expect(one.status).toBe('ok');
    expect(one.status === 'ok' && one.more).toBeUndefined();
    expect(leasesOf(one)).toHaveLength(1);
    // Renewing each works: they are real leases of their holder.
    for (const l of got) expect(await ops[0]!.stack.work.send(creator.stack.node.peerId, { type: 'renew', leaseId: l.leaseId })).toMatchObject({ status: 'ok' });
  });

  it('a greedy peer asking for 10,000 tasks is refused as malformed; asking for the most allowed it gets only its per-operator share; the honest operator still gets its tasks', async () => {
    const { creator, d, jobId, ops } = await farm(2);
    const [greedy, honest] = [ops[0]!, ops[1]!];
    const refused = await raw(greedy, creator, { type: 'request', jobId, offer, count: 10_000 });
    expect(refused).toMatchObject({ status: 'error', code: 'NET_BAD_MESSAGE' });
    expect(d.held(greedy.stack.node.peerId)).toBe(0);
    // The largest count the protocol allows: capped by the dispatcher's limit (two per operator).
    const capped = await greedy.stack.work.request(creator.stack.node.peerId, jobId, offer, MAX_TASKS_PER_REQUEST);
    expect(leasesOf(capped)).toHaveLength(2);
    const again = await greedy.stack.work.request(creator.stack.node.peerId, jobId, offer, MAX_TASKS_PER_REQUEST);
    expect(again).toMatchObject({ status: 'none' });
    expect(d.held(greedy.stack.node.peerId)).toBe(2);
    const mine = leasesOf(await honest.stack.work.request(creator.stack.node.peerId, jobId, offer, 2));
    expect(mine).toHaveLength(2);
    expect(d.job(jobId)!.progress.leased).toBe(4);
  });

  it('a request for several tasks of a job the peer may not take gets none', async () => {
    const { creator, d, jobId, ops } = await farm(2);
    const [barred, honest] = [ops[0]!, ops[1]!];
    // Fails the job twice: the dispatcher stops giving it this job's tasks.
    for (let i = 0; i < 2; i++) {
      const [l] = leasesOf(await barred.stack.work.request(creator.stack.node.peerId, jobId, offer));
      expect(await barred.stack.work.send(creator.stack.node.peerId, { type: 'fail', leaseId: l!.leaseId, reason: 'crash' })).toMatchObject({ status: 'ok' });
    }
    const res = await barred.stack.work.request(creator.stack.node.peerId, jobId, offer, 2);
    expect(res).toMatchObject({ status: 'denied' });
    expect(d.held(barred.stack.node.peerId)).toBe(0);
    // A job that needs an engine the operator lacks: none either, whatever the count.
    expect(await honest.stack.work.request(creator.stack.node.peerId, jobId, { engines: ['blender-cycles/4.2'], maxSceneBytes: 1 << 30 }, 2)).toMatchObject({ status: 'denied' });
    expect(leasesOf(await honest.stack.work.request(creator.stack.node.peerId, jobId, offer, 2))).toHaveLength(2);
  });
});
