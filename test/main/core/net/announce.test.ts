import { afterEach, describe, expect, it } from 'vitest';
import { Wallet } from 'ethers';
import { ANNOUNCE_TOPIC, AnnounceProtocol, signAnnouncement } from '../../../../main/core/net/announce';
import { createBinding } from '../../../../main/core/net/identity';
import type { Binding, NodeSigner } from '../../../../main/core/net/identity';
import type { Announcement } from '../../../../main/core/net/announce';
import { encodeJson } from '../../../../main/core/net/codec';
import { startPeer, waitFor } from './helpers';
import type { TestPeer } from './helpers';

let peers: TestPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  peers = [];
});

const base = {
  jobId: 'job-1',
  seq: 1,
  state: 'open' as const,
  scene: { hash: 'b'.repeat(64), bytes: 100 },
  engine: 'rayfarm-pt/2',
  tier: 'economy',
  perBenchHour: '0',
  width: 32,
  height: 32,
  spp: 2,
  frames: 1,
  tasks: 1,
  tasksLeft: 1,
  createdAt: Date.now(),
  expiresAt: Date.now() + 60_000,
};

describe('job announcements on gossipsub', () => {
  it('delivers signed announcements and rejects forged, malformed and oversized ones', async () => {
    const a = await startPeer();
    peers.push(a);
    const b = await startPeer({ bootstrap: [a.stack.node.listenAddrs()[0]!] });
    peers.push(b);
    const heard: Announcement[] = [];
    b.stack.announce.onAnnouncement((x) => heard.push(x));
    // Wait until b is in a's view of the topic, then publish (re-publishing until heard).
    await waitFor(() => a.stack.node.pubsub.getSubscribers(ANNOUNCE_TOPIC).length > 0, 10_000, 'subscription');
    await waitFor(async () => {
      await a.stack.announce.publish({ ...base, seq: Date.now() });
      await new Promise((r) => setTimeout(r, 100));
      return heard.length > 0;
    }, 10_000, 'announcement');
    expect(heard[0]).toMatchObject({ jobId: 'job-1', creator: { peerId: a.stack.node.peerId } });

    // Forged: a's binding with a tampered field (the signature no longer matches).
    const forged = { ...heard[0]!, jobId: 'job-forged', seq: Date.now() + 1 };
    await a.stack.node.pubsub.publish(ANNOUNCE_TOPIC, encodeJson(forged));
    // Malformed and oversized.
    await a.stack.node.pubsub.publish(ANNOUNCE_TOPIC, new TextEncoder().encode('{"v":1'));
    await a.stack.node.pubsub.publish(ANNOUNCE_TOPIC, encodeJson({ ...heard[0]!, jobId: 'job-big', addrs: ['x'.repeat(20_000)] }));
    await waitFor(() => b.stack.node.guard.score(a.stack.node.peerId) < 0, 10_000, 'penalty');
    expect(b.stack.announce.list().map((x) => x.jobId)).toEqual(['job-1']);
    expect(b.lines.filter((l) => l.includes('bad-signature'))).toHaveLength(1);
    // b is still alive and connected.
    expect(b.stack.node.isConnected(a.stack.node.peerId)).toBe(true);
  });
});

describe('the announcement state is bounded and cannot be squatted', () => {
  const SIGNERS = new Map<string, { wallet: NodeSigner; binding: Binding }>();
  async function creator(peerId: string) {
    const known = SIGNERS.get(peerId);
    if (known) return known;
    const wallet: NodeSigner = Wallet.createRandom();
    const c = { wallet, binding: await createBinding(wallet, peerId, 'public') };
    SIGNERS.set(peerId, c);
    return c;
  }
  async function signed(peerId: string, fields: Partial<typeof base> = {}): Promise<Announcement> {
    const c = await creator(peerId);
    const now = Date.now();
    return signAnnouncement(c.wallet, { v: 1, ...base, createdAt: now, expiresAt: now + 60_000, ...fields, creator: c.binding, addrs: [] });
  }

  it('keeps the real creator\'s job when another creator announced the same job id first', async () => {
    const b = await startPeer();
    peers.push(b);
    const ann = new AnnounceProtocol(b.stack.node);
    ann.receive(await signed('squatter', { jobId: 'job-1', seq: 99 }), 'squatter');
    ann.receive(await signed('real-creator', { jobId: 'job-1', seq: 1 }), 'real-creator');
    expect(ann.list().map((a) => a.creator.peerId).sort()).toEqual(['real-creator', 'squatter']);
    // Updates are per creator: the real creator's later seq replaces its own entry only.
    ann.receive(await signed('real-creator', { jobId: 'job-1', seq: 2, tasksLeft: 0 }), 'real-creator');
    expect(ann.list().find((a) => a.creator.peerId === 'real-creator')?.seq).toBe(2);
  });

  it('refuses an expiry far in the future, or before the announcement was made', async () => {
    const b = await startPeer();
    peers.push(b);
    const ann = new AnnounceProtocol(b.stack.node);
    const now = Date.now();
    expect(() => ann.receive(null as never, 'x')).toThrow();
    const forever = await signed('c', { expiresAt: Number.MAX_SAFE_INTEGER });
    expect(() => ann.receive(forever, 'c')).toThrow(/too long/);
    const backwards = await signed('c', { createdAt: now, expiresAt: now - 1000 });
    expect(() => ann.receive(backwards, 'c')).toThrow(/before it was made/);
    expect(ann.list()).toHaveLength(0);
  });

  it('under a flood of creators and jobs, holds at most the caps and keeps the honest, refreshed job', async () => {
    const b = await startPeer();
    peers.push(b);
    const ann = new AnnounceProtocol(b.stack.node, Date.now, { perCreator: 5, total: 20 });
    // One creator with many jobs: only 5 are kept.
    for (let i = 0; i < 12; i++) ann.receive(await signed('greedy', { jobId: `g-${i}` }), 'greedy');
    expect(ann.list().filter((a) => a.creator.peerId === 'greedy')).toHaveLength(5);
    // Sybil creators, interleaved with an honest creator re-announcing its job (as every creator does each few seconds).
    let seq = 1;
    for (let i = 0; i < 60; i++) {
      ann.receive(await signed(`sybil-${i}`, { jobId: `s-${i}` }), `sybil-${i}`);
      if (i % 5 === 0) ann.receive(await signed('honest', { jobId: 'real-job', seq: seq++ }), 'honest');
      expect(ann.list().length).toBeLessThanOrEqual(20);
    }
    expect(ann.list().some((a) => a.creator.peerId === 'honest' && a.jobId === 'real-job')).toBe(true);
  });
});
