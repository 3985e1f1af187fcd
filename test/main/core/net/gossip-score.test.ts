import { afterEach, describe, expect, it } from 'vitest';
import { ANNOUNCE_TOPIC } from '../../../../main/core/net/announce';
import { GOSSIP_THRESHOLDS } from '../../../../main/core/net/gossip-score';
import { startPeer, waitFor } from './helpers';
import type { TestPeer } from './helpers';

let peers: TestPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  peers = [];
});

const job = {
  seq: 1,
  state: 'open' as const,
  scene: { hash: 'c'.repeat(64), bytes: 100 },
  engine: 'rayfarm-pt/2',
  tier: 'economy',
  perBenchHour: '0',
  width: 32,
  height: 32,
  spp: 2,
  frames: 1,
  tasks: 1,
  tasksLeft: 1,
};

/** The gossipsub score a node gives a peer (the implementation has it; the interface does not). */
function gossipScore(p: TestPeer, of: TestPeer): number {
  return (p.stack.node.pubsub as unknown as { getScore(id: string): number }).getScore(of.stack.node.peerId);
}

describe('gossipsub peer scoring', () => {
  it('scores a peer flooding invalid announcements below the graylist, prunes it, and still hears the honest creator', async () => {
    const operator = await startPeer();
    const creator = await startPeer({ bootstrap: [operator.stack.node.listenAddrs()[0]!] });
    const attacker = await startPeer({ bootstrap: [operator.stack.node.listenAddrs()[0]!] });
    peers.push(operator, creator, attacker);
    await waitFor(() => operator.stack.node.pubsub.getSubscribers(ANNOUNCE_TOPIC).length === 2, 10_000, 'both subscribed');
    // Gossipsub grafts its mesh on the heartbeat: the attacker starts inside it.
    await waitFor(() => (operator.stack.node.pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(ANNOUNCE_TOPIC).includes(attacker.stack.node.peerId), 10_000, 'attacker in the mesh');

    // Malformed announcements, each a new message (gossipsub drops exact repeats unread).
    for (let i = 0; i < 12 && attacker.stack.node.isConnected(operator.stack.node.peerId); i++) {
      await attacker.stack.node.pubsub.publish(ANNOUNCE_TOPIC, new TextEncoder().encode(`{"v":1,"junk":${i}`)).catch(() => undefined);
    }
    // Rejections feed gossipsub's invalid-delivery penalty and the guard, whose score is the
    // application-specific part: the attacker falls past the graylist, and the guard cuts it off.
    await waitFor(() => gossipScore(operator, attacker) <= GOSSIP_THRESHOLDS.graylistThreshold, 10_000, 'attacker graylisted');
    await waitFor(() => operator.stack.node.guard.isBlocked(attacker.stack.node.peerId), 10_000, 'attacker blocked');
    await waitFor(() => !operator.stack.node.isConnected(attacker.stack.node.peerId), 10_000, 'attacker disconnected');
    expect((operator.stack.node.pubsub as unknown as { getMeshPeers(t: string): string[] }).getMeshPeers(ANNOUNCE_TOPIC)).not.toContain(attacker.stack.node.peerId);
    expect(gossipScore(operator, creator)).toBeGreaterThanOrEqual(0);

    // The honest creator's announcement still arrives.
    await waitFor(async () => {
      await creator.stack.announce.publish({ ...job, jobId: 'honest', seq: Date.now(), createdAt: Date.now(), expiresAt: Date.now() + 60_000 });
      await new Promise((r) => setTimeout(r, 200));
      return operator.stack.announce.list().some((a) => a.jobId === 'honest');
    }, 15_000, 'honest announcement');
    expect(operator.stack.announce.list().map((a) => a.jobId)).toEqual(['honest']);
  });
});
