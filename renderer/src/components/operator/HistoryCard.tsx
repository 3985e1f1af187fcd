import type { TaskVerdict } from '../../../../shared/api';
import { FieldError } from '../../forms/FieldError';
import { useStore } from '../../state/store';
import { duration, tokens, when } from './format';

const VERDICTS: TaskVerdict[] = ['rendering', 'submitted', 'verified', 'rejected', 'handed-back', 'failed'];
const VERDICT_LABEL: Record<TaskVerdict, string> = {
  rendering: 'Rendering',
  submitted: 'Awaiting proof',
  verified: 'Verified',
  rejected: 'Rejected',
  'handed-back': 'Handed back',
  failed: 'Failed',
};

/** Saves text as a file through a Blob download (works in the browser and in Electron). */
function download(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Every task rendered here, with filters and CSV export. */
export function HistoryCard() {
  const rows = useStore((s) => s.opHistory);
  const filter = useStore((s) => s.opFilter);
  const setFilter = useStore((s) => s.setHistoryFilter);
  const exportCsv = useStore((s) => s.exportCsv);
  const error = useStore((s) => s.opError);
  const filterErrors = useStore((s) => s.opHistoryErrors);
  const onExport = async () => {
    const r = await exportCsv();
    if (r) download(r.filename, r.csv);
  };
  const filtered = filter.job || filter.verdict || filter.from || filter.to;
  return (
    <section className="card wide" data-testid="operator-history">
      <div className="card-title-row">
        <h2>Task history</h2>
        <button type="button" className="btn btn-small" onClick={() => void onExport()} data-testid="history-export">
          Export CSV
        </button>
      </div>
      <div className="filters">
        <div className="field">
          <label htmlFor="hist-job">Job</label>
          <input id="hist-job" placeholder="name or id" value={filter.job} onChange={(e) => void setFilter({ job: e.target.value })} data-testid="history-filter-job" aria-invalid={!!filterErrors.fields.job} />
          <FieldError text={filterErrors.fields.job} testId="history-filter-job-error" />
        </div>
        <div className="field">
          <label htmlFor="hist-verdict">Verdict</label>
          <select id="hist-verdict" value={filter.verdict} onChange={(e) => void setFilter({ verdict: e.target.value as TaskVerdict | '' })} data-testid="history-filter-verdict">
            <option value="">All</option>
            {VERDICTS.map((v) => (
              <option key={v} value={v}>
                {VERDICT_LABEL[v]}
              </option>
            ))}
          </select>
          <FieldError text={filterErrors.fields.verdict} testId="history-filter-verdict-error" />
        </div>
        <div className="field">
          <label htmlFor="hist-from">From</label>
          <input id="hist-from" type="date" value={filter.from} onChange={(e) => void setFilter({ from: e.target.value })} />
          <FieldError text={filterErrors.fields.from} testId="history-filter-from-error" />
        </div>
        <div className="field">
          <label htmlFor="hist-to">To</label>
          <input id="hist-to" type="date" value={filter.to} onChange={(e) => void setFilter({ to: e.target.value })} />
          <FieldError text={filterErrors.fields.to} testId="history-filter-to-error" />
        </div>
        {filtered && (
          <button type="button" className="btn btn-small filters-clear" onClick={() => void setFilter({ job: '', verdict: '', from: '', to: '' })}>
            Clear
          </button>
        )}
      </div>
      {error?.area === 'history' && <p className="field-error">{error.message}</p>}
      <FieldError text={filterErrors.general} testId="history-error" />
      {rows.length === 0 ? (
        <p className="empty" data-testid="history-empty">
          {filtered ? 'No task matches these filters.' : 'No task rendered yet. Turn on rendering and tasks will show up here as they arrive.'}
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data" data-testid="history-table">
            <thead>
              <tr>
                <th>Started</th>
                <th>Job</th>
                <th className="num">Frame</th>
                <th className="num">Time</th>
                <th className="num">Price</th>
                <th>Verdict</th>
                <th>Voucher</th>
                <th>Redemption</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.taskId} data-testid="history-row" data-task={r.taskId}>
                  <td className="nowrap">{when(r.startedAt)}</td>
                  <td title={r.jobId}>
                    <div className="cell-main">{r.jobName}</div>
                    <div className="cell-sub mono">{r.jobId.slice(0, 12)}</div>
                  </td>
                  <td className="num">
                    {r.frame}
                    {r.tile !== null ? <span className="cell-sub"> · t{r.tile}</span> : null}
                  </td>
                  <td className="num">{duration(r.durationMs)}</td>
                  <td className="num">{tokens(r.price)}</td>
                  <td>
                    <span className={`pill verdict-${r.verdict}`} title={r.reason ?? undefined}>
                      {VERDICT_LABEL[r.verdict]}
                    </span>
                  </td>
                  <td className="mono cell-sub">{r.voucherAmount ? tokens(r.voucherAmount) : '—'}</td>
                  <td className="mono cell-sub" title={r.redemptionTx ?? undefined}>
                    {r.redemptionTx ? `${r.redemptionTx.slice(0, 10)}…` : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
