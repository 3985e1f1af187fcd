/** The blob protocol: content by sha256 in resumable, hash-checked ranges. */
export { BlobProtocol } from './blob';
export type { FetchOptions } from './blob';
export { BLOB_PROTOCOL, BLOB_LIMITS, MAX_RANGE_BYTES, CHUNK_BYTES, MAX_CHUNK_BYTES } from './constants';
