/**
 * The probe renders of job estimates, kept in SQLite by scene, settings and this machine's
 * benchmark score. Reopening a scene, reloading the page or restarting the app prices a job
 * from what was measured before; a new benchmark score measures again (the probes time this
 * machine, so a different score means they no longer describe it).
 */
import type { Database } from 'better-sqlite3';
import type { JobSpec } from '../../../../shared/job-spec';
import type { Probe } from './estimator';

/** Rows kept at most; the oldest go first (a probe set is a few hundred bytes). */
const MAX_ROWS = 1000;

/** What decides the probes: every setting except the tier, which only changes the price. */
function specKey(spec: JobSpec): string {
  const { tier: _tier, ...rest } = spec;
  return JSON.stringify(rest);
}

function isProbeList(v: unknown): v is Probe[] {
  return (
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((p: Record<string, unknown>) => ['frame', 'width', 'height', 'pixels', 'spp', 'seconds', 'loadSeconds', 'secondsPerSample'].every((k) => typeof p?.[k] === 'number' && Number.isFinite(p[k])))
  );
}

/** Estimate probes by scene id, settings and benchmark score. */
export class EstimateCache {
  constructor(private readonly db: Database) {}

  /** The probes measured for this spec at this score, or null. */
  get(spec: JobSpec, score: number): Probe[] | null {
    const row = this.db.prepare('SELECT probes FROM estimate_probes WHERE scene_id = ? AND spec_key = ? AND score = ?').get(spec.sceneId, specKey(spec), score) as { probes: string } | undefined;
    if (!row) return null;
    try {
      const probes: unknown = JSON.parse(row.probes);
      // A damaged row is measured again rather than trusted.
      return isProbeList(probes) ? probes : null;
    } catch {
      return null;
    }
  }

  /** Keeps the probes of this spec at this score, and drops those of any other score. */
  put(spec: JobSpec, score: number, probes: readonly Probe[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM estimate_probes WHERE score != ?').run(score);
      this.db
        .prepare('INSERT OR REPLACE INTO estimate_probes (scene_id, spec_key, score, probes, at) VALUES (?, ?, ?, ?, ?)')
        .run(spec.sceneId, specKey(spec), score, JSON.stringify(probes), Date.now());
      this.db.prepare('DELETE FROM estimate_probes WHERE rowid NOT IN (SELECT rowid FROM estimate_probes ORDER BY at DESC LIMIT ?)').run(MAX_ROWS);
    })();
  }
}
