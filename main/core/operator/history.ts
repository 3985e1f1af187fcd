/**
 * Every task this machine rendered, from lease to redemption, in SQLite. The worker calls
 * `recordStarted` / `recordFinished`, the payment path `recordVerdict` / `recordRedemption`;
 * the Operator view reads the table, the earnings per day and week, and the CSV.
 */
import type { Database } from 'better-sqlite3';
import type { Earnings, EarningsBucket, HistoryEntry, HistoryFilter, TaskVerdict } from '../../../shared/api';
import { HistoryFilterSchema } from '../../../shared/api';
import { formatTokens } from '../../../shared/pricing';
import { RayfarmError } from '../errors';

/** What the worker knows when it starts a task. */
export interface TaskStart {
  taskId: string;
  jobId: string;
  jobName?: string;
  frame: number;
  tile?: number | null;
  creator?: string | null;
  /** Price fixed at lease time, smallest token unit. */
  price: bigint | string;
  startedAt?: number;
}

/** How the render ended on this machine (the creator's verdict comes later). */
export interface TaskFinish {
  outcome: 'submitted' | 'failed' | 'handed-back';
  reason?: string | null;
  finishedAt?: number;
  /** Render time; defaults to finishedAt - startedAt. */
  durationMs?: number;
  /** The task's price when it is known only once rendered (bench-hours measured), smallest unit. */
  price?: bigint | string;
}

/** The creator's verdict on a submitted result. */
export interface TaskVerdictRecord {
  verdict: 'verified' | 'rejected';
  reason?: string | null;
  /** The voucher received (its signature or id), when verified. */
  voucher?: string | null;
  /** The voucher's cumulative amount, smallest unit. */
  voucherAmount?: bigint | string | null;
  at?: number;
}

/** An on-chain redemption that paid out some verified tasks. */
export interface RedemptionRecord {
  /** The tasks it paid; else every verified, unredeemed task of `jobId`, or of the escrow job `chainJobId`. */
  taskIds?: string[];
  jobId?: string;
  /** The escrow's job id (bytes32) as the tasks' vouchers carry it. */
  chainJobId?: string;
  /** With chainJobId: only tasks whose voucher's cumulative amount is at most this (smallest unit). */
  upTo?: string;
  txHash: string;
  at?: number;
}

interface Row {
  task_id: string;
  job_id: string;
  job_name: string;
  frame: number;
  tile: number | null;
  creator: string | null;
  started_at: number;
  finished_at: number | null;
  duration_ms: number | null;
  price: string;
  verdict: TaskVerdict;
  reason: string | null;
  voucher: string | null;
  voucher_amount: string | null;
  redemption_tx: string | null;
  redeemed_at: number | null;
}

function toEntry(r: Row): HistoryEntry {
  return {
    taskId: r.task_id,
    jobId: r.job_id,
    jobName: r.job_name,
    frame: r.frame,
    tile: r.tile,
    creator: r.creator,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
    price: r.price,
    verdict: r.verdict,
    reason: r.reason,
    voucher: r.voucher,
    voucherAmount: r.voucher_amount,
    redemptionTx: r.redemption_tx,
    redeemedAt: r.redeemed_at,
  };
}

function units(v: bigint | string): string {
  const s = typeof v === 'bigint' ? v.toString() : v;
  if (!/^\d+$/.test(s)) throw new RayfarmError('HISTORY_BAD_AMOUNT', `"${s}" is not an amount in the smallest token unit.`);
  return s;
}

const DAY = 86_400_000;

/** YYYY-MM-DD of a local day start (shifted epoch read as UTC). */
function isoDay(shifted: number): string {
  return new Date(shifted).toISOString().slice(0, 10);
}

type Listener = (taskId: string) => void;

/** The operator's task history and earnings. */
export class OperatorHistory {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly db: Database) {}

  /** Hears every change (for the UI's live table). */
  onChange(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private changed(taskId: string): void {
    for (const l of [...this.listeners]) l(taskId);
  }

  private require(taskId: string): Row {
    const row = this.db.prepare('SELECT * FROM operator_tasks WHERE task_id = ?').get(taskId) as Row | undefined;
    if (!row) throw new RayfarmError('HISTORY_UNKNOWN_TASK', `No task ${taskId} in the operator history.`);
    return row;
  }

  /** A task was leased and rendering begins. Starting the same task again (a retry) resets it. */
  recordStarted(t: TaskStart): void {
    this.db
      .prepare(
        `INSERT INTO operator_tasks (task_id, job_id, job_name, frame, tile, creator, started_at, price, verdict)
         VALUES (@taskId, @jobId, @jobName, @frame, @tile, @creator, @startedAt, @price, 'rendering')
         ON CONFLICT(task_id) DO UPDATE SET started_at = excluded.started_at, price = excluded.price, verdict = 'rendering',
           finished_at = NULL, duration_ms = NULL, reason = NULL`,
      )
      .run({
        taskId: t.taskId,
        jobId: t.jobId,
        jobName: t.jobName ?? t.jobId.slice(0, 12),
        frame: t.frame,
        tile: t.tile ?? null,
        creator: t.creator ?? null,
        startedAt: t.startedAt ?? Date.now(),
        price: units(t.price),
      });
    this.changed(t.taskId);
  }

  /** The render ended: submitted to the creator, failed here, or handed back unfinished. */
  recordFinished(taskId: string, f: TaskFinish): void {
    const row = this.require(taskId);
    const finishedAt = f.finishedAt ?? Date.now();
    this.db
      .prepare('UPDATE operator_tasks SET finished_at = ?, duration_ms = ?, verdict = ?, reason = ?, price = ? WHERE task_id = ?')
      .run(finishedAt, Math.round(f.durationMs ?? Math.max(0, finishedAt - row.started_at)), f.outcome, f.reason ?? null, f.price === undefined ? row.price : units(f.price), taskId);
    this.changed(taskId);
  }

  /** The creator verified (with a voucher) or rejected the result. */
  recordVerdict(taskId: string, v: TaskVerdictRecord): void {
    const row = this.require(taskId);
    this.db
      .prepare('UPDATE operator_tasks SET verdict = ?, reason = ?, voucher = ?, voucher_amount = ?, finished_at = COALESCE(finished_at, ?) WHERE task_id = ?')
      .run(v.verdict, v.reason ?? null, v.voucher ?? row.voucher, v.voucherAmount == null ? row.voucher_amount : units(v.voucherAmount), v.at ?? Date.now(), taskId);
    this.changed(taskId);
  }

  /** A voucher was redeemed on chain; marks the tasks it paid. Returns how many. */
  recordRedemption(r: RedemptionRecord): number {
    const at = r.at ?? Date.now();
    let ids = r.taskIds;
    if (!ids && r.chainJobId) {
      const rows = this.db
        .prepare("SELECT task_id, voucher_amount FROM operator_tasks WHERE verdict = 'verified' AND redemption_tx IS NULL AND voucher IS NOT NULL AND lower(CASE WHEN json_valid(voucher) THEN json_extract(voucher, '$.jobId') END) = lower(?)")
        .all(r.chainJobId) as { task_id: string; voucher_amount: string | null }[];
      const limit = r.upTo === undefined ? null : BigInt(r.upTo);
      ids = rows.filter((x) => limit === null || (x.voucher_amount !== null && BigInt(x.voucher_amount) <= limit)).map((x) => x.task_id);
    }
    if (!ids) {
      if (!r.jobId) throw new RayfarmError('HISTORY_BAD_REDEMPTION', 'A redemption needs the task ids, the job id or the escrow job id it paid.');
      ids = (
        this.db.prepare("SELECT task_id FROM operator_tasks WHERE job_id = ? AND verdict = 'verified' AND redemption_tx IS NULL").all(r.jobId) as { task_id: string }[]
      ).map((x) => x.task_id);
    }
    const upd = this.db.prepare('UPDATE operator_tasks SET redemption_tx = ?, redeemed_at = ? WHERE task_id = ?');
    this.db.transaction(() => ids.forEach((id) => upd.run(r.txHash, at, id)))();
    ids.forEach((id) => this.changed(id));
    return ids.length;
  }

  /**
   * Tasks left "rendering" by a process that stopped mid-task cannot still be running:
   * they were handed back (the creator's lease expires and re-queues them). Returns how many.
   */
  recoverInterrupted(now = Date.now()): number {
    const r = this.db
      .prepare("UPDATE operator_tasks SET verdict = 'handed-back', reason = 'interrupted: Rayfarm stopped while rendering', finished_at = ?, duration_ms = MAX(0, ? - started_at) WHERE verdict = 'rendering'")
      .run(now, now);
    return r.changes;
  }

  /**
   * Marks tasks paid by redemptions the redeemer recorded as mined (its `pay_redemptions`
   * table), oldest first. Idempotent: a task keeps the first transaction that paid it.
   * Returns how many tasks were marked now.
   */
  syncRedemptions(): number {
    const has = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pay_redemptions'").get();
    if (!has) return 0;
    const mined = this.db
      .prepare("SELECT chain_job_id, cumulative, tx_hash, updated_at FROM pay_redemptions WHERE state = 'mined' AND tx_hash IS NOT NULL ORDER BY id")
      .all() as { chain_job_id: string; cumulative: string; tx_hash: string; updated_at: number }[];
    let marked = 0;
    for (const r of mined) marked += this.recordRedemption({ chainJobId: r.chain_job_id, upTo: r.cumulative, txHash: r.tx_hash, at: r.updated_at });
    return marked;
  }

  /** One task, or undefined. */
  get(taskId: string): HistoryEntry | undefined {
    const row = this.db.prepare('SELECT * FROM operator_tasks WHERE task_id = ?').get(taskId) as Row | undefined;
    return row && toEntry(row);
  }

  /** Tasks matching the filter, newest first. */
  list(filter: HistoryFilter = {}): HistoryEntry[] {
    const f = HistoryFilterSchema.parse(filter);
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (f.jobId) {
      where.push('(job_id = ? OR job_name LIKE ?)');
      args.push(f.jobId, `%${f.jobId.replace(/[%_]/g, '')}%`);
    }
    if (f.verdict) {
      where.push('verdict = ?');
      args.push(f.verdict);
    }
    if (f.from !== undefined) {
      where.push('started_at >= ?');
      args.push(f.from);
    }
    if (f.to !== undefined) {
      where.push('started_at <= ?');
      args.push(f.to);
    }
    const sql = `SELECT * FROM operator_tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, task_id LIMIT ?`;
    return (this.db.prepare(sql).all(...args, f.limit) as Row[]).map(toEntry);
  }

  /**
   * Earnings per local day (the last `days`, today included, empty days too) and per week
   * (Monday first). A task earns its price when verified, on the day it finished;
   * it counts as redeemed on the day of its redemption.
   */
  earnings(opts: { days?: number; utcOffsetMinutes?: number; now?: number } = {}): Earnings {
    const days = opts.days ?? 14;
    const off = (opts.utcOffsetMinutes ?? 0) * 60_000;
    const now = opts.now ?? Date.now();
    const todayStart = Math.floor((now + off) / DAY) * DAY; // shifted
    const firstDay = todayStart - (days - 1) * DAY;
    const weekStartOf = (shifted: number) => {
      const dayStart = Math.floor(shifted / DAY) * DAY;
      const dow = (new Date(dayStart).getUTCDay() + 6) % 7; // 0 = Monday
      return dayStart - dow * DAY;
    };
    const blank = (start: number): EarningsBucket & { e: bigint; r: bigint } => ({
      period: isoDay(start),
      start: start - off,
      tasks: 0,
      verified: 0,
      rejected: 0,
      earned: '0',
      redeemed: '0',
      renderMs: 0,
      e: 0n,
      r: 0n,
    });
    const dayMap = new Map<number, ReturnType<typeof blank>>();
    for (let d = firstDay; d <= todayStart; d += DAY) dayMap.set(d, blank(d));
    const weekMap = new Map<number, ReturnType<typeof blank>>();
    for (let w = weekStartOf(firstDay); w <= todayStart; w += 7 * DAY) weekMap.set(w, blank(w));

    // Only rows that can fall in a bucket are read; the all-time total needs prices alone.
    // (Sums are bigints in JS: 18-decimal amounts overflow SQLite's 64-bit integers.)
    const since = Math.min(firstDay, weekStartOf(firstDay)) - off;
    const rows = this.db
      .prepare('SELECT * FROM operator_tasks WHERE COALESCE(finished_at, started_at) >= ? OR redeemed_at >= ?')
      .all(since, since) as Row[];
    let total = 0n;
    for (const p of this.db.prepare("SELECT price FROM operator_tasks WHERE verdict = 'verified'").pluck().all() as string[]) total += BigInt(p);
    let today = 0n;
    const add = (shifted: number, f: (b: ReturnType<typeof blank>) => void) => {
      const d = dayMap.get(Math.floor(shifted / DAY) * DAY);
      if (d) f(d);
      const w = weekMap.get(weekStartOf(shifted));
      if (w) f(w);
    };
    for (const r of rows) {
      const price = BigInt(r.price);
      const doneAt = (r.finished_at ?? r.started_at) + off;
      if (r.verdict === 'verified' && Math.floor(doneAt / DAY) * DAY === todayStart) today += price;
      add(doneAt, (b) => {
        b.tasks += 1;
        if (r.verdict === 'verified') {
          b.verified += 1;
          b.e += price;
        }
        if (r.verdict === 'rejected') b.rejected += 1;
        b.renderMs += r.duration_ms ?? 0;
      });
      if (r.redeemed_at !== null) add(r.redeemed_at + off, (b) => (b.r += price));
    }
    const out = (m: Map<number, ReturnType<typeof blank>>) =>
      [...m.values()].map(({ e, r, ...b }) => ({ ...b, earned: e.toString(), redeemed: r.toString() }));
    return { days: out(dayMap), weeks: out(weekMap), total: total.toString(), today: today.toString() };
  }

  /** What was earned today (verified), for the tray and the status card. */
  earnedToday(utcOffsetMinutes = -new Date().getTimezoneOffset(), now = Date.now()): string {
    const off = utcOffsetMinutes * 60_000;
    const start = Math.floor((now + off) / DAY) * DAY - off;
    const prices = this.db
      .prepare("SELECT price FROM operator_tasks WHERE verdict = 'verified' AND COALESCE(finished_at, started_at) >= ? AND COALESCE(finished_at, started_at) < ?")
      .pluck()
      .all(start, start + DAY) as string[];
    return prices.reduce((a, p) => a + BigInt(p), 0n).toString();
  }
}

const CSV_COLUMNS = [
  'task_id', 'job_id', 'job_name', 'frame', 'tile', 'creator', 'started_at', 'finished_at', 'duration_s',
  'price_tokens', 'verdict', 'reason', 'voucher_amount_tokens', 'redemption_tx', 'redeemed_at',
] as const;

/**
 * One CSV field: quoted when it holds a comma, quote or line break (quotes doubled, RFC 4180).
 * Text that a spreadsheet would run as a formula (= + - @ at the start) gets a leading
 * apostrophe, so an exported job name cannot execute in Excel.
 */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The history as CSV (header row, CRLF line ends, amounts in whole tokens). */
export function historyToCsv(entries: readonly HistoryEntry[]): string {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of entries) {
    lines.push(
      [
        e.taskId, e.jobId, e.jobName, e.frame, e.tile, e.creator, iso(e.startedAt), iso(e.finishedAt),
        e.durationMs === null ? null : (e.durationMs / 1000).toFixed(3),
        formatTokens(e.price), e.verdict, e.reason, e.voucherAmount === null ? null : formatTokens(e.voucherAmount),
        e.redemptionTx, iso(e.redeemedAt),
      ]
        .map((v) => csvField(v))
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
