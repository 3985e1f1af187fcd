import type { ProtocolLimits } from '../rpc';

/** Content by sha256, in ranges: resumable, hash-checked, from any peer that has it. */
export const BLOB_PROTOCOL = '/rayfarm/blob/1.0.0';

/** Largest range one request may ask for. */
export const MAX_RANGE_BYTES = 8 * 1024 * 1024;
/** Ranges requested ahead of the one being written. */
export const RANGES_AHEAD = 1;
/**
 * Size of each binary frame of a range we send. 512 KiB rather than 1 MiB: the fetcher
 * hashes and writes each frame as it completes, so smaller frames overlap that work with
 * the transfer better (bench:net blobMBps median ~+5 %, and fewer slow runs).
 */
export const CHUNK_BYTES = 512 * 1024;
/** Largest binary frame accepted (peers of earlier versions send 1 MiB frames). */
export const MAX_CHUNK_BYTES = 1024 * 1024;

export const BLOB_LIMITS: ProtocolLimits = {
  maxMessageBytes: 1024,
  maxBinaryFrameBytes: MAX_CHUNK_BYTES,
  timeoutMs: 15_000,
  rate: { perSecond: 100, burst: 200 },
  maxInboundStreams: 32,
};
