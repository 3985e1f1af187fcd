/**
 * Remembers which tasks took the renderer down, so a hostile or broken scene cannot
 * crash-loop an operator: each render is recorded before it starts (a crash of the whole
 * process leaves the record), cleared when it ends normally, and kept when the renderer
 * crashed (a frame worker that died or ran out of memory). A task with MAX_CRASHES attempts
 * that never ended normally is refused from then on, with a reason the creator sees.
 */
import type { Database } from 'better-sqlite3';
import type { Lease } from '../../net/work/messages';

/** Attempts at a task that crashed the renderer before it is refused. */
export const MAX_CRASHES = 2;

/** Error codes that mean the renderer itself died, not that the task was refused in words. */
const CRASH_CODES = new Set(['SCENE_FRAME_CRASHED', 'ENGINE_OUT_OF_MEMORY']);

/** The identity of a task across leases: the same scene, job and task index. */
export function taskKey(lease: Lease): string {
  return `${lease.scene.hash}:${lease.jobId}:${lease.task.index}`;
}

/** True when an error means the renderer crashed (as opposed to refusing the task). */
export function isCrash(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && CRASH_CODES.has(code);
}

/** The crash record of tasks, kept in the operator's database. */
export class TaskCrashGuard {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** Why this task is refused, or undefined when it may be rendered. */
  refusal(lease: Lease): string | undefined {
    const row = this.db.prepare('SELECT attempts, last_reason FROM worker_task_crashes WHERE task_key = ?').get(taskKey(lease)) as { attempts: number; last_reason: string | null } | undefined;
    if (!row || row.attempts < MAX_CRASHES) return undefined;
    return `This task crashed the renderer ${row.attempts} times${row.last_reason ? ` (${row.last_reason})` : ''}; this operator refuses it.`;
  }

  /** Records an attempt about to start (kept if the process dies during it). */
  begin(lease: Lease): void {
    this.db
      .prepare('INSERT INTO worker_task_crashes (task_key, attempts, last_reason, at) VALUES (?, 1, NULL, ?) ON CONFLICT(task_key) DO UPDATE SET attempts = attempts + 1, at = excluded.at')
      .run(taskKey(lease), this.now());
  }

  /** The attempt crashed the renderer: keep its record, with the reason. */
  crashed(lease: Lease, reason: string): void {
    this.db.prepare('UPDATE worker_task_crashes SET last_reason = ? WHERE task_key = ?').run(reason.slice(0, 200), taskKey(lease));
  }

  /** The attempt ended normally (rendered, refused in words, or handed back). */
  ended(lease: Lease): void {
    this.db.prepare('DELETE FROM worker_task_crashes WHERE task_key = ?').run(taskKey(lease));
  }
}
