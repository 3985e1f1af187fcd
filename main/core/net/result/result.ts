import type { NetNode } from '../net-node';
import type { HelloProtocol } from '../hello';
import { encodeJson } from '../codec';
import { NetError } from '../errors';
import { recoverSigner } from '../identity';
import { readResponse, remoteError, serveJson } from '../rpc';
import type { RequestContext } from '../rpc';
import { MAX_CONCURRENT_RESULTS, MAX_RESULT_BYTES_IN_FLIGHT, RESULT_CHUNK_BYTES, RESULT_LIMITS, RESULT_PROTOCOL } from './constants';
import type { DeliveringOperator, ResultHeader, ResultSink, Verdict } from './messages';
import { ResultHeaderSchema, ResultResponseSchema, resultClaim } from './messages';
import { sha256Hex } from '../../store';

/** Longest a stop waits for answers being written. */
const STOP_DRAIN_MS = 10_000;

/**
 * Receives results for a creator's leases and delivers an operator's results. The
 * header is checked (schema, lease, size, signature) before a single pixel is read, and
 * the pixels are read into a buffer of exactly the announced size and hash-checked.
 */
export class ResultProtocol {
  sink: ResultSink | undefined;
  /**
   * Recovers the address that signed a result's claim. The creator's node sets a worker
   * thread's (creator/proof/signature-pool.ts): a recovery is milliseconds of curve
   * arithmetic, too long for the event loop that answers leases.
   */
  recover: (message: string, signature: string) => Promise<string> = (m, s) => Promise.resolve(recoverSigner(m, s));
  private receiving = 0;
  /** Requests being handled, their answers included, and who waits for none. */
  private answering = 0;
  private readonly idle: (() => void)[] = [];
  private receivingBytes = 0;

  constructor(
    private readonly node: NetNode,
    private readonly hello: HelloProtocol,
    private readonly log: (line: string) => void,
  ) {}

  async start(): Promise<void> {
    const serve = serveJson({
        protocol: RESULT_PROTOCOL,
        schema: ResultHeaderSchema,
        limits: RESULT_LIMITS,
        guard: this.node.guard,
        log: this.log,
        handle: async (header, ctx) => {
          const address = this.node.peers.get(ctx.peer)?.address;
          if (!address) return { status: 'unbound' };
          const sink = this.sink;
          if (!sink) return { status: 'ok', verdict: 'unknown', reason: 'this node has no jobs' };
          const op = { peerId: ctx.peer, address };
          if ((await this.recover(resultClaim(header.leaseId, header.sha256), header.signature)) !== address) {
            throw new NetError('NET_BAD_SIGNATURE', 'The result is not signed by the operator that delivers it.');
          }
          const expected = sink.expect(op, header);
          if ('verdict' in expected) return { status: 'ok', ...expected };
          // Bound the memory held by results being received at once.
          if (!admitResult(this.receiving, this.receivingBytes, expected.bytes)) return { status: 'busy', retryAfterMs: 500 };
          this.receiving++;
          this.receivingBytes += expected.bytes;
          try {
            return await this.receive(ctx, op, header, expected.bytes, sink);
          } finally {
            this.receiving--;
            this.receivingBytes -= expected.bytes;
          }
        },
      });
    // Answers being written are counted, so a stop waits for them (see stop()).
    await this.node.handle(
      RESULT_PROTOCOL,
      async (stream, connection) => {
        this.answering++;
        try {
          await serve(stream, connection);
        } finally {
          this.answering--;
          if (this.answering === 0) for (const r of this.idle.splice(0)) r();
        }
      },
      RESULT_LIMITS,
    );
  }

  /** Reads exactly `bytes` of pixels, checks their hash and asks the sink for a verdict. */
  private async receive(ctx: RequestContext, op: DeliveringOperator, header: ResultHeader, bytes: number, sink: ResultSink): Promise<unknown> {
    if (header.bytes !== bytes) throw new NetError('NET_BAD_MESSAGE', `A result of this task has ${bytes} bytes, not ${header.bytes}.`);
    const pixels = new Uint8Array(header.bytes);
    let got = 0;
    while (got < header.bytes) {
      const chunk = await ctx.stream.readRequired(RESULT_LIMITS.timeoutMs);
      if (got + chunk.byteLength > header.bytes) throw new NetError('NET_TOO_LARGE', 'The operator sent more pixels than announced.');
      pixels.set(chunk, got);
      got += chunk.byteLength;
    }
    const digest = sha256Hex(pixels);
    if (digest !== header.sha256) throw new NetError('NET_BAD_MESSAGE', 'The pixels do not match their hash.');
    const verdict = await sink.deliver(op, header, pixels);
    return { status: 'ok', ...verdict };
  }

  /**
   * Stops taking results, once the answers being written have gone out (bounded): the job that
   * a last acceptance finished may end the process (`rayfarm submit`), and the operator must
   * still hear its verdict and voucher.
   */
  async stop(): Promise<void> {
    if (this.answering > 0) {
      await Promise.race([new Promise<void>((r) => this.idle.push(r)), new Promise<void>((r) => setTimeout(r, STOP_DRAIN_MS).unref())]);
    }
    await this.node.unhandle(RESULT_PROTOCOL);
  }

  /** Delivers a result to the creator and returns its verdict. */
  async deliver(creator: string, header: Omit<ResultHeader, 'signature' | 'sha256' | 'bytes' | 'format'>, pixels: Uint8Array): Promise<Verdict> {
    const sha256 = sha256Hex(pixels);
    const signature = await this.node.signer.signMessage(resultClaim(header.leaseId, sha256));
    const full: ResultHeader = { ...header, format: 'rgba32f', bytes: pixels.byteLength, sha256, signature };
    await this.hello.ensureBound(creator);
    for (let attempt = 0; attempt < 2; attempt++) {
      const framed = await this.node.open(creator, RESULT_PROTOCOL, RESULT_LIMITS);
      try {
        // Listen while sending: a creator that refuses on the header answers at once.
        let answered = false;
        const response = readResponse(framed, ResultResponseSchema, RESULT_LIMITS).finally(() => {
          answered = true;
        });
        response.catch(() => undefined);
        await framed.write(encodeJson(full), RESULT_LIMITS.timeoutMs);
        for (let off = 0; off < pixels.byteLength && !answered; off += RESULT_CHUNK_BYTES) {
          await framed.write(pixels.subarray(off, Math.min(pixels.byteLength, off + RESULT_CHUNK_BYTES)), RESULT_LIMITS.timeoutMs);
        }
        if (!answered) await framed.close(RESULT_LIMITS.timeoutMs);
        const res = await response;
        if (res.status === 'unbound') {
          this.node.record(creator).address = undefined;
          await this.hello.ensureBound(creator);
          continue;
        }
        if (res.status === 'busy') throw new NetError('NET_BUSY', 'The creator is busy; try again.');
        if (res.status === 'error') throw remoteError(res);
        return { verdict: res.verdict, ...(res.reason === undefined ? {} : { reason: res.reason }), ...(res.voucher ? { voucher: res.voucher } : {}), ...(res.held ? { held: true } : {}) };
      } catch (err) {
        framed.abort('delivery failed');
        throw err;
      }
    }
    throw new NetError('NET_UNBOUND', 'The creator did not accept our binding.');
  }
}

/** Whether one more result of `bytes` may be received beside `count` results holding `held` bytes. */
export function admitResult(count: number, held: number, bytes: number): boolean {
  if (count >= MAX_CONCURRENT_RESULTS) return false;
  return count === 0 || held + bytes <= MAX_RESULT_BYTES_IN_FLIGHT;
}
