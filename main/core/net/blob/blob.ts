import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { BlobStore } from '../../store';
import { isBlobHash } from '../../store';
import { decodeJson, encodeJson } from '../codec';
import { NetError } from '../errors';
import { FramedStream } from '../framing';
import type { NetNode } from '../net-node';
import { offenceOf, readResponse } from '../rpc';
import { BLOB_LIMITS, BLOB_PROTOCOL, CHUNK_BYTES, MAX_RANGE_BYTES, RANGES_AHEAD } from './constants';

/** A blob range request on the wire. */
export const RangeRequestSchema = z
  .object({
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    offset: z.number().int().nonnegative(),
    length: z.number().int().nonnegative().max(MAX_RANGE_BYTES),
  })
  .strict();

/** A blob range response on the wire. */
export const RangeResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), size: z.number().int().nonnegative(), offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() }).strict(),
  z.object({ status: z.literal('not-found') }).strict(),
  z.object({ status: z.literal('busy'), retryAfterMs: z.number().int().nonnegative().max(600_000) }).strict(),
  z.object({ status: z.literal('error'), code: z.string().max(64), message: z.string().max(400) }).strict(),
]);

/** Options of one fetch. */
export interface FetchOptions {
  /** Refuse blobs larger than this. */
  maxBytes: number;
  /** Known size (from an announcement), checked against what peers report. */
  expectedSize?: number;
  onProgress?: (received: number, size: number) => void;
  signal?: AbortSignal;
}

interface OpenRange {
  framed: FramedStream;
  offset: number;
  length: number;
}

/**
 * Serves blobs that `shareable` allows from the local blob store, and fetches blobs from
 * peers in pipelined 8 MiB ranges into `<dataDir>/net/partial/<hash>` — so an interrupted
 * fetch (a dropped peer, a restart) resumes where it stopped — then checks the sha256 and
 * moves the file into the blob store.
 */
export class BlobProtocol {
  private readonly partialDir: string;
  private readonly active = new Map<string, Promise<void>>();

  constructor(
    private readonly node: NetNode,
    private readonly blobs: BlobStore,
    dataDir: string,
    private readonly shareable: (hash: string) => boolean,
    private readonly log: (line: string) => void,
  ) {
    this.partialDir = join(dataDir, 'net', 'partial');
    mkdirSync(this.partialDir, { recursive: true });
  }

  async start(): Promise<void> {
    await this.node.handle(BLOB_PROTOCOL, (stream, connection) => this.serve(new FramedStream(stream, BLOB_LIMITS.maxMessageBytes), connection.remotePeer.toString()), BLOB_LIMITS);
  }

  async stop(): Promise<void> {
    await this.node.unhandle(BLOB_PROTOCOL);
  }

  private async serve(framed: FramedStream, peer: string): Promise<void> {
    const guard = this.node.guard;
    const t = BLOB_LIMITS.timeoutMs;
    try {
      if (!guard.allow(peer, BLOB_PROTOCOL, BLOB_LIMITS.rate)) {
        await framed.write(encodeJson({ status: 'busy', retryAfterMs: 1000 }), 1000);
        await framed.close(1000);
        return;
      }
      const req = decodeJson(await framed.readRequired(t), RangeRequestSchema, BLOB_LIMITS.maxMessageBytes);
      const size = this.shareable(req.hash) ? this.blobs.size(req.hash) : undefined;
      if (size === undefined) {
        await framed.write(encodeJson({ status: 'not-found' }), t);
        await framed.close(t);
        return;
      }
      const offset = Math.min(req.offset, size);
      const length = Math.min(req.length, size - offset);
      await framed.write(encodeJson({ status: 'ok', size, offset, length }), t);
      if (length > 0) {
        // Synchronous reads: blobs are read sequentially and mostly from the page cache, where
        // a 256 KiB read costs microseconds; the thread-pool round trip of an async read
        // (milliseconds under load) was the bottleneck.
        const fd = openSync(this.blobs.pathOf(req.hash), 'r');
        try {
          let pos = offset;
          const end = offset + length;
          while (pos < end) {
            const n = Math.min(CHUNK_BYTES, end - pos);
            const buf = Buffer.allocUnsafe(n);
            let got = 0;
            while (got < n) {
              const r = readSync(fd, buf, got, n - got, pos + got);
              if (r === 0) throw new NetError('NET_BLOB_SHORT_READ', 'The stored file is shorter than expected.');
              got += r;
            }
            await framed.write(buf, t);
            pos += n;
          }
        } finally {
          closeSync(fd);
        }
      }
      await framed.close(t);
    } catch (err) {
      const offence = offenceOf(err);
      if (offence) guard.penalize(peer, offence, `${BLOB_PROTOCOL}: ${(err as Error).message}`);
      framed.abort('blob request failed');
    }
  }

  private async openRange(peer: string, hash: string, offset: number, length: number): Promise<OpenRange> {
    const framed = await this.node.open(peer, BLOB_PROTOCOL, BLOB_LIMITS);
    await framed.write(encodeJson({ hash, offset, length }), BLOB_LIMITS.timeoutMs);
    await framed.close(BLOB_LIMITS.timeoutMs);
    return { framed, offset, length };
  }

  /** Fetches a blob into the store from the first of `peers` that has it (others on failure). */
  fetch(hash: string, peers: string[], opts: FetchOptions): Promise<void> {
    if (!isBlobHash(hash)) return Promise.reject(new NetError('NET_BAD_HASH', `"${hash}" is not a sha256.`));
    if (this.blobs.has(hash)) return Promise.resolve();
    let p = this.active.get(hash);
    if (!p) {
      p = this.fetchFrom(hash, peers, opts).finally(() => this.active.delete(hash));
      this.active.set(hash, p);
    }
    return p;
  }

  private async fetchFrom(hash: string, peers: string[], opts: FetchOptions): Promise<void> {
    const partial = join(this.partialDir, hash);
    const sha = createHash('sha256');
    let have = 0;
    if (existsSync(partial)) {
      // Resume: the partial file always holds a verified-in-order prefix; rehash it.
      have = statSync(partial).size;
      await new Promise<void>((resolve, reject) => {
        createReadStream(partial)
          .on('data', (d) => sha.update(d))
          .on('end', () => resolve())
          .on('error', reject);
      });
    }
    const fd = openSync(partial, 'a');
    let lastErr: unknown;
    try {
      for (const peer of peers) {
        try {
          have = await this.pull(peer, hash, fd, sha, have, opts);
          fsyncSync(fd);
          closeSync(fd);
          const digest = sha.digest('hex');
          if (digest !== hash) {
            rmSync(partial, { force: true });
            throw new NetError('BLOB_HASH_MISMATCH', `The data received does not match its hash (expected ${hash}, got ${digest}).`);
          }
          const dest = this.blobs.pathOf(hash);
          mkdirSync(dirname(dest), { recursive: true });
          renameSync(partial, dest);
          return;
        } catch (err) {
          if ((err as NetError).code === 'BLOB_HASH_MISMATCH' || (err as NetError).code === 'NET_TOO_LARGE' || opts.signal?.aborted) throw err;
          lastErr = err;
          have = (err as { bytesKept?: number }).bytesKept ?? have;
          this.log(`net: fetching ${hash.slice(0, 12)} from ${peer.slice(-8)} stopped at ${have} bytes: ${(err as Error).message}`);
        }
      }
    } finally {
      try {
        closeSync(fd);
      } catch {
        // Already closed on success.
      }
    }
    throw new NetError('NET_BLOB_UNAVAILABLE', `No peer could send ${hash.slice(0, 12)}…: ${(lastErr as Error | undefined)?.message ?? 'no peers'}`, { cause: lastErr });
  }

  /** Pulls ranges from one peer, appending to `fd`; returns the new length. */
  private async pull(peer: string, hash: string, fd: number, sha: ReturnType<typeof createHash>, have: number, opts: FetchOptions): Promise<number> {
    let size = opts.expectedSize;
    let next = have;
    const queue: OpenRange[] = [];
    const openNext = async (): Promise<void> => {
      const len = size === undefined ? MAX_RANGE_BYTES : Math.min(MAX_RANGE_BYTES, size - next);
      if (size !== undefined && len <= 0) return;
      queue.push(await this.openRange(peer, hash, next, len));
      next += len;
    };
    try {
      await openNext();
      while (queue.length) {
        opts.signal?.throwIfAborted();
        const r = queue.shift()!;
        const head = await readResponse(r.framed, RangeResponseSchema, BLOB_LIMITS);
        if (head.status !== 'ok') throw new NetError(head.status === 'not-found' ? 'NET_BLOB_NOT_FOUND' : 'NET_REMOTE_ERROR', `Peer answered ${head.status}.`);
        if (size === undefined) {
          size = head.size;
          next = r.offset + Math.min(r.length, size - r.offset);
        }
        if (head.size !== size) throw new NetError('NET_BAD_MESSAGE', `Peer reports ${head.size} bytes, expected ${size}.`);
        if (size > opts.maxBytes) throw new NetError('NET_TOO_LARGE', `The file is ${size} bytes; the limit is ${opts.maxBytes}.`);
        if (head.offset !== r.offset || head.length !== Math.min(r.length, size - r.offset)) throw new NetError('NET_BAD_MESSAGE', 'Peer sent another range than asked.');
        // Keep ranges in flight while this one is written (each waits, bounded, in its stream).
        while (queue.length < RANGES_AHEAD && next < size) await openNext();
        let got = 0;
        while (got < head.length) {
          const chunk = await r.framed.readRequired(BLOB_LIMITS.timeoutMs);
          if (got + chunk.byteLength > head.length) throw new NetError('NET_BAD_MESSAGE', 'Peer sent more than the range.');
          let off = 0;
          while (off < chunk.byteLength) off += writeSync(fd, chunk, off, chunk.byteLength - off);
          sha.update(chunk);
          got += chunk.byteLength;
          have += chunk.byteLength;
        }
        opts.onProgress?.(have, size);
      }
      if (size === undefined || have !== size) throw new NetError('NET_TRUNCATED', `Got ${have} of ${size ?? '?'} bytes.`);
      return have;
    } catch (err) {
      for (const r of queue) r.framed.abort('fetch stopped');
      const offence = offenceOf(err);
      if (offence && offence !== 'timeout') this.node.guard.penalize(peer, offence, `${BLOB_PROTOCOL}: ${(err as Error).message}`);
      throw Object.assign(err as Error, { bytesKept: have });
    }
  }
}
