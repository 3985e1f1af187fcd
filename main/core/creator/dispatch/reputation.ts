/**
 * Operator reputation, kept locally by each creator from what it saw itself: results
 * verified, results rejected, leases that timed out or failed.
 *
 *   score = (verified + 1) / (verified + 4 × rejected + timedOut + 2)
 *
 * A Laplace-smoothed success rate in which a rejected result (a cheat or a broken device)
 * weighs four times a timeout (a gamer who came back to the keyboard). A new operator
 * starts at 0.5; 20 clean results give 0.95; one rejection among them drops it to 0.84.
 *
 * Use by tier: economy takes anyone, except an operator rejected twice or more whose score
 * fell under BAN_BELOW; priority prefers operators scoring PREFER_ABOVE or better (a newcomer
 * starts there): one that lost it through rejections gets a priority task only when no
 * better operator asked for one in the last PREFER_WINDOW_MS; trusted takes only operators with at least TRUSTED_MIN_VERIFIED verified results
 * and a score of TRUSTED_THRESHOLD or more.
 */
import type { Database } from 'better-sqlite3';
import type { Tier } from '../../../../shared/job-spec';
import { stmt } from '../../store/statements';
import { checksumAddress } from '../../chain/address-cache';

/** Score at or above which the trusted tier admits an operator. */
export const TRUSTED_THRESHOLD = 0.8;
/** Verified results an operator needs before the trusted tier admits it. */
export const TRUSTED_MIN_VERIFIED = 5;
/** Score the priority tier prefers. */
export const PREFER_ABOVE = 0.5;
/** How recently a better operator must have asked for a priority job to be served first. */
export const PREFER_WINDOW_MS = 3000;
/** Score under which an operator with two or more rejections gets no work at all. */
export const BAN_BELOW = 0.3;

/** One operator's record. */
export interface Reputation {
  address: string;
  verified: number;
  rejected: number;
  timedOut: number;
  score: number;
  updatedAt: number;
}

/** The score of counts (see the file comment). */
export function reputationScore(r: { verified: number; rejected: number; timedOut: number }): number {
  return (r.verified + 1) / (r.verified + 4 * r.rejected + r.timedOut + 2);
}

/** Whether an operator may take a task of a tier; a reason when it may not. */
export function admitByReputation(r: Pick<Reputation, 'verified' | 'rejected' | 'timedOut'>, tier: Tier, betterWaiting = true): string | undefined {
  const score = reputationScore(r);
  if (r.rejected >= 2 && score < BAN_BELOW) return `your reputation here (${score.toFixed(2)}) is too low after ${r.rejected} rejected results`;
  if (tier === 'priority' && score < PREFER_ABOVE && betterWaiting) return `operators with a reputation of ${PREFER_ABOVE} or more go first on priority jobs (yours: ${score.toFixed(2)})`;
  if (tier === 'trusted' && (r.verified < TRUSTED_MIN_VERIFIED || score < TRUSTED_THRESHOLD)) {
    return `the trusted tier needs ${TRUSTED_MIN_VERIFIED} verified results and a reputation of ${TRUSTED_THRESHOLD} (yours: ${r.verified}, ${score.toFixed(2)})`;
  }
  return undefined;
}

/** Records as last read, per database (every ReputationBook on it writes through bump, which drops its entry): read on every lease. */
const cache = new WeakMap<Database, Map<string, Reputation>>();

/** Reputation records in SQLite. */
export class ReputationBook {
  private readonly cached: Map<string, Reputation>;

  constructor(private readonly db: Database, private readonly now: () => number = Date.now) {
    let c = cache.get(db);
    if (!c) cache.set(db, (c = new Map()));
    this.cached = c;
  }

  private bump(address: string, column: 'verified' | 'rejected' | 'timed_out'): void {
    const a = checksumAddress(address);
    this.cached.delete(a);
    stmt(this.db, 'INSERT OR IGNORE INTO reputation (address, updated_at) VALUES (?, ?)').run(a, this.now());
    stmt(this.db, `UPDATE reputation SET ${column} = ${column} + 1, updated_at = ? WHERE address = ?`).run(this.now(), a);
  }

  /** A result of this operator was verified. */
  verified(address: string): void {
    this.bump(address, 'verified');
  }

  /** A result of this operator was rejected. */
  rejected(address: string): void {
    this.bump(address, 'rejected');
  }

  /** A lease of this operator timed out or was failed. */
  timedOut(address: string): void {
    this.bump(address, 'timed_out');
  }

  /** One operator's record (zeros for a stranger). */
  get(address: string): Reputation {
    const a = checksumAddress(address);
    const hit = this.cached.get(a);
    if (hit) return { ...hit };
    const r = stmt(this.db, 'SELECT verified, rejected, timed_out, updated_at FROM reputation WHERE address = ?').get(a) as
      | { verified: number; rejected: number; timed_out: number; updated_at: number }
      | undefined;
    const counts = { verified: r?.verified ?? 0, rejected: r?.rejected ?? 0, timedOut: r?.timed_out ?? 0 };
    const rep = { address: a, ...counts, score: reputationScore(counts), updatedAt: r?.updated_at ?? 0 };
    // Filled only outside a transaction: a rolled-back bump is never cached.
    if (!this.db.inTransaction) {
      if (this.cached.size >= 20_000) this.cached.clear();
      this.cached.set(a, rep);
    }
    return { ...rep };
  }

  /** Every operator seen, best first. */
  list(): Reputation[] {
    const rows = stmt(this.db, 'SELECT address, verified, rejected, timed_out, updated_at FROM reputation').all() as {
      address: string;
      verified: number;
      rejected: number;
      timed_out: number;
      updated_at: number;
    }[];
    return rows
      .map((r) => {
        const counts = { verified: r.verified, rejected: r.rejected, timedOut: r.timed_out };
        return { address: r.address, ...counts, score: reputationScore(counts), updatedAt: r.updated_at };
      })
      .sort((a, b) => b.score - a.score);
  }
}
