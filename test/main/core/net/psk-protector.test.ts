import { randomBytes } from 'node:crypto';
import { connect as tcpConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStudioKey, newStudioKey } from '../../../../main/core/net';
import { pskSession } from '../../../../main/core/net/psk-protector';
import { startPeer, waitFor } from './helpers';
import type { TestPeer } from './helpers';

let peers: TestPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  peers = [];
});

function tcpPort(peer: TestPeer): number {
  const m = /\/tcp\/(\d+)\//.exec(peer.stack.node.listenAddrs()[0]!);
  return Number(m![1]);
}

/**
 * Plays a reflecting attacker without the key: reads the node's nonce and sends it back,
 * then echoes whatever proof the node sends. Resolves with every byte the node wrote and
 * whether the node closed the connection.
 */
function reflect(port: number): Promise<{ received: Buffer; closedByNode: boolean }> {
  return new Promise((resolve) => {
    const s = tcpConnect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let echoed = 0;
    s.on('data', (c) => {
      received = Buffer.concat([received, c]);
      // Echo each complete 32-byte block (nonce, then proof) back as our own.
      while (received.length >= echoed + 32) {
        s.write(received.subarray(echoed, echoed + 32));
        echoed += 32;
      }
      // Past the proof a vulnerable node would start Noise; stop there, it has let us in.
      if (received.length > 64) {
        s.destroy();
        resolve({ received, closedByNode: false });
      }
    });
    s.on('error', () => {});
    s.on('close', () => resolve({ received, closedByNode: true }));
  });
}

describe('the studio-key handshake', () => {
  it('refuses a peer that reflects the node its own nonce and proof', async () => {
    const a = await startPeer({ studioKey: parseStudioKey(newStudioKey()) });
    peers.push(a);
    const { received, closedByNode } = await reflect(tcpPort(a));
    expect(closedByNode).toBe(true);
    // The node sent its nonce and nothing more: no proof leaves it once it sees its own nonce.
    expect(received.length).toBe(32);
    expect(a.stack.node.libp2p.getConnections()).toHaveLength(0);
  });

  it('labels the proof with the role, so a proof cannot be sent back as the other side\'s', () => {
    const psk = randomBytes(32);
    const ni = randomBytes(32);
    const nr = randomBytes(32);
    const init = pskSession(psk, 'initiator', ni, nr);
    const resp = pskSession(psk, 'responder', nr, ni);
    expect(init.proof).toEqual(resp.expected);
    expect(resp.proof).toEqual(init.expected);
    expect(init.proof).not.toEqual(resp.proof);
    // One key per direction: what the initiator sends, the responder receives, and the two differ.
    expect(init.sendKey).toEqual(resp.receiveKey);
    expect(init.receiveKey).toEqual(resp.sendKey);
    expect(init.sendKey).not.toEqual(init.receiveKey);
    // An attacker facing a responder with the responder's own nonce gets a refusal, not a session.
    expect(() => pskSession(psk, 'responder', nr, nr)).toThrow(/reflection/);
    // Two responders (an attacker relaying between two inbound connections) expect an initiator's proof.
    const otherResp = pskSession(psk, 'responder', ni, nr);
    expect(otherResp.proof).not.toEqual(resp.expected);
  });

  it('still lets two honest nodes with the key connect and bind, both ways', async () => {
    const key = parseStudioKey(newStudioKey());
    const a = await startPeer({ studioKey: key });
    peers.push(a);
    const b = await startPeer({ studioKey: key });
    peers.push(b);
    await b.stack.node.dial(a.stack.node.listenAddrs()[0]!);
    await waitFor(() => a.stack.node.peers.get(b.stack.node.peerId)?.address, 10_000, 'binding in studio mode');
    expect(await b.stack.hello.ensureBound(a.stack.node.peerId)).toBe(a.stack.node.signer.address.toLowerCase());
  });
});
