import type { ProtocolLimits } from '../rpc';

/** Content by sha256, in ranges: resumable, hash-checked, from any peer that has it. */
export const BLOB_PROTOCOL = '/rayfarm/blob/1.0.0';

/** Largest range one request may ask for. */
export const MAX_RANGE_BYTES = 8 * 1024 * 1024;
/** Ranges requested ahead of the one being written. */
export const RANGES_AHEAD = 1;
/** Size of each binary frame of a range. */
export const CHUNK_BYTES = 1024 * 1024;

export const BLOB_LIMITS: ProtocolLimits = {
  maxMessageBytes: 1024,
  maxBinaryFrameBytes: CHUNK_BYTES,
  timeoutMs: 15_000,
  rate: { perSecond: 100, burst: 200 },
  maxInboundStreams: 32,
};
