/**
 * What a lease is, as the dispatcher keeps it (an ActiveLease, stored in SQLite) and as the
 * operator receives it (the work protocol's Lease: the task, its spec, scene, engine and pay).
 */
import type { Lease, OperatorRef } from '../../net/work/messages';
import { jobEngine } from '../../net/work/constants';
import { newLeaseId } from '../../ids';
import type { JobState } from './dispatch-job';
import type { ActiveLease } from './dispatch-types';

/** A new lease of task `idx` of `job` to `op`, running from `now` for the job's lease time. */
export function newActiveLease(job: JobState, idx: number, op: OperatorRef, now: number, price: string): ActiveLease {
  return {
    id: newLeaseId(),
    jobId: job.row.id,
    idx,
    operator: op.peerId,
    address: op.address,
    state: 'active',
    leasedAt: now,
    deadline: now + job.row.leaseMs,
    price,
    ttlMs: job.row.leaseMs,
  };
}

/**
 * The lease as sent to its operator; `amount` is the task's price, `pay` where its pay is held
 * on chain. Optional fields are added after the literal, not spread into it (a burst of 2,000
 * leases made two throwaway objects each): the keys, their order and so the bytes on the
 * wire are those of the spread form (lease-message.test.ts).
 */
export function leaseMessage(job: JobState, l: ActiveLease, amount: string | undefined, pay: Lease['pay']): Lease {
  const price: Lease['price'] = { tier: job.row.spec.tier, perBenchHour: l.price };
  if (amount) price.amount = amount;
  const lease: Lease = {
    leaseId: l.id,
    jobId: job.row.id,
    ttlMs: l.ttlMs,
    task: job.tasks[l.idx]!,
    spec: job.row.spec,
    scene: { hash: job.row.sceneHash, bytes: job.row.sceneBytes },
    engine: jobEngine(job.row.spec),
    price,
  };
  if (pay) lease.pay = pay;
  return lease;
}
