/**
 * Id generators in one place, so every job and lease id has one shape (the UI, the logs and
 * the database rows can be read side by side) and none is made with weaker randomness.
 */
import { randomBytes } from 'node:crypto';

/** A new job id: `job-<base36 time>-<8 hex>`, sortable by creation time. */
export function newJobId(now = Date.now()): string {
  return `job-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Random bytes for lease ids, drawn 4 KiB at a time (one call to the system's generator per 512 leases). */
let pool = Buffer.alloc(0);
let used = 0;

/** A new lease id: `l-<16 hex>`; unguessable, since a lease id is what an operator presents with its result. */
export function newLeaseId(): string {
  if (used + 8 > pool.length) {
    pool = randomBytes(4096);
    used = 0;
  }
  used += 8;
  return `l-${pool.toString('hex', used - 8, used)}`;
}
