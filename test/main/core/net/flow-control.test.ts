import { afterEach, describe, expect, it } from 'vitest';
import { BLOB_LIMITS, CHUNK_BYTES } from '../../../../main/core/net/blob';
import type { NetError } from '../../../../main/core/net/errors';
import { FramedStream } from '../../../../main/core/net/framing';
import { startPeer } from './helpers';
import type { TestPeer } from './helpers';

let peers: TestPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  peers = [];
});

const FLOOD = '/rayfarm-test/flood/1.0.0';

describe('net flow control', () => {
  it('a reader that stops reading holds a bounded amount: the sender stalls, nothing grows', async () => {
    const a = await startPeer();
    const b = await startPeer();
    peers.push(a, b);
    const limits = { ...BLOB_LIMITS, timeoutMs: 1000 };
    let sent = 0;
    let done: (outcome: string) => void = () => undefined;
    const outcome = new Promise<string>((resolve) => (done = resolve));
    // The sender writes blob-sized frames as fast as the stream takes them, up to 256 MiB.
    await a.stack.node.handle(
      FLOOD,
      async (stream) => {
        const framed = new FramedStream(stream, limits.maxMessageBytes);
        const frame = new Uint8Array(CHUNK_BYTES);
        try {
          while (sent < 256 << 20) {
            await framed.write(frame, limits.timeoutMs);
            sent += frame.byteLength;
          }
          done('sent all');
        } catch (err) {
          done((err as NetError).code);
        }
      },
      limits,
    );
    await b.stack.node.dial(a.stack.node.listenAddrs()[0]!);
    const reader = await b.stack.node.open(a.stack.node.peerId, FLOOD, limits);
    await reader.write(new Uint8Array(1), limits.timeoutMs);
    // The reader never reads: its framing buffer pauses the stream at its high-water mark,
    // the muxer stops granting window, and the sender's write times out waiting to drain
    // (rather than the reader's stream overflowing its read buffer and being reset).
    expect(await outcome).toBe('NET_TIMEOUT');
    // At most: the reader's high-water mark (~4 MiB) + one stream window (8 MiB) + a frame.
    expect(sent).toBeLessThanOrEqual(16 << 20);
    reader.abort('done');
  });
});
