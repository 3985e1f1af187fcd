/**
 * Which notifications an operator gets (task verified, result rejected, payment redeemed,
 * wallet locked while work waits), as pure functions of the task history's changes. The
 * desktop shell shows them as system notifications, the UI as toasts.
 */
import type { HistoryEntry, OperatorNotice } from '../../../shared/api';
import { formatTokens } from '../../../shared/pricing';

/** Token amount for people: 4 decimals, more for a small non-zero amount (never a misleading "0"). */
export function tokensLabel(units: string): string {
  let text = formatTokens(units, 4);
  for (let d = 6; text === '0' && BigInt(units) > 0n && d <= 18; d += 2) text = formatTokens(units, d);
  return `${text} RFT`;
}

/** Something that happened to a task, as the history saw it. */
export type OperatorEvent =
  | { type: 'task-changed'; before: HistoryEntry | undefined; after: HistoryEntry }
  | { type: 'wallet-locked'; waitingJobs: number };

/** The notification an event deserves, or null (most changes are not worth a pop-up). */
export function noticeFor(e: OperatorEvent, now = Date.now()): OperatorNotice | null {
  if (e.type === 'wallet-locked') {
    return {
      kind: 'wallet-locked',
      title: 'Wallet locked — work is waiting',
      body: `${e.waitingJobs === 1 ? 'A job is' : `${e.waitingJobs} jobs are`} waiting for this machine, but the wallet is locked. Unlock it to accept tasks and get paid.`,
      at: now,
    };
  }
  const { before, after } = e;
  const what = `${after.jobName}, frame ${after.frame}${after.tile !== null ? ` tile ${after.tile}` : ''}`;
  if (after.verdict === 'verified' && before?.verdict !== 'verified') {
    const earned = after.price === '0' ? '' : `: ${tokensLabel(after.price)} earned`;
    return { kind: 'task-verified', title: 'Task verified', body: `${what} passed proof of render${earned}.`, at: now };
  }
  if (after.verdict === 'rejected' && before?.verdict !== 'rejected') {
    return { kind: 'result-rejected', title: 'Result rejected', body: `${what} was rejected${after.reason ? `: ${after.reason}` : ''}.`, at: now };
  }
  if (after.redemptionTx && !before?.redemptionTx) {
    return { kind: 'payment-redeemed', title: 'Payment redeemed', body: `${tokensLabel(after.price)} for ${what} arrived in your wallet (tx ${after.redemptionTx.slice(0, 10)}…).`, at: now };
  }
  return null;
}

/**
 * Several redemptions land at once when a voucher covering many tasks is redeemed;
 * one notification per transaction reads better than one per task.
 */
export function mergeNotices(notices: readonly OperatorNotice[]): OperatorNotice[] {
  const out: OperatorNotice[] = [];
  const redeemed = notices.filter((n) => n.kind === 'payment-redeemed');
  for (const n of notices) if (n.kind !== 'payment-redeemed') out.push(n);
  if (redeemed.length === 1) out.push(redeemed[0]!);
  else if (redeemed.length > 1) {
    out.push({ kind: 'payment-redeemed', title: 'Payment redeemed', body: `${redeemed.length} verified tasks were paid into your wallet.`, at: redeemed.at(-1)!.at });
  }
  return out;
}
