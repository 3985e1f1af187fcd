import type { BenchmarkResult } from '../../../../shared/api';

/** The benchmark scores over time as a small line chart (inline SVG). */
export function ScoreChart({ results }: { results: BenchmarkResult[] }) {
  const W = 320;
  const H = 96;
  const pad = { l: 30, r: 8, t: 8, b: 18 };
  if (results.length === 0) return <p className="empty">No benchmark yet.</p>;
  const max = Math.max(...results.map((r) => r.score)) * 1.15;
  const x = (i: number) => pad.l + (results.length === 1 ? (W - pad.l - pad.r) / 2 : (i * (W - pad.l - pad.r)) / (results.length - 1));
  const y = (s: number) => pad.t + (1 - s / max) * (H - pad.t - pad.b);
  const points = results.map((r, i) => `${x(i).toFixed(1)},${y(r.score).toFixed(1)}`).join(' ');
  const ticks = [0, max / 2, max].map((v) => Math.round(v));
  return (
    <svg className="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Benchmark scores: ${results.map((r) => r.score.toFixed(1)).join(', ')}`} data-testid="benchmark-chart">
      {ticks.map((t) => (
        <g key={t}>
          <line x1={pad.l} x2={W - pad.r} y1={y(t)} y2={y(t)} className="chart-grid" />
          <text x={pad.l - 6} y={y(t) + 3} className="chart-label" textAnchor="end">
            {t}
          </text>
        </g>
      ))}
      <polyline points={`${x(0)},${H - pad.b} ${points} ${x(results.length - 1)},${H - pad.b}`} className="chart-area" />
      <polyline points={points} className="chart-line" />
      {results.map((r, i) => (
        <circle key={r.id} cx={x(i)} cy={y(r.score)} r={3} className="chart-dot">
          <title>{`${new Date(r.at).toLocaleString()}: ${r.score.toFixed(1)} (${r.device}, ${r.threads} threads)`}</title>
        </circle>
      ))}
      <text x={pad.l} y={H - 4} className="chart-label">
        {new Date(results[0]!.at).toLocaleDateString()}
      </text>
      <text x={W - pad.r} y={H - 4} className="chart-label" textAnchor="end">
        {new Date(results.at(-1)!.at).toLocaleDateString()}
      </text>
    </svg>
  );
}
