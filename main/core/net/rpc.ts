/**
 * The request/response shape every Rayfarm protocol shares: the caller opens a stream,
 * writes one JSON request frame (optionally followed by binary frames), and reads one JSON
 * response frame carrying a `status`. Both sides bound every read and write in size and
 * time; a handler's failure becomes a status, never an exception across the wire.
 */
import type { Connection, Stream } from '@libp2p/interface';
import type { z } from 'zod';
import { decodeJson, encodeJson } from './codec';
import { NetError } from './errors';
import { FramedStream } from './framing';
import type { Offence, PeerGuard, RateLimit } from './peer-guard';

/** Limits of one protocol. */
export interface ProtocolLimits {
  /** Largest JSON request or response frame. */
  maxMessageBytes: number;
  /** Largest binary frame (0 when the protocol has none). */
  maxBinaryFrameBytes?: number;
  /** Time allowed for each read or write. */
  timeoutMs: number;
  /** How often one peer may open this protocol. */
  rate: RateLimit;
  maxInboundStreams: number;
}

/** What a handler gets besides the request. */
export interface RequestContext {
  peer: string;
  stream: FramedStream;
  connection: Connection;
}

/** Turns a thrown error into the offence it shows, if it is the peer's fault. */
export function offenceOf(err: unknown): Offence | undefined {
  const code = (err as { code?: string }).code;
  if (code === 'NET_BAD_MESSAGE' || code === 'NET_TRUNCATED') return 'malformed';
  if (code === 'NET_TOO_LARGE') return 'oversized';
  if (code === 'NET_BAD_SIGNATURE' || code === 'NET_BAD_BINDING') return 'bad-signature';
  if (code === 'NET_TIMEOUT') return 'timeout';
  return undefined;
}

/**
 * Wraps a typed handler as a libp2p stream handler: refuses blocked or flooding peers,
 * reads and validates the request, writes the response, and charges malformed input to
 * the peer. Never throws.
 */
export function serveJson<S extends z.ZodType>(opts: {
  protocol: string;
  schema: S;
  /** A cheaper check of the most frequent requests, accepting only what `schema` accepts (see decodeJson). */
  quick?: (raw: unknown) => z.output<S> | undefined;
  limits: ProtocolLimits;
  guard: PeerGuard;
  log: (line: string) => void;
  handle: (req: z.output<S>, ctx: RequestContext) => Promise<unknown>;
}): (stream: Stream, connection: Connection) => Promise<void> {
  const { limits, guard } = opts;
  return async (stream, connection) => {
    const peer = connection.remotePeer.toString();
    const framed = new FramedStream(stream, Math.max(limits.maxMessageBytes, limits.maxBinaryFrameBytes ?? 0));
    if (guard.isBlocked(peer) || !guard.allow(peer, opts.protocol, limits.rate)) {
      // Over the limit: answer cheaply so an honest but eager peer knows to back off.
      try {
        await framed.write(encodeJson({ status: 'busy', retryAfterMs: 1000 }), 1000);
        await framed.close(1000);
      } catch {
        framed.abort('rate limited');
      }
      return;
    }
    try {
      const bytes = await framed.readRequired(limits.timeoutMs);
      const req = decodeJson(bytes, opts.schema, limits.maxMessageBytes, opts.quick);
      const res = await opts.handle(req, { peer, stream: framed, connection });
      await framed.write(encodeJson(res), limits.timeoutMs);
      await framed.close(limits.timeoutMs);
    } catch (err) {
      const offence = offenceOf(err);
      if (offence) guard.penalize(peer, offence, `${opts.protocol}: ${(err as Error).message}`);
      else opts.log(`net: ${opts.protocol} from ${peer.slice(-8)} failed: ${(err as Error).message}`);
      try {
        if (stream.writeStatus === 'writable') {
          await framed.write(encodeJson({ status: 'error', code: (err as { code?: string }).code ?? 'INTERNAL', message: (err as Error).message.slice(0, 300) }), 1000);
          await framed.close(1000);
        } else framed.abort('request failed');
      } catch {
        framed.abort('request failed');
      }
    }
  };
}

/** Reads one JSON response frame from a stream we opened. */
export async function readResponse<S extends z.ZodType>(framed: FramedStream, schema: S, limits: ProtocolLimits): Promise<z.output<S>> {
  const bytes = await framed.readRequired(limits.timeoutMs);
  return decodeJson(bytes, schema, limits.maxMessageBytes);
}

/** A response with status `error`, turned into a thrown NetError. */
export function remoteError(res: { status: string; code?: string; message?: string }): NetError {
  return new NetError(res.code ?? 'NET_REMOTE_ERROR', `The peer answered: ${res.message ?? res.status}`);
}
