/**
 * The operator's vouchers: each one checked (signed by the job's creator, for this escrow,
 * chain and operator) and stored in SQLite before the result it pays for is acknowledged,
 * so a voucher once received survives any crash. Only the highest cumulative voucher of a
 * job matters; older ones are kept as the audit trail.
 */
import type { Database } from 'better-sqlite3';
import { getAddress } from 'ethers';
import { RayfarmError } from '../../errors';
import { verifyVoucher } from '../../chain/voucher';
import { escrowDomain } from '../../../../shared/voucher';
import type { SignedVoucher } from '../../../../shared/voucher';

/** Where a voucher is redeemable. */
export interface EscrowRef {
  chainId: number;
  escrow: string;
}

/** A stored voucher with its context. */
export interface StoredVoucher extends SignedVoucher {
  chainId: number;
  escrow: string;
  creator: string;
  receivedAt: number;
}

interface Row {
  chain_id: number;
  escrow: string;
  chain_job_id: string;
  operator: string;
  creator: string;
  cumulative: string;
  results_root: string;
  signature: string;
  received_at: number;
}

function toStored(r: Row): StoredVoucher {
  return {
    chainId: r.chain_id,
    escrow: r.escrow,
    creator: r.creator,
    receivedAt: r.received_at,
    jobId: r.chain_job_id,
    operator: r.operator,
    cumulativeAmount: r.cumulative,
    resultsRoot: r.results_root,
    signature: r.signature,
  };
}

/** Received vouchers and what the operator knows about each job's end. */
export class VoucherWallet {
  constructor(
    private readonly db: Database,
    private readonly ref: EscrowRef,
    private readonly operator: string,
  ) {}

  /**
   * Checks and stores a voucher from `creator`; returns it. Throws VOUCHER_WRONG_SIGNER,
   * VOUCHER_MALFORMED or VOUCHER_NOT_OURS, and then nothing is stored.
   */
  accept(voucher: SignedVoucher, creator: string, now = Date.now()): StoredVoucher {
    verifyVoucher(escrowDomain(this.ref.chainId, this.ref.escrow), voucher, creator);
    if (getAddress(voucher.operator) !== getAddress(this.operator)) {
      throw new RayfarmError('VOUCHER_NOT_OURS', `The voucher pays ${voucher.operator}, not this operator ${getAddress(this.operator)}.`);
    }
    this.db
      .prepare(
        `INSERT OR IGNORE INTO pay_vouchers_received (chain_id, escrow, chain_job_id, operator, creator, cumulative, results_root, signature, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(this.ref.chainId, getAddress(this.ref.escrow), voucher.jobId, getAddress(voucher.operator), getAddress(creator), voucher.cumulativeAmount, voucher.resultsRoot, voucher.signature, now);
    this.db.prepare('INSERT OR IGNORE INTO pay_job_watch (chain_id, escrow, chain_job_id) VALUES (?, ?, ?)').run(this.ref.chainId, getAddress(this.ref.escrow), voucher.jobId);
    return this.best(voucher.jobId)!;
  }

  /** The highest voucher of a job. */
  best(chainJobId: string): StoredVoucher | undefined {
    // Amounts are canonical decimal strings: longer is larger, equal lengths compare as text.
    const best = this.db
      .prepare('SELECT * FROM pay_vouchers_received WHERE chain_id = ? AND escrow = ? AND chain_job_id = ? AND operator = ? ORDER BY length(cumulative) DESC, cumulative DESC LIMIT 1')
      .get(this.ref.chainId, getAddress(this.ref.escrow), chainJobId, getAddress(this.operator)) as Row | undefined;
    return best && toStored(best);
  }

  /** Every job with a voucher, and what we know of its end. */
  jobs(): { chainJobId: string; ended: boolean; closableAt: number | null; closed: boolean }[] {
    const rows = this.db.prepare('SELECT chain_job_id, ended, closable_at, closed FROM pay_job_watch WHERE chain_id = ? AND escrow = ?').all(this.ref.chainId, getAddress(this.ref.escrow)) as {
      chain_job_id: string;
      ended: number;
      closable_at: number | null;
      closed: number;
    }[];
    return rows.map((r) => ({ chainJobId: r.chain_job_id, ended: r.ended === 1, closableAt: r.closable_at, closed: r.closed === 1 }));
  }

  /** Notes that a job has ended (no more tasks will come): its last voucher is redeemed now. */
  markEnded(chainJobId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO pay_job_watch (chain_id, escrow, chain_job_id) VALUES (?, ?, ?)').run(this.ref.chainId, getAddress(this.ref.escrow), chainJobId);
    this.db.prepare('UPDATE pay_job_watch SET ended = 1 WHERE chain_id = ? AND escrow = ? AND chain_job_id = ?').run(this.ref.chainId, getAddress(this.ref.escrow), chainJobId);
  }

  /** Records what the chain says of a job's close. */
  noteClose(chainJobId: string, closableAt: number | null, closed: boolean): void {
    this.db
      .prepare('UPDATE pay_job_watch SET closable_at = ?, closed = ?, ended = CASE WHEN ? IS NOT NULL THEN 1 ELSE ended END WHERE chain_id = ? AND escrow = ? AND chain_job_id = ?')
      .run(closableAt, closed ? 1 : 0, closableAt, this.ref.chainId, getAddress(this.ref.escrow), chainJobId);
  }

  /** The operator address vouchers must pay. */
  get address(): string {
    return getAddress(this.operator);
  }

  /** The escrow these vouchers are for. */
  get escrowRef(): EscrowRef {
    return this.ref;
  }
}
