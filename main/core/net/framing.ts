/**
 * Length-prefixed frames over a libp2p v3 stream, bounded in size and in time. Every
 * protocol reads and writes through this one class so no read waits forever and no
 * peer can make us buffer more than one frame's limit.
 *
 * Frame: 4-byte big-endian length, then that many bytes.
 */
import type { Stream } from '@libp2p/interface';
import { Uint8ArrayList } from 'uint8arraylist';
import { NetError } from './errors';

const HEADER = 4;
/** Bytes a stream may hold unsent before `write` waits for the peer to take them. */
const SEND_HIGH_WATER = 1 << 20;

/** Reads and writes frames on one stream. */
export class FramedStream {
  private readonly buf = new Uint8ArrayList();
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private paused = false;

  /**
   * @param maxFrame largest frame accepted from the peer, in bytes
   * @param highWater buffered bytes above which the stream is paused (backpressure)
   */
  constructor(
    readonly stream: Stream,
    private readonly maxFrame: number,
    private readonly highWater = Math.max(4 * (maxFrame + HEADER), 1 << 20),
  ) {
    stream.addEventListener('message', (evt) => {
      this.buf.append(evt.data);
      if (this.buf.byteLength >= HEADER) {
        const len = this.buf.getUint32(0);
        if (len > this.maxFrame) {
          this.fail(new NetError('NET_TOO_LARGE', `The peer sent a ${len}-byte message; at most ${this.maxFrame} bytes are allowed.`));
          stream.abort(new Error('message too large'));
          return;
        }
      }
      if (this.buf.byteLength > this.highWater && !this.paused && stream.readStatus === 'readable') {
        this.paused = true;
        stream.pause();
      }
      this.notify();
    });
    stream.addEventListener('remoteCloseWrite', () => {
      this.ended = true;
      this.notify();
    });
    stream.addEventListener('close', (evt) => {
      this.ended = true;
      if (evt.error) this.fail(new NetError('NET_CLOSED', `The connection closed: ${evt.error.message}`, { cause: evt.error }));
      this.notify();
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private takeFrame(): Uint8Array | undefined {
    if (this.buf.byteLength < HEADER) return undefined;
    const len = this.buf.getUint32(0);
    if (this.buf.byteLength < HEADER + len) return undefined;
    const frame = this.buf.subarray(HEADER, HEADER + len);
    this.buf.consume(HEADER + len);
    if (this.paused && this.buf.byteLength < this.highWater / 2 && this.stream.readStatus === 'paused') {
      this.paused = false;
      this.stream.resume();
    }
    return frame;
  }

  /** The next frame, or null when the peer closed its side cleanly. Fails after `timeoutMs`. */
  async read(timeoutMs: number): Promise<Uint8Array | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.takeFrame();
      if (frame) return frame;
      if (this.failure) throw this.failure;
      // A reader is waiting and no whole frame is buffered: let data flow again (this also
      // hands over what the stream held back while paused, before its end is judged).
      if (this.paused) {
        this.paused = false;
        if (this.stream.readStatus === 'paused') this.stream.resume();
        continue;
      }
      if (this.ended || this.stream.status !== 'open') {
        if (this.buf.byteLength > 0) throw new NetError('NET_TRUNCATED', 'The peer closed the stream in the middle of a message.');
        return null;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const err = new NetError('NET_TIMEOUT', `No answer from the peer within ${timeoutMs} ms.`);
        this.stream.abort(err);
        throw err;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Like read, but a clean end is an error too. */
  async readRequired(timeoutMs: number): Promise<Uint8Array> {
    const f = await this.read(timeoutMs);
    if (f === null) throw new NetError('NET_CLOSED', 'The peer closed the stream before answering.');
    return f;
  }

  /** Writes one frame; waits (bounded) while the stream's send buffer is full. */
  async write(data: Uint8Array, timeoutMs: number): Promise<void> {
    const header = new Uint8Array(HEADER);
    new DataView(header.buffer).setUint32(0, data.byteLength);
    const list = new Uint8ArrayList(header, data);
    if (this.stream.writeStatus !== 'writable') throw new NetError('NET_CLOSED', 'The stream is closed for writing.');
    this.stream.send(list);
    await this.drain(timeoutMs);
  }

  /**
   * Waits until the stream holds at most SEND_HIGH_WATER unsent bytes, so a peer that
   * stops reading stalls us instead of growing our memory. Not `stream.onDrain`: in
   * @libp2p/utils 7.4 its promise is made once and never renewed, so after a stream's
   * first drain it resolves at once and a sender would queue without bound.
   */
  async drain(timeoutMs: number): Promise<void> {
    const stream = this.stream;
    const deadline = Date.now() + timeoutMs;
    while (stream.writeBufferLength > SEND_HIGH_WATER) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const err = new NetError('NET_TIMEOUT', `The peer did not take our data within ${timeoutMs} ms.`);
        stream.abort(err);
        throw err;
      }
      // The stream sends more on 'drain' (a window update, the connection draining) in a
      // microtask queued before this wait's continuation, so the loop sees the progress.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          for (const e of ['drain', 'idle', 'close'] as const) stream.removeEventListener(e, done);
          resolve();
        };
        const timer = setTimeout(done, left);
        for (const e of ['drain', 'idle', 'close'] as const) stream.addEventListener(e, done);
      });
    }
    if (stream.writeStatus === 'closed') throw new NetError('NET_CLOSED', 'The stream closed before the peer took our data.');
  }

  /** Closes our writing side (after the queued data is sent), bounded in time. */
  async close(timeoutMs: number): Promise<void> {
    try {
      await this.stream.close({ signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      this.stream.abort(err as Error);
    }
  }

  /** Tears the stream down at once. */
  abort(reason: string): void {
    this.stream.abort(new NetError('NET_ABORTED', reason));
  }
}
