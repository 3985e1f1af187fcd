import type { ProtocolLimits } from '../rpc';

/** An operator delivers a task's pixels and metadata; the answer carries the verdict. */
export const RESULT_PROTOCOL = '/rayfarm/result/1.0.0';

/** Largest result accepted (a 4096 × 4096 RGBA float tile); larger frames must be tiled. */
export const MAX_RESULT_BYTES = 4096 * 4096 * 16;
/**
 * Results received at once, and the pixel bytes they may hold together: a creator fed by
 * hundreds of operators takes many small tiles at once (a fixed count of 8 let the results
 * waiting for a verdict starve the rest), while a few huge frames still cannot take more than
 * the budget (one result of any size is always let in).
 */
export const MAX_CONCURRENT_RESULTS = 64;
export const MAX_RESULT_BYTES_IN_FLIGHT = 256 * 1024 * 1024;
/** Size of each binary frame of pixels. */
export const RESULT_CHUNK_BYTES = 1024 * 1024;

export const RESULT_LIMITS: ProtocolLimits = {
  maxMessageBytes: 8 * 1024,
  maxBinaryFrameBytes: RESULT_CHUNK_BYTES,
  timeoutMs: 30_000,
  rate: { perSecond: 20, burst: 40 },
  maxInboundStreams: 32,
};
