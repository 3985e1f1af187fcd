import type { ProtocolLimits } from '../rpc';

/** An operator delivers a task's pixels and metadata; the answer carries the verdict. */
export const RESULT_PROTOCOL = '/rayfarm/result/1.0.0';

/** Largest result accepted (a 4096 × 4096 RGBA float tile); larger frames must be tiled. */
export const MAX_RESULT_BYTES = 4096 * 4096 * 16;
/** Results received at once (bounds the memory their pixels take). */
export const MAX_CONCURRENT_RESULTS = 8;
/** Size of each binary frame of pixels. */
export const RESULT_CHUNK_BYTES = 1024 * 1024;

export const RESULT_LIMITS: ProtocolLimits = {
  maxMessageBytes: 8 * 1024,
  maxBinaryFrameBytes: RESULT_CHUNK_BYTES,
  timeoutMs: 30_000,
  rate: { perSecond: 20, burst: 40 },
  maxInboundStreams: 32,
};
