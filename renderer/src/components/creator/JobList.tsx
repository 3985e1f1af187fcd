import { useStore } from '../../state/store';
import { tokens } from './format';

/** Every job with its state, cost and date; survives restarts (from SQLite). */
export function JobList() {
  const jobs = useStore((s) => s.jobs);
  const openJob = useStore((s) => s.openJob);
  const error = useStore((s) => s.jobsError);
  return (
    <section className="card wide" data-testid="job-list">
      <h2>Your jobs</h2>
      {jobs.length === 0 ? (
        <p className="empty">{error ?? 'No jobs yet. Drop a scene above to start one.'}</p>
      ) : (
        <table className="data clickable">
          <thead>
            <tr>
              <th>Started</th>
              <th>State</th>
              <th>Progress</th>
              <th>Tier</th>
              <th>Cost</th>
              <th>Paid</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id} onClick={() => openJob(j.id)} data-testid="job-row">
                <td>{new Date(j.createdAt).toLocaleString()}</td>
                <td>
                  <span className={`pill job-${j.state}`}>{j.state}</span>
                </td>
                <td>
                  {j.done} / {j.tasks}
                </td>
                <td className="cap">{j.tier}</td>
                <td>{tokens(j.budget)}</td>
                <td>{tokens(j.paid)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
