/**
 * operator/pay/ — the operator's money: vouchers checked and stored before a result is
 * forgotten (this file, voucher-wallet.ts) and redeemed on chain in time (redeemer.ts).
 *
 * The operator's side of payments, wired into the worker: a verdict's voucher is checked
 * against the job's creator as the escrow records it and stored before the result is
 * forgotten, then the redeemer decides whether to redeem now. The operator's minimum price
 * per bench-hour keeps cheap jobs out of the worker.
 */
import type { Database } from 'better-sqlite3';
import { getAddress } from 'ethers';
import type { Signer } from 'ethers';
import type { ChainConnection } from '../../chain/network';
import { RayfarmError } from '../../errors';
import type { Verdict } from '../../net/result/messages';
import type { Lease } from '../../net/work/messages';
import { Redeemer } from './redeemer';
import type { Redemption } from './redeemer';
import { VoucherWallet } from './voucher-wallet';

/** Settings of the operator's payments. */
export interface OperatorPaymentsOptions {
  db: Database;
  chain: ChainConnection;
  /** The operator's wallet, connected to the chain. */
  signer: Signer;
  address: string;
  /** Redeem once this much (smallest units) is unredeemed on a job. */
  threshold: bigint;
  graceMarginS?: number;
  nowS?: () => Promise<number>;
  log?: (line: string) => void;
  onRedeemed?: (r: Redemption) => void;
}

/** Voucher intake and redemption for one operator on one escrow. */
export class OperatorPayments {
  readonly wallet: VoucherWallet;
  readonly redeemer: Redeemer;
  private readonly creators = new Map<string, string>();
  private readonly log: (line: string) => void;

  constructor(private readonly o: OperatorPaymentsOptions) {
    this.log = o.log ?? (() => undefined);
    this.wallet = new VoucherWallet(o.db, { chainId: o.chain.chainId, escrow: o.chain.escrow.address }, o.address);
    this.redeemer = new Redeemer({
      db: o.db,
      wallet: this.wallet,
      escrow: o.chain.escrow.connect(o.signer),
      threshold: o.threshold,
      ...(o.graceMarginS !== undefined ? { graceMarginS: o.graceMarginS } : {}),
      ...(o.nowS ? { nowS: o.nowS } : {}),
      log: this.log,
      ...(o.onRedeemed ? { onRedeemed: o.onRedeemed } : {}),
    });
  }

  private async creatorOf(chainJobId: string): Promise<string> {
    let c = this.creators.get(chainJobId);
    if (!c) {
      const job = await this.o.chain.escrow.getJob(chainJobId);
      if (job.creator === '0x0000000000000000000000000000000000000000') throw new RayfarmError('VOUCHER_UNKNOWN_JOB', `The escrow has no job ${chainJobId}.`);
      c = getAddress(job.creator);
      this.creators.set(chainJobId, c);
    }
    return c;
  }

  /**
   * The worker's onVerdict hook. A bad voucher is logged and dropped (the result is still
   * forgotten: retrying would not make it valid); a chain that cannot be asked throws, so the
   * worker keeps the result and delivers it again later.
   */
  readonly onVerdict = async (lease: Lease, _creatorPeer: string, verdict: Verdict): Promise<void> => {
    if (!verdict.voucher) return;
    const creator = await this.creatorOf(verdict.voucher.jobId).catch((err: unknown) => {
      if (err instanceof RayfarmError && err.code === 'VOUCHER_UNKNOWN_JOB') return undefined;
      throw err;
    });
    if (!creator) {
      this.log(`payments: a voucher for an unknown escrow job ${verdict.voucher.jobId.slice(0, 10)} was ignored`);
      return;
    }
    const before = BigInt(this.wallet.best(verdict.voucher.jobId)?.cumulativeAmount ?? '0');
    try {
      const stored = this.wallet.accept(verdict.voucher, creator);
      const gained = BigInt(stored.cumulativeAmount) - before;
      if (lease.price.amount && gained < BigInt(lease.price.amount)) {
        this.log(`payments: the voucher for ${lease.task.id} of ${lease.jobId} adds ${gained}, less than the leased price ${lease.price.amount}`);
      }
    } catch (err) {
      if (err instanceof RayfarmError && err.code.startsWith('VOUCHER_')) {
        this.log(`payments: the voucher for ${lease.task.id} of ${lease.jobId} was refused: ${err.message}`);
        return;
      }
      throw err;
    }
    void this.redeemer.check().catch((err: Error) => this.log(`redeemer: ${err.message}`));
  };

  /** Starts redeeming on a timer (reconciling what a crash left first). */
  start(intervalMs = 5000): void {
    this.redeemer.start(intervalMs);
  }

  /** Stops the timer. */
  stop(): Promise<void> {
    return this.redeemer.stop();
  }
}
