/**
 * Joins the network worker (worker.ts) to the operator service: the policy's hooks go in,
 * the worker's events come out as task history, and the service can hand the running
 * task back the moment the person returns.
 */
import { benchHours, parseTokens, REFERENCE_SCORE } from '../../../../shared/pricing';
import { isBlenderSpec } from '../../../../shared/job-spec';
import { availableParallelism } from 'node:os';
import type { OperatorService } from '../operator-service';
import type { WorkerEvent } from './worker';

/** What NetService.start takes from the operator side. */
export interface OperatorNetHooks {
  shouldWork: () => boolean;
  threads: () => number | undefined;
  onWorkerEvent: (e: WorkerEvent) => void;
}

/**
 * The price of a rendered task: its measured work in bench-hours (render time on this
 * machine's benchmark score) times the lease's rate per bench-hour. Smallest token unit.
 */
export function taskPrice(renderMs: number, score: number | null, perBenchHour: string): bigint {
  const bh = benchHours(renderMs / 1000, score ?? REFERENCE_SCORE);
  let rate: bigint;
  try {
    rate = parseTokens(perBenchHour);
  } catch {
    return 0n;
  }
  // bench-hours as a fraction with 1e12 resolution keeps the bigint math exact enough for display and totals.
  return (rate * BigInt(Math.round(bh * 1e12))) / 10n ** 12n;
}

/** The hooks to hand to NetService.start; the worker's events land in the history. */
export function operatorNetHooks(op: OperatorService, settings = { cores: availableParallelism() }, log: (line: string) => void = () => {}): OperatorNetHooks {
  // A Blender task's time is priced by the Cycles score, the rest by the native engine's.
  const score = (spec?: { engine?: string | undefined }) => (spec && isBlenderSpec(spec) ? op.cyclesScore() : op.latestScore());
  return {
    shouldWork: () => op.shouldWork(),
    threads: () => op.threads(settings.cores),
    onWorkerEvent: (e) => {
      // The history must never break the worker: a failed write is logged, the task goes on.
      try {
        recordWorkerEvent(op, e, score);
      } catch (err) {
        log(`rayfarm operator: task history: ${(err as Error).message}`);
      }
    },
  };
}

/**
 * A redemption mined on chain (the redeemer's `onRedeemed`): marks every verified task
 * whose voucher belongs to that escrow job and is covered by the redeemed cumulative amount.
 */
export function recordRedeemed(op: OperatorService, r: { chainJobId: string; cumulative: string; state: string; txHash: string | null }): number {
  if (r.state !== 'mined' || !r.txHash) return 0;
  return op.history.recordRedemption({ chainJobId: r.chainJobId, upTo: r.cumulative, txHash: r.txHash });
}

/** Writes one worker event into the operator's history. */
export function recordWorkerEvent(op: OperatorService, e: WorkerEvent, score: (spec?: { engine?: string | undefined }) => number | null = () => null): void {
  const id = e.lease.leaseId;
  const h = op.history;
  switch (e.type) {
    case 'started':
      h.recordStarted({
        taskId: id,
        jobId: e.lease.jobId,
        jobName: `Job ${e.lease.jobId.replace(/^job-/, '').slice(0, 8)} · ${e.lease.spec.width}×${e.lease.spec.height} · ${e.lease.spec.spp} spp`,
        frame: e.lease.task.frame,
        tile: e.lease.spec.tiles.x * e.lease.spec.tiles.y > 1 ? e.lease.task.index : null,
        creator: e.creator,
        // With payments on, the creator fixes the price in the lease; otherwise it is measured when rendered.
        price: e.lease.price.amount ?? 0n,
        startedAt: e.at,
      });
      return;
    case 'rendered':
      if (h.get(id)) {
        const price = e.lease.price.amount ?? taskPrice(e.renderMs, score(e.lease.spec), e.lease.price.perBenchHour);
        h.recordFinished(id, { outcome: 'submitted', durationMs: e.renderMs, price });
      }
      return;
    case 'verdict':
      if (!h.get(id)) return;
      // A duplicate is our own result delivered again (after a restart): the creator answers as before.
      if (e.verdict.verdict === 'accepted' || (e.verdict.verdict === 'duplicate' && e.verdict.voucher)) {
        const v = e.verdict.voucher;
        h.recordVerdict(id, v ? { verdict: 'verified', voucher: JSON.stringify(v), voucherAmount: v.cumulativeAmount } : { verdict: 'verified' });
      } else if (e.verdict.verdict === 'rejected') h.recordVerdict(id, { verdict: 'rejected', reason: e.verdict.reason ?? 'the creator did not accept the result' });
      else if (e.verdict.verdict === 'unknown') h.recordVerdict(id, { verdict: 'rejected', reason: e.verdict.reason ?? 'the creator no longer had this task (its lease had ended)' });
      return;
    case 'failed':
      if (h.get(id)) h.recordFinished(id, { outcome: 'failed', reason: e.reason });
      return;
    case 'released':
      // Only a task that had started rendering is worth a row; a queued lease just goes back.
      if (h.get(id)?.verdict === 'rendering') h.recordFinished(id, { outcome: 'handed-back', reason: e.reason });
      return;
    case 'leased':
      return;
  }
}

/** What the wallet-lock watcher reads. */
export interface WalletLockWatch {
  /** Whether a wallet exists and is locked (no wallet at all is a different problem). */
  walletLocked: () => boolean;
  /** Jobs of other creators with tasks left that this node could take. */
  waitingJobs: () => number;
  /** How often to look (ms). */
  intervalMs?: number;
}

/**
 * Raises "wallet locked while work waits" once per locked spell: payments need the wallet
 * unlocked, so paid work waiting while it is locked deserves a notification, not silence.
 * Returns the function that stops watching.
 */
export function watchWalletLock(op: OperatorService, w: WalletLockWatch): () => void {
  let told = false;
  const look = () => {
    if (!w.walletLocked()) {
      told = false;
      return;
    }
    const n = w.waitingJobs();
    if (n > 0 && !told && op.policy().enabled) {
      told = true;
      op.reportWalletLocked(n);
    }
  };
  const timer = setInterval(look, w.intervalMs ?? 5000);
  timer.unref?.();
  look();
  return () => clearInterval(timer);
}
