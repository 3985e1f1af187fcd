/** The dispatcher tests' shared pieces: a store per test, operators, specs, leases and results. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { JobSpecSchema } from '../../../../../shared/job-spec';
import { Dispatcher } from '../../../../../main/core/creator/dispatch/dispatcher';
import type { ResultHeader } from '../../../../../main/core/net/result/messages';
import type { Lease } from '../../../../../main/core/net/work/messages';
import { ENGINE_ID } from '../../../../../main/core/net/work/constants';
import { openStore, sha256Hex } from '../../../../../main/core/store';
import type { Store } from '../../../../../main/core/store';

export const offer = { engines: [ENGINE_ID], maxSceneBytes: 1 << 30 };
export const op = (n: number) => ({ peerId: `peer-${n}`, address: `0x${String(n).padStart(40, '0')}` });
export const spec = (o: Record<string, unknown> = {}) => JobSpecSchema.parse({ sceneId: 'a'.repeat(64), width: 16, height: 16, spp: 1, ...o });

/** Stores opened by setup(), closed after each test. */
export const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

export function setup(dir = mkdtempSync(join(tmpdir(), 'rf-dispatch-')), clock = { t: 1_000_000 }) {
  const store = openStore(dir);
  stores.push(store);
  const d = new Dispatcher({ db: store.db, blobs: store.blobs, now: () => clock.t, leaseMs: 10_000, disconnectGraceMs: 1000 });
  return { d, store, dir, clock };
}

export function pixelsFor(lease: Lease, value = 0.5): Uint8Array {
  const f = new Float32Array(lease.task.rect.width * lease.task.rect.height * 4).fill(value);
  return new Uint8Array(f.buffer);
}

export function header(lease: Lease, pixels: Uint8Array): ResultHeader {
  return {
    leaseId: lease.leaseId,
    jobId: lease.jobId,
    taskIndex: lease.task.index,
    width: lease.task.rect.width,
    height: lease.task.rect.height,
    format: 'rgba32f',
    bytes: pixels.byteLength,
    sha256: sha256Hex(pixels),
    renderMs: 1,
    signature: `0x${'0'.repeat(130)}`,
  };
}

export function take(d: Dispatcher, n: number, jobId?: string): Lease {
  const a = d.request(op(n), jobId, offer);
  if (a.status !== 'ok') throw new Error(`expected a lease, got ${JSON.stringify(a)}`);
  return a.lease;
}
