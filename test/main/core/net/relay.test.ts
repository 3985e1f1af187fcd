import { randomBytes } from 'node:crypto';
import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2';
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2';
import { peerIdFromString } from '@libp2p/peer-id';
import { afterEach, describe, expect, it } from 'vitest';
import { RELAY_LIMITS } from '../../../../main/core/net/services';
import { startPeer, waitFor } from './helpers';
import type { TestPeer } from './helpers';

let peers: TestPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  peers = [];
});

describe('circuit relay', () => {
  it('a node reserves a slot on a --relay node, advertises the relayed address, and a blob far over the default 128 KiB crosses it', async () => {
    const relay = await startPeer({ reach: { relay: true } });
    peers.push(relay);
    const relayAddr = relay.stack.node.listenAddrs()[0]!;
    expect(relay.stack.node.libp2p.getProtocols()).toContain(RELAY_V2_HOP_CODEC);
    // It listens on nothing but the relay: like a host behind NAT, it cannot be dialled directly.
    const hidden = await startPeer({ bootstrap: [relayAddr], reach: { reserveRelay: true }, listen: [] });
    peers.push(hidden);
    const circuit = await waitFor(() => hidden.stack.node.listenAddrs().find((a) => a.includes('/p2p-circuit/')), 20_000, 'a relayed address');
    expect(circuit).toContain(`/p2p/${relay.stack.node.peerId}/p2p-circuit/p2p/${hidden.stack.node.peerId}`);
    // What the Network view says of each: the hidden node only through its relay, the relay (on 127.0.0.1) from its own network.
    await waitFor(() => hidden.stack.node.selfReach().how === 'relayed', 10_000, 'the hidden node to say it is relayed');
    expect(hidden.stack.node.selfReach()).toEqual({ how: 'relayed', via: [relay.stack.node.peerId] });
    expect(relay.stack.node.selfReach()).toEqual({ how: 'lan', via: [] });

    // A peer that knows only the relayed address reaches it through the relay. It listens on
    // nothing either, so the hidden node cannot dial it back directly: the relay is the only way.
    const other = await startPeer({ bootstrap: [relayAddr], listen: [] });
    peers.push(other);
    await other.stack.node.dial(circuit);
    expect(other.stack.node.reach(hidden.stack.node.peerId)).toBe('relayed');
    const conn = other.stack.node.libp2p.getConnections().find((c) => c.remotePeer.toString() === hidden.stack.node.peerId)!;
    // A limited connection, under the relay's explicit limits rather than libp2p's 2 minutes and 128 KiB.
    expect(conn.limits).toBeDefined();
    const service = (relay.stack.node.libp2p.services as unknown as { relay: CircuitRelayService }).relay;
    const reservation = [...service.reservations.entries()].find(([peer]) => peer.toString() === hidden.stack.node.peerId)?.[1];
    expect(reservation?.limit).toMatchObject({ data: RELAY_LIMITS.dataBytes, duration: RELAY_LIMITS.durationMs });

    // 3 MiB over the relay: the blob protocol runs on the relayed (limited) connection.
    const data = randomBytes(3 * 1024 * 1024 + 7);
    const hash = hidden.store.blobs.put(data);
    await other.stack.blob.fetch(hash, [hidden.stack.node.peerId], { maxBytes: 1 << 30 });
    expect(other.store.blobs.get(hash).equals(data)).toBe(true);
    // Still one relayed connection: streams reuse it instead of dialling a circuit each.
    expect(other.stack.node.libp2p.getConnections().filter((c) => c.remotePeer.toString() === hidden.stack.node.peerId)).toHaveLength(1);
  });

  it('a stream to a relayed peer that can also be dialled directly moves to a direct connection', async () => {
    const relay = await startPeer({ reach: { relay: true } });
    peers.push(relay);
    const relayAddr = relay.stack.node.listenAddrs()[0]!;
    const reachable = await startPeer({ bootstrap: [relayAddr], reach: { reserveRelay: true } });
    peers.push(reachable);
    const circuit = await waitFor(() => reachable.stack.node.listenAddrs().find((a) => a.includes('/p2p-circuit/')), 20_000, 'a relayed address');
    const other = await startPeer({ bootstrap: [relayAddr] });
    peers.push(other);
    await other.stack.node.dial(circuit);
    expect(other.stack.node.reach(reachable.stack.node.peerId)).toBe('relayed');
    // Identify over the relayed connection told it the peer's own addresses; the blob goes direct.
    await waitFor(async () => ((await other.stack.node.libp2p.peerStore.get(peerIdFromString(reachable.stack.node.peerId))).addresses.length ?? 0) > 0, 10_000, 'addresses by identify');
    const data = randomBytes(1024 * 1024);
    const hash = reachable.store.blobs.put(data);
    await other.stack.blob.fetch(hash, [reachable.stack.node.peerId], { maxBytes: 1 << 30 });
    expect(other.store.blobs.get(hash).equals(data)).toBe(true);
    // Both ends may dial each other at once and both dials fail; the next stream tries again
    // after a short pause, and once there is a direct connection every stream takes it.
    const direct = () => other.stack.node.libp2p.getConnections(peerIdFromString(reachable.stack.node.peerId)).some((c) => !c.limits && !c.remoteAddr.toString().includes('p2p-circuit'));
    await waitFor(async () => {
      const small = reachable.store.blobs.put(randomBytes(1000));
      await other.stack.blob.fetch(small, [reachable.stack.node.peerId], { maxBytes: 1 << 20 });
      return direct();
    }, 20_000, 'a direct connection');
    // Loopback is a LAN address: the peer now shows as reached on the LAN, no longer relayed.
    expect(other.stack.node.reach(reachable.stack.node.peerId)).toBe('lan');
  });

  it('a node not started with relay does not relay for strangers', async () => {
    const plain = await startPeer();
    peers.push(plain);
    expect(plain.stack.node.libp2p.getProtocols()).not.toContain(RELAY_V2_HOP_CODEC);
  });
});
