import { formatTokens } from '../../../../shared/pricing';
import type { WalletHistoryEntry } from '../../../../shared/api';
import { useStore } from '../../state/store';

const LABEL: Record<WalletHistoryEntry['kind'], string> = {
  sent: 'Sent',
  received: 'Received',
  'job-opened': 'Job funded',
  'job-topped-up': 'Job topped up',
  redeemed: 'Payment received',
  'job-closed': 'Job refund',
};

function short(s: string | null): string {
  return s ? `${s.slice(0, 8)}…${s.slice(-4)}` : '—';
}

/** Every transaction of this wallet, newest first. */
export function HistoryTable() {
  const history = useStore((s) => s.history);
  return (
    <section className="card wide" data-testid="wallet-history">
      <h2>History</h2>
      {history.length === 0 ? (
        <p className="empty">No transactions yet.</p>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th>When</th>
              <th>What</th>
              <th>Amount</th>
              <th>With</th>
              <th>Status</th>
              <th>Transaction</th>
            </tr>
          </thead>
          <tbody>
            {history.map((h) => (
              <tr key={`${h.hash}-${h.kind}`}>
                <td>{new Date(h.time).toLocaleString()}</td>
                <td>{LABEL[h.kind]}</td>
                <td className={h.kind === 'sent' || h.kind === 'job-opened' || h.kind === 'job-topped-up' ? 'neg' : 'pos'}>{formatTokens(h.amount, 4)}</td>
                <td className="mono">{short(h.counterparty)}</td>
                <td>
                  <span className={`pill pill-${h.status === 'confirmed' ? 'ready' : h.status === 'pending' ? 'starting' : 'error'}`}>{h.status}</span>
                </td>
                <td className="mono">{short(h.hash)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
