/** The lease as sent: its bytes on the wire are those of the form with spread optional fields, hostile field values included. */
import { describe, expect, it } from 'vitest';
import { splitJob } from '../../../../../shared/job-spec';
import { JobState } from '../../../../../main/core/creator/dispatch/dispatch-job';
import { newJobRow } from '../../../../../main/core/creator/dispatch/dispatcher-store';
import { leaseMessage, newActiveLease } from '../../../../../main/core/creator/dispatch/lease-message';
import type { ActiveLease } from '../../../../../main/core/creator/dispatch/dispatch-types';
import { encodeJson } from '../../../../../main/core/net/codec';
import { jobEngine } from '../../../../../main/core/net/work/constants';
import type { Lease } from '../../../../../main/core/net/work/messages';
import { WorkResponseSchema } from '../../../../../main/core/net/work/messages';
import { spec } from './dispatch-helpers';

/** The message as it was built before (optional fields spread into the literals): the reference for the bytes. */
function spreadForm(job: JobState, l: ActiveLease, amount: string | undefined, pay: Lease['pay']): Lease {
  return {
    leaseId: l.id,
    jobId: job.row.id,
    ttlMs: l.ttlMs,
    task: job.tasks[l.idx]!,
    spec: job.row.spec,
    scene: { hash: job.row.sceneHash, bytes: job.row.sceneBytes },
    engine: jobEngine(job.row.spec),
    price: { tier: job.row.spec.tier, perBenchHour: l.price, ...(amount ? { amount } : {}) },
    ...(pay ? { pay } : {}),
  };
}

describe('leaseMessage', () => {
  const s = spec({ tiles: { x: 2, y: 2 } });
  const row = newJobRow('job-1', { spec: s, scene: { hash: 'a'.repeat(64), bytes: 10 } }, 10_000, 1);
  const job = JobState.fresh(row, splitJob(s));
  const op = { peerId: 'peer-"\\\u2028\ud800', address: '0x' + 'ab'.repeat(20) };
  // Hostile strings where the creator's own configuration puts them: quotes, backslashes, separators, a lone surrogate, non-ASCII.
  const prices = ['1', '"},"pay":{"x":1}', 'ä\u0000\ud83d', ''];
  const amounts = [undefined, '', '0', '1000000000000000', '"\\'];
  const pays: Lease['pay'][] = [undefined, { chainJobId: '0x' + '22'.repeat(32), allocated: '0' }, { chainJobId: '"', allocated: '\ud800' }];

  it('encodes to the same bytes as the spread form, with and without amount and pay', () => {
    let n = 0;
    for (const price of prices)
      for (const amount of amounts)
        for (const pay of pays) {
          const l = newActiveLease(job, n++ % 4, op, 5, price);
          const made = leaseMessage(job, l, amount, pay);
          expect(Buffer.from(encodeJson(made)).equals(Buffer.from(encodeJson(spreadForm(job, l, amount, pay))))).toBe(true);
          expect(Object.keys(made)).toEqual(Object.keys(spreadForm(job, l, amount, pay)));
        }
  });

  it('is a valid lease of the work protocol when its fields are', () => {
    const l = newActiveLease(job, 3, op, 5, '1');
    const lease = leaseMessage(job, l, '1000', { chainJobId: '0x' + '22'.repeat(32), allocated: '0' });
    expect(WorkResponseSchema.safeParse({ status: 'ok', lease }).success).toBe(true);
    expect(WorkResponseSchema.safeParse({ status: 'ok', lease: leaseMessage(job, l, undefined, undefined) }).success).toBe(true);
  });
});
