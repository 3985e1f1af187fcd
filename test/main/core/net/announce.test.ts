import { afterEach, describe, expect, it } from 'vitest';
import { ANNOUNCE_TOPIC } from '../../../../main/core/net/announce';
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
