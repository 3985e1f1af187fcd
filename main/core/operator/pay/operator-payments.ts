/**
 * operator/pay/ — the operator's money: vouchers checked and stored before a result is
 * forgotten (this file, voucher-wallet.ts) and redeemed on chain in time (redeemer.ts).
 *
 * The operator's side of payments, wired into the worker: a verdict's voucher is checked
 * against the job's creator as the escrow records it and stored before the result is
 * forgotten, then the redeemer decides whether to redeem now. The operator's minimum price
 * per bench-hour keeps cheap jobs out of the worker.
 *
 * The operator bounds what a dishonest creator can cost it. Before working on a paid lease it
 * reads the escrow: the job must be the announcing creator's, open and not closing, and its
 * allocation to this operator must cover its best voucher, its other unpaid leases and this
 * task; and its unpaid work on the job must stay under its limit (default one task's pay). A
 * verdict that accepts a paid task without a voucher, or with one for another escrow job or
 * that adds less than the task's price, stops all work for that creator, with the reason logged
 * and listed in `stoppedCreators()`.
 */
import type { Database } from 'better-sqlite3';
import { getAddress } from 'ethers';
import type { Signer } from 'ethers';
import type { ChainConnection } from '../../chain/network';
import { RayfarmError } from '../../errors';
import type { Verdict } from '../../net/result/messages';
import type { Lease } from '../../net/work/messages';
import type { OpenJob } from '../work/worker';
import { SettingsStore } from '../../store';
import { SettingsKeys } from '../../settings-keys';
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
  /** The most unpaid work (smallest units) carried on one job at a time; default one task's pay. */
  maxUnpaid?: bigint;
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
  /** Kept in the settings table: a restart must not hand a creator that did not pay one more task. */
  private readonly stopped: Map<string, { reason: string; at: number }>;
  private readonly settings: SettingsStore;
  /** The task price last seen per network job, to skip asking while at the limit. */
  private readonly prices = new Map<string, bigint>();
  private readonly log: (line: string) => void;
  /** Redeeming runs only between start() and stop(); vouchers are stored either way (a locked wallet keeps its pay). */
  private running = false;
  /** The unpaid-work limit; undefined: one task's pay. Changed by the person while running (setMaxUnpaid). */
  private maxUnpaid: bigint | undefined;

  constructor(private readonly o: OperatorPaymentsOptions) {
    this.log = o.log ?? (() => undefined);
    this.maxUnpaid = o.maxUnpaid;
    this.settings = new SettingsStore(o.db);
    this.stopped = new Map(Object.entries(this.settings.get<Record<string, { reason: string; at: number }>>(SettingsKeys.operatorPaymentStops, {})));
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

  /** Creators this operator stopped working for (peer id), with why and when. */
  stoppedCreators(): { creator: string; reason: string; at: number }[] {
    return [...this.stopped].map(([creator, s]) => ({ creator, ...s }));
  }

  /** Works for a stopped creator again (the person decided to trust it); false when it was not stopped. */
  resumeCreator(creator: string): boolean {
    if (!this.stopped.delete(creator)) return false;
    this.settings.set(SettingsKeys.operatorPaymentStops, Object.fromEntries(this.stopped));
    this.log(`payments: working for creator ${creator} again (resumed by the person)`);
    return true;
  }

  /** The unpaid-work limit in force (undefined: one task's pay). */
  unpaidLimit(): bigint | undefined {
    return this.maxUnpaid;
  }

  /** Changes the unpaid-work limit from the next request on (undefined: one task's pay). */
  setMaxUnpaid(limit: bigint | undefined): void {
    this.maxUnpaid = limit;
  }

  private stopCreator(creator: string, reason: string): void {
    this.stopped.set(creator, { reason, at: Date.now() });
    this.settings.set(SettingsKeys.operatorPaymentStops, Object.fromEntries(this.stopped));
    this.log(`payments: stopped working for creator ${creator}: ${reason}`);
  }

  private limit(price: bigint): bigint {
    return this.maxUnpaid ?? price;
  }

  /** The worker's mayAsk hook: no requests to a stopped creator, nor for a job whose unpaid work is at the limit. */
  readonly mayAsk = (job: OpenJob, held: readonly Lease[]): boolean => {
    if (this.stopped.has(job.creator)) return false;
    const price = this.prices.get(job.jobId);
    return price === undefined || unpaidOn(held, (l) => l.jobId === job.jobId) + price <= this.limit(price);
  };

  /**
   * The worker's admitLease hook: a reason not to work on this lease, or undefined. Paid leases
   * are checked against the escrow on chain; a throw (chain unreachable) counts as a refusal.
   */
  readonly admitLease = async (lease: Lease, job: OpenJob, held: readonly Lease[]): Promise<string | undefined> => {
    const stop = this.stopped.get(job.creator);
    if (stop) return `work for this creator is stopped: ${stop.reason}`;
    const price = BigInt(lease.price.amount ?? '0');
    if (price === 0n) return undefined; // an unpaid (studio) task: nothing to check
    this.prices.set(lease.jobId, price);
    if (!lease.pay) return 'the lease of a paid task names no escrow job';
    const chainJobId = lease.pay.chainJobId;
    const onChain = await this.o.chain.escrow.getJob(chainJobId);
    if (onChain.creator === ZERO) return `the escrow has no job ${chainJobId.slice(0, 10)}`;
    if (job.creatorAddress && getAddress(onChain.creator) !== getAddress(job.creatorAddress)) {
      const reason = `its lease names escrow job ${chainJobId.slice(0, 10)}, opened by ${onChain.creator}, not by the creator ${getAddress(job.creatorAddress)}`;
      this.stopCreator(job.creator, reason);
      return reason;
    }
    if (onChain.closed || onChain.closeRequestedAt !== 0) return 'the job is closing on chain; no new work';
    const unpaid = unpaidOn(held, (l) => l.leaseId !== lease.leaseId && l.pay?.chainJobId === chainJobId);
    const limit = this.limit(price);
    if (unpaid + price > limit) return `unpaid work on this job would reach ${unpaid + price}, over this operator's limit of ${limit}`;
    const share = await this.o.chain.escrow.shareOf(chainJobId, this.o.address);
    const best = BigInt(this.wallet.best(chainJobId)?.cumulativeAmount ?? '0');
    const signedOrRedeemed = best > share.redeemed ? best : share.redeemed;
    if (signedOrRedeemed + unpaid + price > share.allocated) {
      return `the creator allocated ${share.allocated} to this operator on chain, which does not cover ${signedOrRedeemed} already signed, ${unpaid} unpaid and this task's ${price}`;
    }
    return undefined;
  };

  /**
   * The worker's onVerdict hook. A bad voucher is logged and dropped (the result is still
   * forgotten: retrying would not make it valid); a chain that cannot be asked throws, so the
   * worker keeps the result and delivers it again later.
   */
  readonly onVerdict = async (lease: Lease, creatorPeer: string, verdict: Verdict): Promise<void> => {
    const price = BigInt(lease.price.amount ?? '0');
    const what = `task ${lease.task.id} of ${lease.jobId}`;
    // Held pay (the creator did not re-render this result): the voucher covers results up to the
    // operator's last re-rendered one, so it may add less than this task, or be absent.
    const held = verdict.verdict === 'accepted' && verdict.held === true;
    if (price > 0n && verdict.verdict === 'accepted' && !held) {
      if (!verdict.voucher) return this.stopCreator(creatorPeer, `it accepted ${what} but sent no voucher`);
      if (lease.pay && verdict.voucher.jobId.toLowerCase() !== lease.pay.chainJobId.toLowerCase()) {
        return this.stopCreator(creatorPeer, `the voucher for ${what} names escrow job ${verdict.voucher.jobId.slice(0, 10)}, not the lease's ${lease.pay.chainJobId.slice(0, 10)}`);
      }
    }
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
      if (verdict.verdict === 'accepted' && !held && gained < price) this.stopCreator(creatorPeer, `the voucher for ${what} adds ${gained}, less than the leased price ${price}`);
    } catch (err) {
      if (err instanceof RayfarmError && err.code.startsWith('VOUCHER_')) {
        if (price > 0n && verdict.verdict === 'accepted') this.stopCreator(creatorPeer, `the voucher for ${what} was refused: ${err.message}`);
        else this.log(`payments: the voucher for ${what} was refused: ${err.message}`);
        return;
      }
      throw err;
    }
    if (this.running) void this.redeemer.check().catch((err: Error) => this.log(`redeemer: ${err.message}`));
  };

  /** Starts redeeming on a timer (reconciling what a crash left first). */
  start(intervalMs = 5000): void {
    this.running = true;
    this.redeemer.start(intervalMs);
  }

  /** Stops the timer. */
  stop(): Promise<void> {
    this.running = false;
    return this.redeemer.stop();
  }
}

const ZERO = '0x0000000000000000000000000000000000000000';

/** The leased price of the held leases `which` selects (unpaid until their voucher arrives). */
function unpaidOn(held: readonly Lease[], which: (l: Lease) => boolean): bigint {
  return held.filter(which).reduce((s, l) => s + BigInt(l.price.amount ?? '0'), 0n);
}
