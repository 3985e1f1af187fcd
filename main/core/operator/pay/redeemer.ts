/**
 * The operator's redeemer: turns stored vouchers into tokens on chain. It redeems a job's
 * best voucher when the job has ended, when the unredeemed value passes a threshold, and
 * always before the close grace period runs out (with a safety margin). It reads what the
 * chain already paid before every send and records each attempt before and after the
 * transaction, so a crash at any point is reconciled on the next start: nothing is lost,
 * and the escrow's cumulative vouchers make paying twice impossible anyway.
 */
import type { Database } from 'better-sqlite3';
import { getAddress } from 'ethers';
import type { EscrowClient } from '../../chain/contracts';
import { RayfarmError } from '../../errors';
import type { VoucherWallet } from './voucher-wallet';

/** Why a redemption was sent. */
export type RedeemTrigger = 'job-ended' | 'threshold' | 'grace-period' | 'manual';

/** One redemption as recorded. */
export interface Redemption {
  id: number;
  chainJobId: string;
  cumulative: string;
  trigger: RedeemTrigger;
  state: 'sending' | 'sent' | 'mined' | 'superseded' | 'failed';
  txHash: string | null;
  operatorAmount: string | null;
  fee: string | null;
  error: string | null;
  createdAt: number;
}

/** Redeemer settings. */
export interface RedeemerOptions {
  db: Database;
  wallet: VoucherWallet;
  /** The escrow, connected to the operator's signer. */
  escrow: EscrowClient;
  /** Redeem once unredeemed value reaches this (smallest units). */
  threshold: bigint;
  /** Seconds before the end of the grace period by which the last voucher is redeemed. */
  graceMarginS?: number;
  /** Unix seconds now (the chain's clock may run ahead in tests: pass a reader of it). */
  nowS?: () => Promise<number>;
  log?: (line: string) => void;
  onRedeemed?: (r: Redemption) => void;
}

interface Row {
  id: number;
  chain_job_id: string;
  cumulative: string;
  trigger: RedeemTrigger;
  state: Redemption['state'];
  tx_hash: string | null;
  operator_amount: string | null;
  fee: string | null;
  error: string | null;
  created_at: number;
}

function toRedemption(r: Row): Redemption {
  return {
    id: r.id,
    chainJobId: r.chain_job_id,
    cumulative: r.cumulative,
    trigger: r.trigger,
    state: r.state,
    txHash: r.tx_hash,
    operatorAmount: r.operator_amount,
    fee: r.fee,
    error: r.error,
    createdAt: r.created_at,
  };
}

/** Redeems an operator's vouchers on chain. */
export class Redeemer {
  private running: Promise<Redemption[]> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly margin: number;
  private readonly log: (line: string) => void;

  constructor(private readonly o: RedeemerOptions) {
    this.margin = o.graceMarginS ?? 60;
    this.log = o.log ?? (() => undefined);
  }

  private get ref() {
    return this.o.wallet.escrowRef;
  }

  /** Checks every job every `intervalMs` (and once now). */
  start(intervalMs = 5000): void {
    if (this.timer) return;
    const run = () => void this.check().catch((err: Error) => this.log(`redeemer: ${err.message}`));
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
    run();
  }

  /** Stops the timer and waits for a check in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Every redemption recorded, newest first. */
  list(): Redemption[] {
    return (this.o.db.prepare('SELECT * FROM pay_redemptions WHERE chain_id = ? AND escrow = ? ORDER BY id DESC').all(this.ref.chainId, getAddress(this.ref.escrow)) as Row[]).map(toRedemption);
  }

  /** One pass: reconcile unfinished attempts, then redeem where a trigger fires. Serialised. */
  check(): Promise<Redemption[]> {
    const prev = this.running ?? Promise.resolve([]);
    const next = prev.catch(() => []).then(() => this.pass());
    this.running = next;
    return next;
  }

  /** Redeems a job's best voucher now if the chain has not paid it yet. */
  async redeemNow(chainJobId: string, trigger: RedeemTrigger = 'manual'): Promise<Redemption | undefined> {
    await this.reconcile();
    return this.redeemJob(chainJobId, trigger);
  }

  private async pass(): Promise<Redemption[]> {
    await this.reconcile();
    const done: Redemption[] = [];
    const now = this.o.nowS ? await this.o.nowS() : Math.floor(Date.now() / 1000);
    const grace = await this.o.escrow.gracePeriod();
    for (const job of this.o.wallet.jobs()) {
      if (job.closed) continue;
      const best = this.o.wallet.best(job.chainJobId);
      if (!best) continue;
      const chainJob = await this.o.escrow.getJob(job.chainJobId);
      const closableAt = chainJob.closeRequestedAt ? chainJob.closeRequestedAt + grace : null;
      this.o.wallet.noteClose(job.chainJobId, closableAt, chainJob.closed);
      if (chainJob.closed) continue;
      const unredeemed = await this.redeemable(job.chainJobId, BigInt(best.cumulativeAmount));
      if (unredeemed <= 0n) continue;
      let trigger: RedeemTrigger | undefined;
      if (closableAt !== null && now >= closableAt - this.margin) trigger = 'grace-period';
      else if (job.ended || closableAt !== null) trigger = 'job-ended';
      else if (unredeemed >= this.o.threshold) trigger = 'threshold';
      if (!trigger) continue;
      const r = await this.redeemJob(job.chainJobId, trigger);
      if (r) done.push(r);
    }
    return done;
  }

  /**
   * What redeeming `best` would pay now: the escrow pays at most this operator's allocation, so
   * a voucher above it is worth only the allocation until the creator allocates more.
   */
  private async redeemable(chainJobId: string, best: bigint): Promise<bigint> {
    const share = await this.o.escrow.shareOf(chainJobId, this.o.wallet.address);
    return (best < share.allocated ? best : share.allocated) - share.redeemed;
  }

  /** Settles attempts a previous run left 'sending' or 'sent'. */
  async reconcile(): Promise<void> {
    const open = this.o.db
      .prepare(`SELECT * FROM pay_redemptions WHERE chain_id = ? AND escrow = ? AND state IN ('sending', 'sent')`)
      .all(this.ref.chainId, getAddress(this.ref.escrow)) as Row[];
    for (const r of open) {
      if (r.tx_hash) {
        const receipt = await this.o.escrow.contract.runner?.provider?.getTransactionReceipt(r.tx_hash);
        if (receipt && receipt.status === 1) {
          this.finish(r.id, receipt.logs);
          continue;
        }
        if (receipt) {
          this.setState(r.id, 'failed', 'the transaction reverted');
          continue;
        }
      }
      // Never broadcast, dropped, or still pending: the chain's redeemed total decides.
      const paid = await this.o.escrow.redeemed(r.chain_job_id, this.o.wallet.address);
      if (paid >= BigInt(r.cumulative)) this.setState(r.id, 'superseded', 'the chain already paid this amount');
      else if (!r.tx_hash) this.setState(r.id, 'failed', 'interrupted before it was sent');
      else {
        // A pending transaction: leave it to be mined; a resend would only revert as not cumulative.
        const tx = await this.o.escrow.contract.runner?.provider?.getTransaction(r.tx_hash);
        if (!tx) this.setState(r.id, 'failed', 'the transaction was dropped');
      }
    }
  }

  private async redeemJob(chainJobId: string, trigger: RedeemTrigger): Promise<Redemption | undefined> {
    const best = this.o.wallet.best(chainJobId);
    if (!best) return undefined;
    if ((await this.redeemable(chainJobId, BigInt(best.cumulativeAmount))) <= 0n) return undefined;
    const now = Date.now();
    const id = Number(
      this.o.db
        .prepare(`INSERT INTO pay_redemptions (chain_id, escrow, chain_job_id, operator, cumulative, trigger, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'sending', ?, ?)`)
        .run(this.ref.chainId, getAddress(this.ref.escrow), chainJobId, this.o.wallet.address, best.cumulativeAmount, trigger, now, now).lastInsertRowid,
    );
    try {
      const out = await this.o.escrow.redeem(chainJobId, best.operator, BigInt(best.cumulativeAmount), best.resultsRoot, best.signature, {
        onBroadcast: (tx) => {
          this.o.db.prepare(`UPDATE pay_redemptions SET tx_hash = ?, state = 'sent', updated_at = ? WHERE id = ?`).run(tx.hash, Date.now(), id);
        },
      });
      const r = this.finish(id, out.receipt.logs);
      this.log(`redeemer: redeemed job ${chainJobId.slice(0, 10)} up to ${best.cumulativeAmount} (${trigger}): ${r.operatorAmount} to us, fee ${r.fee}, tx ${out.hash}`);
      return r;
    } catch (err) {
      const e = err as RayfarmError;
      const name = e.details?.errorName;
      if (name === 'EscrowNotCumulative') {
        this.setState(id, 'superseded', 'the chain already paid this amount');
        return this.get(id);
      }
      this.setState(id, 'failed', e.message);
      this.log(`redeemer: redeeming job ${chainJobId.slice(0, 10)} failed: ${e.message}`);
      if (err instanceof RayfarmError && e.code !== 'TX_REVERTED') throw err;
      return this.get(id);
    }
  }

  private finish(id: number, logs: readonly { topics: readonly string[]; data: string }[]): Redemption {
    let operatorAmount: string | null = null;
    let fee: string | null = null;
    for (const l of logs) {
      const parsed = this.o.escrow.contract.interface.parseLog({ topics: [...l.topics], data: l.data });
      if (parsed?.name === 'Redeemed') {
        operatorAmount = String(parsed.args.getValue('operatorAmount'));
        fee = String(parsed.args.getValue('fee'));
      }
    }
    this.o.db.prepare(`UPDATE pay_redemptions SET state = 'mined', operator_amount = ?, fee = ?, updated_at = ? WHERE id = ?`).run(operatorAmount, fee, Date.now(), id);
    const r = this.get(id)!;
    this.o.onRedeemed?.(r);
    return r;
  }

  private setState(id: number, state: Redemption['state'], error: string): void {
    this.o.db.prepare('UPDATE pay_redemptions SET state = ?, error = ?, updated_at = ? WHERE id = ?').run(state, error, Date.now(), id);
  }

  private get(id: number): Redemption | undefined {
    const r = this.o.db.prepare('SELECT * FROM pay_redemptions WHERE id = ?').get(id) as Row | undefined;
    return r && toRedemption(r);
  }
}
