import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeJson } from '../../../../main/core/net/codec';
import { BLOB_LIMITS, BLOB_PROTOCOL } from '../../../../main/core/net/blob';
import { WORK_LIMITS, WORK_PROTOCOL, ENGINE_ID } from '../../../../main/core/net/work';
import { parseStudioKey, newStudioKey } from '../../../../main/core/net';
import { startPeer, waitFor } from './helpers';
import type { TestPeer } from './helpers';

let peers: TestPeer[] = [];
afterEach(async () => {
  await Promise.all(peers.map((p) => p.stop()));
  peers = [];
});

async function pair(opts: { keyA?: Uint8Array; keyB?: Uint8Array } = {}) {
  const a = await startPeer(opts.keyA ? { studioKey: opts.keyA } : {});
  peers.push(a);
  const b = await startPeer(opts.keyB ? { studioKey: opts.keyB } : {});
  peers.push(b);
  return { a, b };
}

describe('net protocols', () => {
  it('binds peer ids to addresses with hello after connecting', async () => {
    const { a, b } = await pair();
    await b.stack.node.dial(a.stack.node.listenAddrs()[0]!);
    const addr = await waitFor(() => a.stack.node.peers.get(b.stack.node.peerId)?.address, 10_000, 'binding');
    expect(addr).toBe(b.stack.node.signer.address.toLowerCase());
    expect(await b.stack.hello.ensureBound(a.stack.node.peerId)).toBe(a.stack.node.signer.address.toLowerCase());
  });

  it('fetches a blob in ranges, hash-checked, from the peer that has it', async () => {
    const { a, b } = await pair();
    const data = randomBytes(20 * 1024 * 1024 + 123);
    const hash = a.store.blobs.put(data);
    await b.stack.node.dial(a.stack.node.listenAddrs()[0]!);
    let progress = 0;
    await b.stack.blob.fetch(hash, [a.stack.node.peerId], { maxBytes: 1 << 30, onProgress: (n) => (progress = n) });
    expect(progress).toBe(data.length);
    expect(b.store.blobs.get(hash).equals(data)).toBe(true);
  });

  it('resumes an interrupted fetch from its partial file, and throws away data that fails the hash', async () => {
    const { a, b } = await pair();
    const data = randomBytes(9 * 1024 * 1024);
    const hash = a.store.blobs.put(data);
    await b.stack.node.dial(a.stack.node.listenAddrs()[0]!);
    const partial = join(b.store.dataDir, 'net', 'partial', hash);
    // A good prefix left by an earlier run: only the rest is fetched.
    writeFileSync(partial, data.subarray(0, 5 * 1024 * 1024));
    const seen: number[] = [];
    await b.stack.blob.fetch(hash, [a.stack.node.peerId], { maxBytes: 1 << 30, onProgress: (n) => seen.push(n) });
    expect(b.store.blobs.get(hash).equals(data)).toBe(true);
    expect(seen[0]).toBeGreaterThan(5 * 1024 * 1024);
    // A corrupt prefix: the result fails its hash, is discarded, and a new fetch succeeds.
    b.store.blobs.delete(hash);
    writeFileSync(partial, randomBytes(1024));
    await expect(b.stack.blob.fetch(hash, [a.stack.node.peerId], { maxBytes: 1 << 30 })).rejects.toMatchObject({ code: 'BLOB_HASH_MISMATCH' });
    expect(existsSync(partial)).toBe(false);
    await b.stack.blob.fetch(hash, [a.stack.node.peerId], { maxBytes: 1 << 30 });
    expect(b.store.blobs.get(hash).equals(data)).toBe(true);
  });

  it('refuses blobs over the size limit and blobs the peer does not share', async () => {
    const a = await startPeer({ share: () => false });
    peers.push(a);
    const b = await startPeer();
    peers.push(b);
    const hash = a.store.blobs.put(randomBytes(1000));
    await b.stack.node.dial(a.stack.node.listenAddrs()[0]!);
    await expect(b.stack.blob.fetch(hash, [a.stack.node.peerId], { maxBytes: 1 << 20 })).rejects.toMatchObject({ code: 'NET_BLOB_UNAVAILABLE' });
    const c = await startPeer();
    peers.push(c);
    const hash2 = c.store.blobs.put(randomBytes(5000));
    await b.stack.node.dial(c.stack.node.listenAddrs()[0]!);
    await expect(b.stack.blob.fetch(hash2, [c.stack.node.peerId], { maxBytes: 1000 })).rejects.toMatchObject({ code: 'NET_TOO_LARGE' });
  });

  it('a node without the studio key cannot connect; with it, it can', async () => {
    const key = parseStudioKey(newStudioKey());
    const { a, b } = await pair({ keyA: key });
    await expect(b.stack.node.dial(a.stack.node.listenAddrs()[0]!)).rejects.toThrow();
    expect(a.stack.node.libp2p.getConnections()).toHaveLength(0);
    const c = await startPeer({ studioKey: parseStudioKey(newStudioKey()) });
    peers.push(c);
    await expect(c.stack.node.dial(a.stack.node.listenAddrs()[0]!)).rejects.toThrow();
    const d = await startPeer({ studioKey: key });
    peers.push(d);
    await d.stack.node.dial(a.stack.node.listenAddrs()[0]!);
    await waitFor(() => a.stack.node.peers.get(d.stack.node.peerId)?.address, 10_000, 'binding in studio mode');
  });

  it('drops malformed and oversized messages, charges the peer, and keeps serving', async () => {
    const { a, b } = await pair();
    await b.stack.node.dial(a.stack.node.listenAddrs()[0]!);
    await b.stack.hello.ensureBound(a.stack.node.peerId);
    // Not JSON.
    const s1 = await b.stack.node.open(a.stack.node.peerId, WORK_PROTOCOL, WORK_LIMITS);
    await s1.write(new TextEncoder().encode('{not json'), 1000);
    await s1.close(1000);
    const r1 = JSON.parse(new TextDecoder().decode((await s1.read(5000))!)) as { status: string; code: string };
    expect(r1).toMatchObject({ status: 'error', code: 'NET_BAD_MESSAGE' });
    // Valid JSON, wrong shape.
    const s2 = await b.stack.node.open(a.stack.node.peerId, WORK_PROTOCOL, WORK_LIMITS);
    await s2.write(encodeJson({ type: 'request', offer: { engines: 'all' } }), 1000);
    await s2.close(1000);
    expect(JSON.parse(new TextDecoder().decode((await s2.read(5000))!))).toMatchObject({ status: 'error', code: 'NET_BAD_MESSAGE' });
    // Oversized frame: the stream is cut.
    const s3 = await b.stack.node.open(a.stack.node.peerId, BLOB_PROTOCOL, BLOB_LIMITS);
    await s3.write(new Uint8Array(64 * 1024), 1000).catch(() => undefined);
    await expect(s3.read(5000)).rejects.toThrow();
    expect(a.stack.node.guard.score(b.stack.node.peerId)).toBeLessThan(0);
    expect(a.lines.filter((l) => l.includes('malformed'))).toHaveLength(1);
    // Still serving: a valid request gets a real answer.
    const res = await b.stack.work.request(a.stack.node.peerId, undefined, { engines: [ENGINE_ID], maxSceneBytes: 1000 });
    expect(res.status).toBe('denied');
  });

  it('rate-limits a flooding peer and blocks it when it keeps going', async () => {
    const { a, b } = await pair();
    await b.stack.node.dial(a.stack.node.listenAddrs()[0]!);
    await b.stack.hello.ensureBound(a.stack.node.peerId);
    const statuses: string[] = [];
    // Requests in bursts of 20: one at a time, a loaded machine may never outpace the refill
    // (20 a second), and the test would measure its own slowness instead of the limit.
    for (let round = 0; round < 12 && b.stack.node.isConnected(a.stack.node.peerId); round++) {
      await Promise.all(
        Array.from({ length: 20 }, async () => {
          try {
            const r = await b.stack.work.request(a.stack.node.peerId, undefined, { engines: [ENGINE_ID], maxSceneBytes: 1 });
            statuses.push(r.status);
          } catch {
            statuses.push('cut');
          }
        }),
      );
    }
    expect(statuses).toContain('busy');
    await waitFor(() => a.stack.node.guard.isBlocked(b.stack.node.peerId), 5000, 'block');
    await waitFor(() => !a.stack.node.isConnected(b.stack.node.peerId) && !b.stack.node.isConnected(a.stack.node.peerId), 5000, 'hang-up');
    // While blocked, a new connection is refused (the gater drops it after the handshake).
    await b.stack.node.dial(a.stack.node.listenAddrs()[0]!).catch(() => undefined);
    await waitFor(() => !a.stack.node.isConnected(b.stack.node.peerId), 5000, 'refusal');
    await expect(b.stack.work.request(a.stack.node.peerId, undefined, { engines: [ENGINE_ID], maxSceneBytes: 1 })).rejects.toThrow();
  });
});
