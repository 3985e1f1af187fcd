import type { EarningsBucket } from '../../../../shared/api';
import { tokens, tokensNumber } from './format';

/** Earnings per day as bars (inline SVG); redeemed amounts as a darker inner bar. */
export function EarningsChart({ days }: { days: EarningsBucket[] }) {
  const W = 720;
  const H = 150;
  const pad = { l: 44, r: 8, t: 10, b: 22 };
  const values = days.map((d) => tokensNumber(d.earned));
  const max = Math.max(...values, 0);
  const top = max > 0 ? max * 1.15 : 1;
  const bw = (W - pad.l - pad.r) / Math.max(days.length, 1);
  const y = (v: number) => pad.t + (1 - v / top) * (H - pad.t - pad.b);
  const ticks = [0, top / 2, top];
  const fmt = (v: number) => (v === 0 ? '0' : v >= 10 ? v.toFixed(0) : v >= 1 ? v.toFixed(1) : Number(v.toPrecision(2)).toString());
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Earnings per day" data-testid="earnings-chart">
      {ticks.map((t, i) => (
        <g key={i}>
          <line x1={pad.l} x2={W - pad.r} y1={y(t)} y2={y(t)} className="chart-grid" />
          <text x={pad.l - 6} y={y(t) + 3} className="chart-label" textAnchor="end">
            {fmt(t)}
          </text>
        </g>
      ))}
      {max === 0 && (
        <text x={(W + pad.l) / 2} y={H / 2} className="chart-empty" textAnchor="middle">
          No verified tasks in these days yet
        </text>
      )}
      {days.map((d, i) => {
        const v = values[i]!;
        const r = Math.min(tokensNumber(d.redeemed), v);
        const x = pad.l + i * bw + bw * 0.18;
        const w = bw * 0.64;
        return (
          <g key={d.period}>
            <rect x={x} y={y(v)} width={w} height={Math.max(0, H - pad.b - y(v))} rx={2} className="chart-bar" />
            {r > 0 && <rect x={x} y={y(r)} width={w} height={Math.max(0, H - pad.b - y(r))} rx={2} className="chart-bar-redeemed" />}
            <title>{`${d.period}: ${tokens(d.earned)} earned, ${d.verified} verified of ${d.tasks} tasks`}</title>
            {(days.length - 1 - i) % Math.ceil(days.length / 7) === 0 && (
              <text x={x + w / 2} y={H - 6} className="chart-label" textAnchor="middle">
                {d.period.slice(5)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
