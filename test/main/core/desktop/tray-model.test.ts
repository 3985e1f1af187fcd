import { describe, expect, it } from 'vitest';
import type { HistoryEntry, OperatorStatus } from '../../../../shared/api';
import { DEFAULT_POLICY } from '../../../../main/core/operator/policy/policy';
import { trayView } from '../../../../main/core/desktop/tray-model';
import { mergeNotices, noticeFor, tokensLabel } from '../../../../main/core/operator/notices';

const TOKEN = 10n ** 18n;

function status(over: Partial<OperatorStatus> = {}): OperatorStatus {
  return {
    state: 'idle',
    headline: 'Ready: waiting for a task from the network.',
    decision: { allowed: true, reason: 'ok', message: 'Rendering allowed: you are away.', until: null },
    policy: { ...DEFAULT_POLICY },
    forced: [],
    idle: { kind: 'manual', available: true, detail: '', idleSeconds: 600, onBattery: false },
    currentTask: null,
    workerAttached: true,
    error: null,
    todayEarned: (3n * TOKEN + TOKEN / 4n).toString(),
    latestScore: 70,
    paymentStops: [],
    paidPause: null,
    maxUnpaid: null,
    maxUnpaidForced: false,
    ...over,
  };
}

const item = (s: OperatorStatus, id: string) => trayView(s).menu.find((m) => m.id === id);

describe('tray model', () => {
  it('shows the idle state with the standard menu and today\'s earnings', () => {
    const v = trayView(status());
    expect(v.icon).toBe('idle');
    expect(v.tooltip).toContain('Today: 3.25 RFT');
    expect(v.menu.filter((m) => !m.separator).map((m) => m.label)).toEqual([
      'Ready: waiting for a task from the network.',
      'Render when idle',
      'Pause for 1 hour',
      'Pause until tomorrow',
      'Today: 3.25 RFT',
      'Open Rayfarm',
      'Quit Rayfarm',
    ]);
    expect(item(status(), 'render')).toMatchObject({ checked: true, action: 'toggle-render', enabled: true });
    expect(item(status(), 'status')!.enabled).toBe(false);
  });

  it('offers start at login where the OS has it', () => {
    expect(item(status(), 'login')).toBeUndefined();
    const v = trayView(status(), { startAtLogin: true });
    expect(v.menu.find((m) => m.id === 'login')).toMatchObject({ label: 'Start at login', checked: true, action: 'toggle-login' });
  });

  it('shows the rendering state with the task', () => {
    const s = status({ state: 'rendering', currentTask: { taskId: 't', jobId: 'j', jobName: 'Spheres', frame: 12, startedAt: 0, progress: 0.5 } });
    const v = trayView(s);
    expect(v.icon).toBe('rendering');
    expect(v.menu[0]!.label).toBe('Rendering Spheres, frame 12');
  });

  it('offers resume while paused, and disables pausing when rendering is off', () => {
    const until = new Date(2026, 10, 25, 15, 30).getTime();
    const paused = status({ state: 'paused', decision: { allowed: false, reason: 'paused', message: 'Paused until 15:30.', until }, policy: { ...DEFAULT_POLICY, pausedUntil: until } });
    expect(trayView(paused).icon).toBe('paused');
    expect(item(paused, 'resume')).toMatchObject({ label: 'Resume now (paused until 15:30)', action: 'resume', enabled: true });
    expect(item(paused, 'pause-1h')).toBeUndefined();
    expect(item(paused, 'pause-tomorrow')!.enabled).toBe(false);
    const off = status({ state: 'paused', decision: { allowed: false, reason: 'disabled', message: 'Off.', until: null }, policy: { ...DEFAULT_POLICY, enabled: false, idleOnly: false } });
    expect(item(off, 'render')).toMatchObject({ checked: false, label: 'Render for the network' });
    expect(item(off, 'pause-1h')!.enabled).toBe(false);
  });

  it('shows the error state with its message', () => {
    const v = trayView(status({ state: 'error', error: 'The network worker stopped: no peers.' }));
    expect(v.icon).toBe('error');
    expect(v.tooltip).toContain('The network worker stopped: no peers.');
  });

  const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({
    taskId: 't1', jobId: 'j', jobName: 'Spheres', frame: 4, tile: null, creator: null, startedAt: 0, finishedAt: 1, durationMs: 1,
    price: (TOKEN / 2n).toString(), verdict: 'submitted', reason: null, voucher: null, voucherAmount: null, redemptionTx: null, redeemedAt: null, ...over,
  });

  it('raises a notification for a verified task, a rejection and a redemption, once each', () => {
    const submitted = entry({});
    const verified = entry({ verdict: 'verified' });
    expect(noticeFor({ type: 'task-changed', before: submitted, after: verified }, 5)).toEqual({
      kind: 'task-verified', title: 'Task verified', body: 'Spheres, frame 4 passed proof of render: 0.5 RFT earned.', at: 5,
    });
    expect(noticeFor({ type: 'task-changed', before: verified, after: verified })).toBeNull();
    // An unpaid task (the node's own job) says nothing about earnings.
    expect(noticeFor({ type: 'task-changed', before: submitted, after: entry({ verdict: 'verified', price: '0' }) })?.body).toBe('Spheres, frame 4 passed proof of render.');
    const rejected = noticeFor({ type: 'task-changed', before: submitted, after: entry({ verdict: 'rejected', reason: 'patches did not match' }) });
    expect(rejected).toMatchObject({ kind: 'result-rejected', body: 'Spheres, frame 4 was rejected: patches did not match.' });
    const paid = noticeFor({ type: 'task-changed', before: verified, after: entry({ verdict: 'verified', redemptionTx: '0x1234567890abcdef' }) });
    expect(paid).toMatchObject({ kind: 'payment-redeemed', body: expect.stringContaining('tx 0x12345678') });
    expect(noticeFor({ type: 'task-changed', before: undefined, after: entry({ verdict: 'rendering' }) })).toBeNull();
    expect(noticeFor({ type: 'task-changed', before: submitted, after: entry({ verdict: 'handed-back' }) })).toBeNull();
  });

  it('never rounds a small earning down to zero', () => {
    expect(tokensLabel('36000000000000')).toBe('0.000036 RFT');
    expect(tokensLabel('0')).toBe('0 RFT');
    expect(tokensLabel((3n * TOKEN + TOKEN / 4n).toString())).toBe('3.25 RFT');
  });

  it('tells when the wallet is locked while work waits, and merges redemptions', () => {
    expect(noticeFor({ type: 'wallet-locked', waitingJobs: 2 })).toMatchObject({ kind: 'wallet-locked', body: expect.stringContaining('2 jobs are waiting') });
    const paid = { kind: 'payment-redeemed' as const, title: 'Payment redeemed', body: 'x', at: 1 };
    const merged = mergeNotices([paid, { ...paid, at: 2 }, { kind: 'task-verified', title: 't', body: 'b', at: 3 }]);
    expect(merged.map((n) => n.kind)).toEqual(['task-verified', 'payment-redeemed']);
    expect(merged[1]!.body).toBe('2 verified tasks were paid into your wallet.');
  });
});
