/**
 * What the tray shows and which notifications to raise, as pure functions of the
 * operator's status and events. main/electron/tray.ts only draws what this returns.
 */
import type { HistoryEntry, OperatorNotice, OperatorStatus } from '../../../shared/api';
import { formatTokens } from '../../../shared/pricing';

/** Tray icon names; files are resources/icons/tray-<name>.png (and @2x). */
export type TrayIcon = 'idle' | 'rendering' | 'paused' | 'error';

/** What a menu item does when clicked. */
export type TrayAction = 'toggle-render' | 'pause-1h' | 'pause-tomorrow' | 'resume' | 'toggle-login' | 'open' | 'quit' | 'none';

/** One menu row. */
export interface TrayMenuItem {
  id: string;
  label: string;
  action: TrayAction;
  enabled: boolean;
  /** A check box when not undefined. */
  checked?: boolean;
  /** A separator line (label and action ignored). */
  separator?: boolean;
}

/** Everything the tray displays. */
export interface TrayView {
  icon: TrayIcon;
  tooltip: string;
  menu: TrayMenuItem[];
}

function clockOf(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Token amount for people: 4 decimals, more for a small non-zero amount (never a misleading "0"). */
export function tokensLabel(units: string): string {
  let text = formatTokens(units, 4);
  for (let d = 6; text === '0' && BigInt(units) > 0n && d <= 18; d += 2) text = formatTokens(units, d);
  return `${text} RFT`;
}

/** Desktop-only facts the tray shows besides the operator status. */
export interface TrayExtras {
  /** Whether the app starts at login; undefined where the OS offers no such setting. */
  startAtLogin?: boolean;
}

/** The tray for a status. */
export function trayView(s: OperatorStatus, extras: TrayExtras = {}): TrayView {
  const icon: TrayIcon = s.state;
  const earned = `Today: ${tokensLabel(s.todayEarned)}`;
  let line: string;
  if (s.state === 'error') line = s.error ?? 'Something went wrong.';
  else if (s.state === 'rendering' && s.currentTask) line = `Rendering ${s.currentTask.jobName}, frame ${s.currentTask.frame}`;
  else line = s.headline;
  const paused = s.decision.reason === 'paused';
  const renderLabel = s.policy.idleOnly ? 'Render when idle' : 'Render for the network';
  const menu: TrayMenuItem[] = [
    { id: 'status', label: line.length > 60 ? `${line.slice(0, 59)}…` : line, action: 'none', enabled: false },
    { id: 'sep1', label: '', action: 'none', enabled: false, separator: true },
    { id: 'render', label: renderLabel, action: 'toggle-render', enabled: true, checked: s.policy.enabled },
    paused
      ? { id: 'resume', label: `Resume now (paused until ${clockOf(s.policy.pausedUntil ?? Date.now())})`, action: 'resume', enabled: true }
      : { id: 'pause-1h', label: 'Pause for 1 hour', action: 'pause-1h', enabled: s.policy.enabled },
    { id: 'pause-tomorrow', label: 'Pause until tomorrow', action: 'pause-tomorrow', enabled: s.policy.enabled && !paused },
    { id: 'sep2', label: '', action: 'none', enabled: false, separator: true },
    { id: 'earnings', label: earned, action: 'open', enabled: true },
    { id: 'open', label: 'Open Rayfarm', action: 'open', enabled: true },
    ...(extras.startAtLogin === undefined ? [] : [{ id: 'login', label: 'Start at login', action: 'toggle-login' as const, enabled: true, checked: extras.startAtLogin }]),
    { id: 'sep3', label: '', action: 'none', enabled: false, separator: true },
    { id: 'quit', label: 'Quit Rayfarm', action: 'quit', enabled: true },
  ];
  return { icon, tooltip: `Rayfarm — ${line}\n${earned}`, menu };
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
