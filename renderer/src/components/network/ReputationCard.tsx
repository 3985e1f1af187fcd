import { useEffect, useState } from 'react';
import type { ReputationInfo } from '../../../../shared/api';
import { api } from '../../api/client';

function short(s: string, n = 10): string {
  return s.length > n * 2 ? `${s.slice(0, n)}…${s.slice(-4)}` : s;
}

/** Operators' reputation as this node saw their results, with the formula it applies. */
export function ReputationCard() {
  const [rows, setRows] = useState<ReputationInfo[] | null>(null);
  const [formula, setFormula] = useState('');
  const [note, setNote] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      api.call('jobs.reputation').then(
        (r) => {
          if (!live) return;
          setRows(r.operators);
          setFormula(r.formula);
          setNote(null);
        },
        (err: Error) => live && setNote(err.message),
      );
    void load();
    const off = api.on('job.task', () => void load());
    return () => {
      live = false;
      off();
    };
  }, []);
  return (
    <section className="card wide" data-testid="network-reputation">
      <h2>Operator reputation</h2>
      <p className="muted">Kept by this node from the results it verified. {formula}</p>
      {note && <p className="empty">{note}</p>}
      {rows && rows.length === 0 && <p className="empty">No operator has delivered a paid result here yet.</p>}
      {rows && rows.length > 0 && (
        <table className="data">
          <thead>
            <tr>
              <th>Operator</th>
              <th>Verified</th>
              <th>Rejected</th>
              <th>Timed out</th>
              <th>Score</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.address}>
                <td className="mono" title={r.address}>
                  {short(r.address)}
                </td>
                <td>{r.verified}</td>
                <td>{r.rejected}</td>
                <td>{r.timedOut}</td>
                <td>{r.score.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
