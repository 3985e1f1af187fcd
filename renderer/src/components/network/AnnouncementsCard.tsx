import type { NetworkStatus } from '../../../../shared/api';
import { tokens } from '../creator/format';

/** Jobs announced on the network (this node's own included). */
export function AnnouncementsCard({ net }: { net: NetworkStatus }) {
  return (
    <section className="card wide" data-testid="network-announcements">
      <h2>Jobs announced</h2>
      {net.announcements.length === 0 ? (
        <p className="empty">No job is announced right now. A job is announced while it has tasks left, then drops off this list; your own finished jobs are under Creator.</p>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th>Job</th>
              <th>From</th>
              <th>Size</th>
              <th>Tasks left</th>
              <th>Tier</th>
              <th>Pays per BH</th>
            </tr>
          </thead>
          <tbody>
            {net.announcements.map((a) => (
              <tr key={a.jobId}>
                <td className="mono">
                  {a.jobId.slice(0, 10)}… {a.own && <span className="pill">ours</span>}
                </td>
                <td className="mono">{a.creatorAddress.slice(0, 10)}…</td>
                <td>
                  {a.width}×{a.height}, {a.spp} spp, {a.frames} frame{a.frames === 1 ? '' : 's'}
                </td>
                <td>
                  {a.tasksLeft} / {a.tasks}
                </td>
                <td>{a.tier}</td>
                <td>{a.perBenchHour === '0' ? 'studio (free)' : tokens(a.perBenchHour)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
