/**
 * The creator's side of payments: every verdict the verifier gave (with its patches and
 * errors), and the vouchers signed from them. A voucher is a pure function of the accepted
 * results of one operator on one job — cumulative amount = the sum of their prices, root =
 * the Merkle root of their hashes in acceptance order — so after a crash the ledger can always re-derive and
 * sign what is owed. Each signed voucher is stored before it is handed out.
 *
 * Held pay: an accepted result recorded with `audited: false` (not re-rendered) is paid only
 * once a LATER result of the same operator on the job passes a re-render. So a voucher covers
 * the operator's accepted results up to its last audited one (a prefix, in acceptance order);
 * the held tail after it is owed (the escrow's ring fence counts it, see owed()) but not yet
 * signed. forfeit() turns a held tail into 'forfeited' when a re-render fails.
 */
import type { Database } from 'better-sqlite3';
import { checksumAddress } from '../../chain/address-cache';
import type { Signer } from 'ethers';
import { signVoucher } from '../../chain/voucher';
import { relaxedTx } from '../../store/group-commit';
import type { EscrowDomain, SignedVoucher } from '../../../../shared/voucher';
import { IncrementalMerkle } from './merkle';
import type { PatchCheck } from './verifier';
import { stmt } from '../../store/statements';

/** One verdict as recorded. */
export interface VerdictRecord {
  jobId: string;
  taskIndex: number;
  /** The operator's wallet address (checksummed). */
  operator: string;
  peer?: string;
  resultHash: string;
  verdict: 'accepted' | 'rejected' | 'forfeited';
  /** false: accepted without a re-render, its pay held until a later result passes one. Default true. */
  audited?: boolean;
  code?: string;
  reason?: string;
  /** The task's price, smallest units. */
  price: bigint;
  pixelsChecked: number;
  maxError: number;
  patches: PatchCheck[];
  verifyMs: number;
  at: number;
}

/** A voucher the creator signed, with how many tasks it pays for. */
export interface IssuedVoucher extends SignedVoucher {
  tasks: number;
  at: number;
}

interface VerdictRow {
  job_id: string;
  task_idx: number;
  operator: string;
  peer: string | null;
  result_hash: string;
  verdict: 'accepted' | 'rejected' | 'forfeited';
  audited: number;
  code: string | null;
  reason: string | null;
  price: string;
  pixels_checked: number;
  max_error: number;
  patches: string;
  verify_ms: number;
  at: number;
}

interface IssuedRow {
  job_id: string;
  chain_job_id: string;
  operator: string;
  tasks: number;
  cumulative: string;
  results_root: string;
  signature: string;
  at: number;
}

/** What a job's chain side needs to sign its vouchers. */
export interface ChainJobRef {
  chainJobId: string;
  domain: EscrowDomain;
}

/** Per database: how many verdicts were inserted (every ledger on it counts, see counts()). */
const verdictWrites = new WeakMap<Database, { n: number }>();

/** Verdicts and issued vouchers in SQLite. */
export class VoucherLedger {
  private readonly listeners = new Set<(v: VerdictRecord) => void>();
  /** Per job: verdicts counted so far, up to row id lastId. */
  private readonly countCache = new Map<string, { accepted: number; rejected: number; lastId: number; seen: number }>();
  /** Verdicts inserted through any ledger on this database (counts() reads none when it has not moved). */
  private readonly writes: { n: number };
  /** Per job and operator: the accepted results folded so far (each voucher then costs O(new · log n)). */
  private readonly folds = new Map<string, { lastId: number; tasks: number; total: bigint; tree: IncrementalMerkle }>();
  /** Per job and operator: the row id of its last accepted result that passed a re-render (0: none). */
  private readonly audited = new Map<string, number>();

  /** @param relaxed commit vouchers without waiting for the disk; the caller awaits the store's WalSync before handing one out. */
  constructor(
    private readonly db: Database,
    private readonly relaxed = false,
  ) {
    let w = verdictWrites.get(db);
    if (!w) verdictWrites.set(db, (w = { n: 0 }));
    this.writes = w;
  }

  /** Calls `fn` after each verdict is recorded. */
  onVerdict(fn: (v: VerdictRecord) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Records a verdict. A second accepted verdict for a task by the same operator throws (unique index). */
  recordVerdict(v: VerdictRecord): void {
    stmt(this.db, 
        `INSERT INTO pay_verdicts (job_id, task_idx, operator, peer, result_hash, verdict, code, reason, price, pixels_checked, max_error, patches, verify_ms, at, audited)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(v.jobId, v.taskIndex, checksumAddress(v.operator), v.peer ?? null, v.resultHash, v.verdict, v.code ?? null, v.reason ?? null, v.price.toString(), v.pixelsChecked, v.maxError, JSON.stringify(v.patches), v.verifyMs, v.at, v.audited === false ? 0 : 1);
    this.writes.n++;
    // The cached last audited id moves only once the row is certainly there: re-read lazily.
    if (v.verdict === 'accepted' && v.audited !== false) this.audited.delete(`${v.jobId}|${checksumAddress(v.operator)}`);
    // Listeners run after the caller's transaction commits in the common case; a throw here must not undo the record.
    for (const l of this.listeners) {
      try {
        l(v);
      } catch {
        // The UI's listener failing is not the ledger's business.
      }
    }
  }

  /** The accepted verdict of a task (of `operator`'s result, when given; a task done twice on a backup lease has two), if any. */
  acceptedOf(jobId: string, taskIndex: number, operator?: string): VerdictRecord | undefined {
    const row = (operator
      ? stmt(this.db, `SELECT * FROM pay_verdicts WHERE job_id = ? AND task_idx = ? AND verdict = 'accepted' AND operator = ?`).get(jobId, taskIndex, checksumAddress(operator))
      : stmt(this.db, `SELECT * FROM pay_verdicts WHERE job_id = ? AND task_idx = ? AND verdict = 'accepted' ORDER BY id LIMIT 1`).get(jobId, taskIndex)) as VerdictRow | undefined;
    return row && toRecord(row);
  }

  /** Every verdict of a job, oldest first (the UI's audit trail). */
  verdicts(jobId: string): VerdictRecord[] {
    return (stmt(this.db, 'SELECT * FROM pay_verdicts WHERE job_id = ? ORDER BY id').all(jobId) as VerdictRow[]).map(toRecord);
  }

  /**
   * Count of accepted and rejected verdicts of a job. Asked before every lease, so it is not a
   * scan of the job's verdicts: the counts are kept per job with the last row id counted, and
   * only rows after it are read (ids only grow, and a rolled-back row is never seen).
   */
  counts(jobId: string): { accepted: number; rejected: number } {
    let c = this.countCache.get(jobId);
    if (!c) {
      c = { accepted: 0, rejected: 0, lastId: 0, seen: -1 };
      this.countCache.set(jobId, c);
    }
    // No verdict written since the last count (rows come only from recordVerdict): nothing to read.
    if (c.seen === this.writes.n) return { accepted: c.accepted, rejected: c.rejected };
    c.seen = this.writes.n;
    // `+job_id`: walk the rowids after lastId rather than every verdict of the job in its index.
    const rows = stmt(this.db, 'SELECT verdict, COUNT(*) AS n, MAX(id) AS last FROM pay_verdicts WHERE id > ? AND +job_id = ? GROUP BY verdict').all(c.lastId, jobId) as { verdict: string; n: number; last: number }[];
    for (const r of rows) {
      if (r.verdict === 'accepted') c.accepted += r.n;
      else if (r.verdict === 'rejected') c.rejected += r.n;
      c.lastId = Math.max(c.lastId, r.last);
    }
    return { accepted: c.accepted, rejected: c.rejected };
  }

  /** What one operator is owed on a job: its accepted results in acceptance order and their total price. */
  owed(jobId: string, operator: string): { tasks: number; total: bigint; hashes: string[] } {
    const rows = stmt(this.db, `SELECT result_hash, price FROM pay_verdicts WHERE job_id = ? AND operator = ? AND verdict = 'accepted' ORDER BY id`).all(jobId, checksumAddress(operator)) as { result_hash: string; price: string }[];
    return { tasks: rows.length, total: rows.reduce((s, r) => s + BigInt(r.price), 0n), hashes: rows.map((r) => r.result_hash) };
  }

  /** Row id of the operator's last accepted result that passed a re-render on the job (0: none). */
  private lastAudited(jobId: string, op: string): number {
    const key = `${jobId}|${op}`;
    let id = this.audited.get(key);
    if (id === undefined) {
      const r = stmt(this.db, `SELECT MAX(id) AS id FROM pay_verdicts WHERE job_id = ? AND operator = ? AND verdict = 'accepted' AND audited = 1`).get(jobId, op) as { id: number | null };
      id = r.id ?? 0;
      if (!this.db.inTransaction) this.audited.set(key, id);
    }
    return id;
  }

  /** An accepted held result passed a re-render: it and every held result before it become payable. */
  markAudited(jobId: string, taskIndex: number, pixelsChecked: number, maxError: number): void {
    relaxedTx(this.db, () => stmt(this.db, `UPDATE pay_verdicts SET audited = 1, pixels_checked = ?, max_error = ? WHERE job_id = ? AND task_idx = ? AND verdict = 'accepted'`).run(pixelsChecked, maxError, jobId, taskIndex));
    this.audited.clear();
  }

  /** The operator's accepted results not yet payable (after its last audited one), oldest first. */
  held(jobId: string, operator: string): { id: number; taskIndex: number; resultHash: string }[] {
    const op = checksumAddress(operator);
    return (stmt(this.db, `SELECT id, task_idx AS taskIndex, result_hash AS resultHash FROM pay_verdicts WHERE job_id = ? AND operator = ? AND verdict = 'accepted' AND audited = 0 AND id > ? ORDER BY id`).all(jobId, op, this.lastAudited(jobId, op)) as { id: number; taskIndex: number; resultHash: string }[]);
  }

  /** Operators of a job with held results. */
  holders(jobId: string): string[] {
    const rows = stmt(this.db, `SELECT DISTINCT operator FROM pay_verdicts WHERE job_id = ? AND verdict = 'accepted' AND audited = 0`).all(jobId) as { operator: string }[];
    return rows.map((r) => r.operator).filter((op) => this.held(jobId, op).length > 0);
  }

  /** A re-render failed: the operator's held results are forfeited (never paid); returns their tasks. */
  forfeit(jobId: string, operator: string): number[] {
    const held = this.held(jobId, operator);
    relaxedTx(this.db, () => {
      for (const h of held) stmt(this.db, `UPDATE pay_verdicts SET verdict = 'forfeited' WHERE id = ?`).run(h.id);
    });
    this.countCache.delete(jobId);
    return held.map((h) => h.taskIndex);
  }

  /** Operators of the job with a forfeited result (a re-render of theirs failed). */
  forfeitedOperators(jobId: string): string[] {
    return (stmt(this.db, `SELECT DISTINCT operator FROM pay_verdicts WHERE job_id = ? AND verdict = 'forfeited'`).all(jobId) as { operator: string }[]).map((r) => r.operator);
  }

  /** The accepted results of an operator up to its last audited one, folded into a running total and Merkle root. */
  private fold(jobId: string, operator: string): { tasks: number; total: bigint; tree: IncrementalMerkle } {
    const op = checksumAddress(operator);
    const key = `${jobId}|${op}`;
    let f = this.folds.get(key);
    if (!f) {
      f = { lastId: 0, tasks: 0, total: 0n, tree: new IncrementalMerkle() };
      this.folds.set(key, f);
    }
    const rows = stmt(this.db, `SELECT id, result_hash, price FROM pay_verdicts WHERE job_id = ? AND operator = ? AND verdict = 'accepted' AND id > ? AND id <= ? ORDER BY id`)
      .all(jobId, op, f.lastId, this.lastAudited(jobId, op)) as { id: number; result_hash: string; price: string }[];
    for (const r of rows) {
      f.tree.push(r.result_hash);
      f.total += BigInt(r.price);
      f.tasks++;
      f.lastId = r.id;
    }
    return f;
  }

  /** The latest voucher signed for an operator on a job. */
  latest(jobId: string, operator: string): IssuedVoucher | undefined {
    const row = stmt(this.db, 'SELECT * FROM pay_vouchers_issued WHERE job_id = ? AND operator = ? ORDER BY tasks DESC LIMIT 1').get(jobId, checksumAddress(operator)) as IssuedRow | undefined;
    return row && this.toIssued(row);
  }

  /** The latest voucher of every operator on a job. */
  latestPerOperator(jobId: string): IssuedVoucher[] {
    const rows = stmt(this.db, 'SELECT v.* FROM pay_vouchers_issued v JOIN (SELECT operator, MAX(tasks) AS t FROM pay_vouchers_issued WHERE job_id = ? GROUP BY operator) m ON v.operator = m.operator AND v.tasks = m.t WHERE v.job_id = ?')
      .all(jobId, jobId) as IssuedRow[];
    return rows.map((r) => this.toIssued(r));
  }

  /** Sum of every operator's latest cumulative amount on a job: what the signed vouchers add up to. */
  signedTotal(jobId: string): bigint {
    return this.latestPerOperator(jobId).reduce((s, v) => s + BigInt(v.cumulativeAmount), 0n);
  }

  /** Sum of the prices of all accepted results of a job (signed or about to be). */
  acceptedTotal(jobId: string): bigint {
    const rows = stmt(this.db, `SELECT price FROM pay_verdicts WHERE job_id = ? AND verdict = 'accepted'`).all(jobId) as { price: string }[];
    return rows.reduce((s, r) => s + BigInt(r.price), 0n);
  }

  /** (job, operator) pairs whose accepted results are not all covered by a signed voucher. */
  unsigned(): { jobId: string; operator: string }[] {
    return stmt(this.db, 
        `SELECT a.job_id AS jobId, a.operator AS operator FROM
           (SELECT job_id, operator, COUNT(*) AS n FROM pay_verdicts WHERE verdict = 'accepted' GROUP BY job_id, operator) a
           LEFT JOIN (SELECT job_id, operator, MAX(tasks) AS t FROM pay_vouchers_issued GROUP BY job_id, operator) i
           ON a.job_id = i.job_id AND a.operator = i.operator
         WHERE i.t IS NULL OR i.t < a.n`,
      )
      .all() as { jobId: string; operator: string }[];
  }

  /**
   * The operator's voucher covering every accepted result of the job: the stored one when it
   * is current, else a new one, signed and stored before it is returned.
   */
  async issue(jobId: string, operator: string, ref: ChainJobRef, signer: Signer, now = Date.now()): Promise<IssuedVoucher | undefined> {
    const fold = this.fold(jobId, operator);
    // A snapshot: another call may fold more results while this one signs.
    const owed = { tasks: fold.tasks, total: fold.total, root: fold.tree.root() };
    if (owed.tasks === 0) return undefined;
    const current = this.latest(jobId, operator);
    if (current && current.tasks >= owed.tasks) return current;
    const signed = await signVoucher(signer, ref.domain, { jobId: ref.chainJobId, operator: checksumAddress(operator), cumulativeAmount: owed.total, resultsRoot: owed.root });
    const insert = () =>
      stmt(this.db, 'INSERT OR IGNORE INTO pay_vouchers_issued (job_id, chain_job_id, operator, tasks, cumulative, results_root, signature, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(jobId, ref.chainJobId, signed.operator, owed.tasks, signed.cumulativeAmount, signed.resultsRoot, signed.signature, now);
    if (this.relaxed) relaxedTx(this.db, insert);
    else insert();
    return this.latest(jobId, operator);
  }

  private toIssued(row: IssuedRow): IssuedVoucher {
    return {
      jobId: row.chain_job_id,
      operator: row.operator,
      cumulativeAmount: row.cumulative,
      resultsRoot: row.results_root,
      signature: row.signature,
      tasks: row.tasks,
      at: row.at,
    };
  }
}

function toRecord(r: VerdictRow): VerdictRecord {
  return {
    jobId: r.job_id,
    taskIndex: r.task_idx,
    operator: r.operator,
    ...(r.peer ? { peer: r.peer } : {}),
    resultHash: r.result_hash,
    verdict: r.verdict,
    ...(r.audited === 0 ? { audited: false } : {}),
    ...(r.code ? { code: r.code } : {}),
    ...(r.reason ? { reason: r.reason } : {}),
    price: BigInt(r.price),
    pixelsChecked: r.pixels_checked,
    maxError: r.max_error,
    patches: JSON.parse(r.patches) as PatchCheck[],
    verifyMs: r.verify_ms,
    at: r.at,
  };
}
