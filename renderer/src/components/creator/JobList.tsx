import type { PublicJob } from '../../../../shared/api';
import { useImage } from '../../hooks/use-image';
import { isAbandonedDraft } from '../../state/jobs-slice';
import { useStore } from '../../state/store';
import { tokens } from './format';

const STATE_WORD: Record<PublicJob['state'], string> = {
  draft: 'draft, not paid',
  funded: 'paid',
  running: 'rendering',
  paused: 'paused',
  complete: 'complete',
  cancelled: 'cancelled',
  closed: 'closed',
};

/** The scene a job renders: its preview as a thumbnail and its name. */
function JobScene({ sceneId }: { sceneId: string }) {
  const scene = useStore((s) => s.scenes.find((x) => x.sceneId === sceneId) ?? null);
  const loaded = useStore((s) => s.scenes.length > 0);
  const thumb = useImage(scene?.summary.previewHash);
  return (
    <span className="job-scene">
      <span className="job-thumb" aria-hidden="true">
        {thumb && <img src={thumb} alt="" />}
      </span>
      <span data-testid="job-scene-name">{scene ? scene.summary.name : loaded ? 'a scene no longer in the library' : '…'}</span>
    </span>
  );
}

/** Every job with its scene, state, cost and date; survives restarts (from SQLite). */
export function JobList() {
  const all = useStore((s) => s.jobs);
  const jobs = all.filter((j) => !isAbandonedDraft(j));
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
              <th>Scene</th>
              <th>Started</th>
              <th>State</th>
              <th>Tasks done</th>
              <th>Tier</th>
              <th>Cost</th>
              <th>Paid</th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id} onClick={() => openJob(j.id)} data-testid="job-row" data-state={j.state}>
                <td>
                  <JobScene sceneId={j.sceneId} />
                </td>
                <td>{new Date(j.createdAt).toLocaleString()}</td>
                <td>
                  <span className={`pill job-${j.state}`}>{STATE_WORD[j.state]}</span>
                </td>
                <td>
                  {j.done} / {j.tasks}
                </td>
                <td className="cap">{j.tier}</td>
                <td>{tokens(j.budget)}</td>
                <td>{j.state === 'draft' ? '—' : tokens(j.paid)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
