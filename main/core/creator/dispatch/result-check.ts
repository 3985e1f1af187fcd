/**
 * The checks a result passes before its pixels are read: its job and task exist and are open,
 * and it comes on its operator's current lease of that task. Refusals are final ('rejected',
 * without a re-render): an operator keeps a result only while the answer is 'unknown' (the
 * creator cannot judge it yet).
 */
import type { DeliveringOperator, ResultHeader, Verdict } from '../../net/result/messages';
import type { JobState } from './dispatch-job';
import { TASK_DONE, TASK_FAILED } from './dispatch-job';
import type { ActiveLease } from './dispatch-types';

/** The byte count to read for a result, or the verdict that ends it unread. */
export function checkResultHeader(
  job: JobState | undefined,
  lease: ActiveLease | undefined,
  op: DeliveringOperator,
  header: ResultHeader,
  o: { checking: boolean; duplicate: () => Verdict | undefined },
): { bytes: number } | Verdict {
  if (!job) return { verdict: 'rejected', reason: 'no such job' };
  const task = job.tasks[header.taskIndex];
  if (!task) return { verdict: 'rejected', reason: 'no such task' };
  const current = !!lease && lease.operator === op.peerId && lease.jobId === header.jobId && lease.idx === header.taskIndex;
  // Done by another operator: a result on a backup lease still current is read (and paid if it passes).
  if (job.state[header.taskIndex] === TASK_DONE && !current) return o.duplicate() ?? { verdict: 'duplicate', reason: 'the task is already done' };
  // (A job done meanwhile still reads a backup lease's result: the creator chose to duplicate.)
  if (job.state[header.taskIndex] === TASK_FAILED || (job.row.state !== 'active' && !(current && job.row.state === 'done'))) return { verdict: 'rejected', reason: 'the task is closed' };
  // One shot per task: only a result on this operator's current lease of the task is read.
  // An expired, handed-back or already-judged lease gets nothing, so a rejected result
  // cannot be sent again with a bit flipped, nor an old lease reused.
  if (!current) {
    return { verdict: 'rejected', reason: 'this is not a current lease of yours for this task (it expired, was handed back or was already answered)' };
  }
  if (o.checking) return { verdict: 'unknown', reason: 'a result for this lease is being checked' };
  if (header.width !== task.rect.width || header.height !== task.rect.height) return { verdict: 'rejected', reason: 'the result has the wrong size' };
  return { bytes: task.rect.width * task.rect.height * 16 };
}
