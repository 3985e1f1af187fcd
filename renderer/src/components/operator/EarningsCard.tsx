import { useStore } from '../../state/store';
import { EarningsChart } from './EarningsChart';
import { duration, tokens } from './format';

function sum(values: string[]): string {
  return values.reduce((a, v) => a + BigInt(v), 0n).toString();
}

/** Totals for today, this week, the last 14 days and all time; the chart; weekly rows. */
export function EarningsCard() {
  const e = useStore((s) => s.opEarnings);
  const history = useStore((s) => s.history);
  // What redemptions brought, from the chain's own record: gross = what reached the wallet + the fee kept.
  const redemptions = history.filter((h) => h.kind === 'redeemed' && h.status === 'confirmed');
  const net = sum(redemptions.map((h) => h.amount));
  const fee = sum(redemptions.map((h) => h.fee ?? '0'));
  const gross = (BigInt(net) + BigInt(fee)).toString();
  if (!e) return <section className="card wide" data-testid="operator-earnings"><h2>Earnings</h2><p className="empty">Loading…</p></section>;
  const week = e.weeks.at(-1);
  const fortnight = sum(e.days.map((d) => d.earned));
  const verified = e.days.reduce((a, d) => a + d.verified, 0);
  return (
    <section className="card wide" data-testid="operator-earnings">
      <h2>Earnings</h2>
      <p className="muted small" data-testid="earnings-fee-note">
        Amounts here are what creators owe for verified tasks, before the network fee. When a payment is redeemed the escrow keeps that fee (0.5 %, 2 % or 5 %, by the job's tier) and the rest reaches your wallet, as the Wallet view shows.
      </p>
      <div className="kpi-row">
        <div className="kpi">
          <span className="kpi-label">Today</span>
          <span className="kpi-value" data-testid="earnings-today">{tokens(e.today, 4)}</span>
        </div>
        <div className="kpi">
          <span className="kpi-label">This week</span>
          <span className="kpi-value" data-testid="earnings-week">{tokens(week?.earned ?? '0', 4)}</span>
        </div>
        <div className="kpi">
          <span className="kpi-label">Last 14 days</span>
          <span className="kpi-value">{tokens(fortnight, 4)}</span>
          <span className="kpi-label">{verified} verified tasks</span>
        </div>
        <div className="kpi">
          <span className="kpi-label">All time</span>
          <span className="kpi-value" data-testid="earnings-total">{tokens(e.total, 4)}</span>
        </div>
      </div>
      {redemptions.length > 0 && (
        <p className="small" data-testid="earnings-redeemed-split">
          Redeemed on chain so far: <strong>{tokens(gross, 4)}</strong> earned − <strong>{tokens(fee, 4)}</strong> network fee = <strong>{tokens(net, 4)}</strong> received in
          your wallet.
        </p>
      )}
      <EarningsChart days={e.days} />
      <div className="chart-legend">
        <span><i className="swatch swatch-earned" /> earned (verified)</span>
        <span><i className="swatch swatch-redeemed" /> redeemed on chain</span>
      </div>
      <table className="data data-compact" data-testid="earnings-weeks">
        <thead>
          <tr>
            <th>Week of</th>
            <th className="num">Tasks</th>
            <th className="num">Verified</th>
            <th className="num">Rejected</th>
            <th className="num">Render time</th>
            <th className="num">Earned (before fee)</th>
            <th className="num">Redeemed (before fee)</th>
          </tr>
        </thead>
        <tbody>
          {[...e.weeks].reverse().map((w) => (
            <tr key={w.period}>
              <td>{w.period}</td>
              <td className="num">{w.tasks}</td>
              <td className="num">{w.verified}</td>
              <td className="num">{w.rejected}</td>
              <td className="num">{duration(w.renderMs)}</td>
              <td className="num">{tokens(w.earned)}</td>
              <td className="num">{tokens(w.redeemed)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
