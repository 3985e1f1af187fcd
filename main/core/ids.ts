/**
 * Id generators in one place, so every job and lease id has one shape (the UI, the logs and
 * the database rows can be read side by side) and none is made with weaker randomness.
 */
import { randomBytes } from 'node:crypto';

/** A new job id: `job-<base36 time>-<8 hex>`, sortable by creation time. */
export function newJobId(now = Date.now()): string {
  return `job-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** A new lease id: `l-<16 hex>`; unguessable, since a lease id is what an operator presents with its result. */
export function newLeaseId(): string {
  return `l-${randomBytes(8).toString('hex')}`;
}
