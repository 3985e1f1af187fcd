/**
 * desktop/ — what only the desktop shell shows, as pure functions so they run and are tested
 * in plain Node: the tray (this file) and start-at-login (autostart.ts). main/electron draws
 * what these return; the operator's notifications themselves are operator/notices.ts.
 */
import type { OperatorStatus } from '../../../shared/api';
import { tokensLabel } from '../operator/notices';

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
