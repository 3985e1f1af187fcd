import { Card } from '../Page';
import { useStore } from '../../state/store';
import { ScoreChart } from './ScoreChart';

/** One button, a progress bar, the score and its history. */
export function BenchmarkCard() {
  const results = useStore((s) => s.opBenchmarks);
  const progress = useStore((s) => s.opBenchProgress);
  const error = useStore((s) => s.opError);
  const run = useStore((s) => s.runBenchmark);
  const latest = results.at(-1);
  const running = progress?.running === true;
  const best = results.length ? Math.max(...results.map((r) => r.score)) : null;
  return (
    <Card title="Benchmark" testId="operator-benchmark">
      <div className="bench-head">
        <div>
          <div className="bench-score" data-testid="benchmark-score">
            {latest ? latest.score.toFixed(1) : '—'}
          </div>
          <div className="hw-meta">
            {latest
              ? `${Math.round(latest.samplesPerSecond).toLocaleString()} samples/s · ${latest.device} · ${latest.threads} threads`
              : 'Creators see this score; 100 = one bench-hour per hour.'}
          </div>
        </div>
        <button type="button" className="btn btn-primary" onClick={() => void run()} disabled={running} data-testid="benchmark-run">
          {running ? 'Running…' : latest ? 'Run again' : 'Run benchmark'}
        </button>
      </div>
      {(running || (progress && progress.fraction === 1 && !latest)) && (
        <div className="bench-progress" data-testid="benchmark-progress">
          <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round((progress?.fraction ?? 0) * 100)}>
            <span style={{ width: `${Math.max(3, Math.round((progress?.fraction ?? 0) * 100))}%` }} />
          </div>
          <div className="hw-meta">{progress?.message}</div>
        </div>
      )}
      {error?.area === 'benchmark' && <p className="field-error">{error.message}</p>}
      <ScoreChart results={results} />
      {best !== null && results.length > 1 && <div className="hw-meta">Best {best.toFixed(1)} over {results.length} runs</div>}
    </Card>
  );
}
