import { useStore } from '../../state/store';
import { duration, tokens } from './format';

const STATE_LABEL = { idle: 'Idle', rendering: 'Rendering', paused: 'Paused', error: 'Error' } as const;

/** What the node is doing now and why, with the task in progress. */
export function StatusCard() {
  const status = useStore((s) => s.opStatus);
  const notices = useStore((s) => s.opNotices);
  const dismiss = useStore((s) => s.dismissNotice);
  const wallet = useStore((s) => s.walletStatus);
  const setMode = useStore((s) => s.setMode);
  if (!status) return <section className="card wide op-status" data-testid="operator-status"><p className="empty">Loading…</p></section>;
  const t = status.currentTask;
  return (
    <section className={`card wide op-status op-status-${status.state} ${status.decision.reason === 'idle-unknown' ? 'op-status-warn' : ''}`} data-testid="operator-status">
      <div className="op-status-main">
        <span className={`op-state-dot op-state-${status.state}`} aria-hidden="true" />
        <div className="op-status-text">
          <div className="op-status-line">
            <span className={`pill op-pill-${status.state}`} data-testid="operator-state">
              {STATE_LABEL[status.state]}
            </span>
            <span className="op-headline" data-testid="operator-headline">
              {status.headline}
            </span>
          </div>
          <div className="op-sub">
            {!status.decision.allowed && status.decision.message !== status.headline && <span>{status.decision.message}</span>}
            <span title={status.idle.detail}>
              Idle time: {status.idle.available ? (status.idle.idleSeconds === null ? 'reading…' : duration(status.idle.idleSeconds * 1000)) : 'not available here'}
            </span>
            {status.idle.onBattery !== null && <span>{status.idle.onBattery ? 'On battery' : 'On mains power'}</span>}
            <span>{status.workerAttached ? 'Network worker connected' : 'Network worker not running'}</span>
          </div>
          {!status.idle.available && status.policy.idleOnly && <p className="op-note">{status.idle.detail}</p>}
          {status.policy.enabled && (!status.decision.allowed || status.policy.idleOnly || status.policy.schedule.trim() !== '') && (
            <p className="op-note" data-testid="operator-own-jobs">
              Your own jobs always render here at once, whatever these settings say: this computer is their first operator. The settings decide when it renders for other people.
            </p>
          )}
          {wallet?.exists && !wallet.unlocked && (
            <p className="notice notice-warn" data-testid="operator-wallet-locked">
              Paid work is paused: the wallet is locked (it locks itself after 15 minutes unused), so no new paid task is taken; payments that arrive meanwhile are kept and redeemed once you unlock it.{' '}
              <button type="button" className="link" onClick={() => setMode('wallet')}>
                Unlock it in the Wallet view
              </button>
            </p>
          )}
          {status.paidPause && status.paidPause !== status.headline && !(wallet?.exists && !wallet.unlocked) && (
            <p className="op-note" data-testid="operator-paid-pause">
              {status.paidPause}
            </p>
          )}
        </div>
        <div className="op-kpis">
          <div className="kpi">
            <span className="kpi-label" title="What verified tasks earned today, before the network fee kept when a payment is redeemed.">Earned today (before fee)</span>
            <span className="kpi-value" data-testid="operator-today">
              {tokens(status.todayEarned, 2)}
            </span>
          </div>
          <div className="kpi">
            <span className="kpi-label">Benchmark</span>
            <span className="kpi-value">{status.latestScore === null ? '—' : status.latestScore.toFixed(1)}</span>
          </div>
        </div>
      </div>
      {t && (
        <div className="op-task" data-testid="operator-current-task">
          <div className="op-task-head">
            <strong>{t.jobName}</strong> · frame {t.frame} · started {duration(Date.now() - t.startedAt)} ago
          </div>
          <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round((t.progress ?? 0) * 100)}>
            <span style={{ width: `${Math.round((t.progress ?? 0) * 100)}%` }} />
          </div>
        </div>
      )}
      {status.paymentStops.length > 0 && (
        <p className="op-note op-note-warn" data-testid="operator-stops-note">
          This machine stopped working for {status.paymentStops.length === 1 ? 'a creator' : `${status.paymentStops.length} creators`} that did not pay as
          promised; see Getting paid safely below.
        </p>
      )}
      {notices.length > 0 && (
        <ul className="op-notices" aria-live="polite">
          {notices.map((n) => (
            <li key={`${n.at}-${n.kind}`} className={`op-notice op-notice-${n.kind}`} data-testid="operator-notice">
              <div>
                <strong>{n.title}</strong>
                <span>{n.body}</span>
              </div>
              <button type="button" className="btn-link" onClick={() => dismiss(n.at)} aria-label="Dismiss">
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
