import { formatTokens } from '../../../../shared/pricing';
import type { WalletHistoryEntry } from '../../../../shared/api';
import { useStore } from '../../state/store';
import { tokens } from '../creator/format';

const LABEL: Record<WalletHistoryEntry['kind'], string> = {
  sent: 'Sent',
  received: 'Received',
  'job-opened': 'Job funded',
  'job-topped-up': 'Job topped up',
  redeemed: 'Payment received (after network fee)',
  'job-closed': 'Job refund',
};

const ZERO = /^0x0{40}$/i;

function short(s: string | null): string {
  return s ? `${s.slice(0, 8)}…${s.slice(-4)}` : '—';
}

/** Who the other side was; the zero address is where the dev chain's test tokens come from. */
function counterparty(h: WalletHistoryEntry): string {
  if (h.counterparty && ZERO.test(h.counterparty)) return 'test-token faucet';
  if (h.kind === 'redeemed' || h.kind === 'job-opened' || h.kind === 'job-topped-up' || h.kind === 'job-closed') return 'job escrow';
  return short(h.counterparty);
}

const OUT: WalletHistoryEntry['kind'][] = ['sent', 'job-opened', 'job-topped-up'];

/** Every transaction of this wallet, newest first. */
export function HistoryTable() {
  const history = useStore((s) => s.history);
  return (
    <section className="card wide" data-testid="wallet-history">
      <h2>History</h2>
      <p className="muted small">
        Payments for rendering arrive after the network fee of the job's tier (0.5 % economy, 2 % priority, 5 % trusted); the Operator view's earnings are before that fee.
      </p>
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
                <td className={OUT.includes(h.kind) ? 'neg' : 'pos'} title={`${formatTokens(h.amount, 18)} RFT exactly`} data-testid="wallet-history-amount">
                  {OUT.includes(h.kind) ? '−' : '+'}
                  {tokens(h.amount)}
                  {h.fee !== undefined && (
                    <span className="muted small block" data-testid="wallet-history-fee">
                      {tokens((BigInt(h.amount) + BigInt(h.fee)).toString())} earned − {tokens(h.fee)} fee
                    </span>
                  )}
                </td>
                <td className={h.counterparty && !ZERO.test(h.counterparty) && counterparty(h).includes('…') ? 'mono' : ''}>{counterparty(h)}</td>
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
