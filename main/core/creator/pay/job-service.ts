/**
 * creator/pay/ — what a creator pays: the job's estimate and price (estimator.ts), its life as
 * a funded escrow (job-state.ts, this service) and the per-task payment rules the dispatcher
 * consults (payments.ts).
 *
 * The creator's public jobs end to end: a draft with its price, funding on chain (approve +
 * openJob, each transaction reported), running on the network, pausing when the escrow
 * runs low, top-ups, cancel, and the close: when a job ends the app requests close, and
 * after the grace period closes it and takes back the rest. Restart-safe: every step is
 * in SQLite first and `reconcile()` finishes what a crash interrupted.
 */
import { randomBytes } from 'node:crypto';
import { getAddress, keccak256, toUtf8Bytes } from 'ethers';
import type { Signer } from 'ethers';
import type { JobSpec } from '../../../../shared/job-spec';
import { splitJob } from '../../../../shared/job-spec';
import { TIERS, feeOf, tierRate, toNanoBH } from '../../../../shared/pricing';
import type { ChainConnection } from '../../chain/network';
import { RayfarmError } from '../../errors';
import type { JobStateStore, PayJob } from './job-state';
import type { VoucherLedger } from '../proof/voucher-ledger';
import type { JobProgress } from '../dispatch/dispatcher';
import { newJobId } from '../../ids';

/** The network side the job service drives (NetService in the app). */
export interface JobRunner {
  submit(input: { id: string; spec: JobSpec; outDir: string }): JobProgress;
  cancel(jobId: string): void;
  progress(jobId: string): JobProgress | undefined;
  onJobFinished(fn: (p: JobProgress) => void): () => void;
}

/** A funding step, for progress. */
export type FundStep = { step: 'approve' | 'openJob' | 'topUp' | 'requestClose' | 'close'; status: 'sending' | 'sent' | 'mined'; txHash?: string };

/** A job with its money. Amounts are smallest-unit decimal strings. */
export interface JobSummary extends PayJob {
  progress: JobProgress | null;
  accepted: number;
  rejected: number;
  /** What the signed vouchers add up to (fee included). */
  paid: string;
  /** The network fee within `paid`. */
  fee: string;
}

/**
 * A job's summary from what SQLite holds (its row and the vouchers signed for it). The job
 * list reads it this way while the wallet is locked too: nothing in it needs the key.
 */
export function storedJobSummary(jobs: JobStateStore, ledger: VoucherLedger, id: string, progress: JobProgress | null = null): JobSummary {
  const job = jobs.get(id);
  const counts = ledger.counts(id);
  const paid = ledger.signedTotal(id);
  const fee = ledger.latestPerOperator(id).reduce((s, v) => s + feeOf(BigInt(v.cumulativeAmount), job.feeBps), 0n);
  return { ...job, progress, accepted: counts.accepted, rejected: counts.rejected, paid: paid.toString(), fee: fee.toString() };
}

/**
 * Price of one task: the job's bench-hours spread evenly over its tasks × the tier's rate,
 * rounded up to a multiple of 10 000 smallest units so that the fee of any number of tasks
 * is exact in basis points (the escrow's fee then never depends on how redemptions group).
 */
export function taskPriceOf(benchHours: number, tasks: number, tier: JobSpec['tier'], baseRatePerBH: bigint): bigint {
  const nano = toNanoBH(benchHours);
  const perTask = nano * tierRate(baseRatePerBH, tier);
  const den = 1_000_000_000n * BigInt(tasks) * 10_000n;
  return ((perTask + den - 1n) / den) * 10_000n;
}

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';

/** The error for an escrow job opened by someone else (a front-run of this draft's id). */
function notOurs(job: PayJob, creator: string, me: string): RayfarmError {
  return new RayfarmError(
    'JOB_NOT_OURS',
    `The escrow job for ${job.id} was opened by ${getAddress(creator)}, not by this wallet ${getAddress(me)}; its vouchers could never be paid. Create the job again to get a fresh id.`,
    { details: { chainJobId: job.chainJobId, creator: getAddress(creator), wallet: getAddress(me) } },
  );
}

/** Throws JOB_NOT_OURS unless the escrow job is unopened or this wallet's. */
function assertOurs(job: PayJob, creator: string, me: string): void {
  if (creator !== ZERO_ADDRESS && getAddress(creator) !== getAddress(me)) throw notOurs(job, creator, me);
}

/** What the job service needs. */
export interface JobServiceOptions {
  jobs: JobStateStore;
  ledger: VoucherLedger;
  chain: ChainConnection;
  signer: () => Signer;
  runner: JobRunner;
  baseRatePerBH: () => bigint;
  /** The chain's clock, unix seconds (block time). */
  chainNow?: () => Promise<number>;
  log?: (line: string) => void;
}

/** The creator's public jobs. */
export class JobService {
  private readonly log: (line: string) => void;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: JobServiceOptions) {
    this.log = o.log ?? (() => undefined);
    o.runner.onJobFinished((p) => void this.finished(p.id).catch((err: Error) => this.log(`jobs: ending ${p.id} failed: ${err.message}`)));
  }

  private get escrow() {
    return this.o.chain.escrow.connect(this.o.signer());
  }

  /** A draft: the spec priced (task price × tasks = the budget locked), nothing on chain yet. */
  create(input: { spec: JobSpec; sceneBytes: number; benchHours: number; outDir?: string; maxPrice?: bigint; id?: string }): PayJob {
    const tasks = splitJob(input.spec).length;
    const taskPrice = taskPriceOf(input.benchHours, tasks, input.spec.tier, this.o.baseRatePerBH());
    if (taskPrice <= 0n) throw new RayfarmError('JOB_FREE', 'The job would cost nothing; raise the base rate or the samples.');
    const budget = taskPrice * BigInt(tasks);
    if (input.maxPrice !== undefined && budget > input.maxPrice) {
      throw new RayfarmError('JOB_OVER_MAX_PRICE', `The job costs ${budget} but the most you allowed is ${input.maxPrice}.`, { details: { price: budget.toString(), maxPrice: input.maxPrice.toString() } });
    }
    const id = input.id ?? newJobId();
    return this.o.jobs.create({
      id,
      chainJobId: keccak256(toUtf8Bytes(`rayfarm-job|${id}|${randomBytes(16).toString('hex')}`)),
      spec: input.spec,
      specHash: keccak256(toUtf8Bytes(JSON.stringify(input.spec))),
      sceneHash: input.spec.sceneId,
      sceneBytes: input.sceneBytes,
      tier: input.spec.tier,
      feeBps: TIERS[input.spec.tier].feeBps,
      tasks,
      taskPrice: taskPrice.toString(),
      budget: budget.toString(),
      maxPrice: input.maxPrice?.toString() ?? null,
      benchHours: input.benchHours,
      chainId: this.o.chain.chainId,
      escrow: this.o.chain.escrow.address,
      creator: null,
      outDir: input.outDir ?? null,
      fundTx: null,
      closeTx: null,
      closableAt: null,
      refund: null,
      note: null,
    });
  }

  /**
   * Locks the budget in escrow: approve (when the allowance is short), then openJob. `amount`
   * funds part of it (at least one task); the job pauses for a top-up when it runs out.
   */
  async fund(id: string, onStep?: (s: FundStep) => void, amount?: bigint): Promise<PayJob> {
    const job = this.o.jobs.get(id);
    if (job.state !== 'draft') throw new RayfarmError('JOB_BAD_TRANSITION', `A ${job.state} job cannot be funded.`);
    const signer = this.o.signer();
    const me = await signer.getAddress();
    const onChain = await this.o.chain.escrow.getJob(job.chainJobId);
    assertOurs(job, onChain.creator, me);
    const budget = amount ?? BigInt(job.budget);
    if (budget < BigInt(job.taskPrice)) throw new RayfarmError('JOB_UNDERFUNDED', `Fund at least one task (${job.taskPrice}).`);
    if (onChain.creator === ZERO_ADDRESS) {
      const token = this.o.chain.token.connect(signer);
      if ((await token.allowance(me, this.o.chain.escrow.address)) < budget) {
        onStep?.({ step: 'approve', status: 'sending' });
        const a = await token.approve(this.o.chain.escrow.address, budget, { onBroadcast: (tx) => onStep?.({ step: 'approve', status: 'sent', txHash: tx.hash }) });
        onStep?.({ step: 'approve', status: 'mined', txHash: a.hash });
      }
      onStep?.({ step: 'openJob', status: 'sending' });
      const out = await this.escrow.openJob(job.chainJobId, budget, job.feeBps, job.specHash, {
        onBroadcast: (tx) => {
          this.o.jobs.update(id, { fundTx: tx.hash });
          onStep?.({ step: 'openJob', status: 'sent', txHash: tx.hash });
        },
      });
      onStep?.({ step: 'openJob', status: 'mined', txHash: out.hash });
      // Read back who opened it: only this wallet's job can pay the vouchers it signs.
      assertOurs(job, (await this.o.chain.escrow.getJob(job.chainJobId)).creator, me);
    }
    const funded = onChain.creator === ZERO_ADDRESS ? budget : onChain.balance + onChain.paid;
    return this.o.jobs.transition(id, 'funded', undefined, { funded: funded.toString(), creator: me });
  }

  /** Offers a funded job to the network. */
  start(id: string): PayJob {
    const job = this.o.jobs.get(id);
    if (job.state !== 'funded') throw new RayfarmError('JOB_BAD_TRANSITION', `A ${job.state} job cannot start.`);
    const running = this.o.jobs.transition(id, 'running');
    if (!this.o.runner.progress(id)) this.o.runner.submit({ id, spec: job.spec, outDir: job.outDir ?? '' });
    return running;
  }

  /** Stops leasing new tasks (tasks in flight still finish and are paid). */
  pause(id: string): PayJob {
    return this.o.jobs.transition(id, 'paused', 'paused by the creator', { pausedFor: 'creator' });
  }

  /** Leases again (refuses while the escrow cannot pay another task). */
  resume(id: string): PayJob {
    const job = this.o.jobs.get(id);
    if (this.remaining(job) < BigInt(job.taskPrice)) throw new RayfarmError('JOB_ESCROW_LOW', 'The escrow cannot pay another task; top it up first.');
    return this.o.jobs.transition(id, 'running', 'resumed');
  }

  /** What the escrow can still pay beyond the accepted results. */
  remaining(job: PayJob): bigint {
    return BigInt(job.funded) - this.o.ledger.acceptedTotal(job.id);
  }

  /** Adds `amount` to the escrow; a job paused for lack of it resumes. */
  async topUp(id: string, amount: bigint, onStep?: (s: FundStep) => void): Promise<PayJob> {
    const job = this.o.jobs.get(id);
    if (!['funded', 'running', 'paused'].includes(job.state)) throw new RayfarmError('JOB_BAD_TRANSITION', `A ${job.state} job cannot be topped up.`);
    const signer = this.o.signer();
    const token = this.o.chain.token.connect(signer);
    const me = await signer.getAddress();
    if ((await token.allowance(me, this.o.chain.escrow.address)) < amount) {
      onStep?.({ step: 'approve', status: 'sending' });
      await token.approve(this.o.chain.escrow.address, amount);
      onStep?.({ step: 'approve', status: 'mined' });
    }
    onStep?.({ step: 'topUp', status: 'sending' });
    const out = await this.escrow.topUp(job.chainJobId, amount);
    onStep?.({ step: 'topUp', status: 'mined', txHash: out.hash });
    const updated = this.o.jobs.update(id, { funded: (BigInt(job.funded) + amount).toString() });
    if (updated.state === 'paused' && updated.pausedFor === 'escrow-low' && this.remaining(updated) >= BigInt(updated.taskPrice)) {
      return this.o.jobs.transition(id, 'running', 'topped up');
    }
    return updated;
  }

  /** Cancels: no more leases; the close is requested (the grace period lets operators redeem). */
  async cancel(id: string): Promise<PayJob> {
    const job = this.o.jobs.get(id);
    // Its openJob was sent: tokens may be locked on chain, so it is not thrown away as "never funded".
    if (job.state === 'draft' && job.fundTx) {
      throw new RayfarmError('JOB_FUNDING_SENT', "This job's payment was already sent to the chain, so it cannot be deleted as unpaid. Restart Rayfarm: it checks the chain and shows the job as paid if the payment went through.");
    }
    if (this.o.runner.progress(id)) this.o.runner.cancel(id);
    const cancelled = this.o.jobs.transition(id, 'cancelled', 'cancelled by the creator');
    if (job.state === 'draft') return this.o.jobs.transition(id, 'closed', 'never funded', { refund: '0' });
    await this.requestClose(cancelled);
    return this.o.jobs.get(id);
  }

  private async finished(id: string): Promise<void> {
    const job = this.o.jobs.find(id);
    if (!job || (job.state !== 'running' && job.state !== 'paused')) return;
    const p = this.o.runner.progress(id);
    const done = this.o.jobs.transition(id, 'complete', p && p.failed > 0 ? `${p.failed} tasks failed` : undefined);
    await this.requestClose(done);
  }

  private async requestClose(job: PayJob): Promise<void> {
    if (job.closableAt !== null) return;
    const onChain = await this.o.chain.escrow.getJob(job.chainJobId);
    const grace = await this.o.chain.escrow.gracePeriod();
    if (onChain.closeRequestedAt === 0) {
      const out = await this.escrow.requestClose(job.chainJobId);
      const block = await this.o.chain.provider.getBlock(out.blockNumber);
      this.o.jobs.update(job.id, { closableAt: (block?.timestamp ?? Math.floor(Date.now() / 1000)) + grace });
    } else {
      this.o.jobs.update(job.id, { closableAt: onChain.closeRequestedAt + grace });
    }
    this.log(`jobs: ${job.id} close requested; closable at ${this.o.jobs.get(job.id).closableAt}`);
  }

  /** Closes every ended job whose grace period is over; returns those closed. */
  async closeDue(): Promise<PayJob[]> {
    const now = this.o.chainNow ? await this.o.chainNow() : Math.floor(Date.now() / 1000);
    const out: PayJob[] = [];
    for (const job of this.o.jobs.list()) {
      if (job.state !== 'complete' && job.state !== 'cancelled') continue;
      if (job.closableAt === null) {
        await this.requestClose(job);
        continue;
      }
      if (now < job.closableAt) continue;
      out.push(await this.close(job.id));
    }
    return out;
  }

  /** Closes one job after its grace period, taking back the rest. */
  async close(id: string): Promise<PayJob> {
    const job = this.o.jobs.get(id);
    const onChain = await this.o.chain.escrow.getJob(job.chainJobId);
    let refund = 0n;
    let txHash: string | null = null;
    if (!onChain.closed) {
      const out = await this.escrow.close(job.chainJobId);
      txHash = out.hash;
      for (const l of out.receipt.logs) {
        const parsed = this.o.chain.escrow.contract.interface.parseLog({ topics: [...l.topics], data: l.data });
        if (parsed?.name === 'Closed') refund = parsed.args.getValue('refund') as bigint;
      }
    } else {
      refund = await this.closedRefund(job.chainJobId);
    }
    this.log(`jobs: ${id} closed; ${refund} returned`);
    return this.o.jobs.transition(id, 'closed', undefined, { refund: refund.toString(), closeTx: txHash });
  }

  private async closedRefund(chainJobId: string): Promise<bigint> {
    const c = this.o.chain.escrow.contract;
    const logs = await c.queryFilter(c.filters.Closed!(chainJobId), this.o.chain.fromBlock);
    const last = logs[logs.length - 1];
    return last && 'args' in last ? (last.args.getValue('refund') as bigint) : 0n;
  }

  /** Finishes what a crash interrupted: funding seen on chain, ended jobs, due closes. */
  async reconcile(): Promise<void> {
    for (const job of this.o.jobs.list()) {
      if (job.state === 'draft' && job.fundTx) {
        const onChain = await this.o.chain.escrow.getJob(job.chainJobId);
        const me = await this.o.signer().getAddress();
        if (onChain.creator !== ZERO_ADDRESS && getAddress(onChain.creator) !== getAddress(me)) {
          const err = notOurs(job, onChain.creator, me);
          this.log(`jobs: ${err.message}`);
          this.o.jobs.update(job.id, { note: err.message });
          continue;
        }
        if (onChain.creator !== ZERO_ADDRESS) {
          this.o.jobs.transition(job.id, 'funded', 'funding seen on chain after a restart', { funded: job.budget, creator: onChain.creator });
        }
      }
      if (job.state === 'running' || job.state === 'paused') {
        const p = this.o.runner.progress(job.id);
        if (p && p.state !== 'active') await this.finished(job.id);
        else if (!p) this.o.runner.submit({ id: job.id, spec: job.spec, outDir: job.outDir ?? '' });
      }
    }
    await this.closeDue();
  }

  /** Checks for due closes every `ms`. */
  startTimers(ms = 10_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.closeDue().catch((err: Error) => this.log(`jobs: close check failed: ${err.message}`)), ms);
    this.timer.unref();
  }

  /** Stops the timers. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** A job with its progress and money. */
  summary(id: string): JobSummary {
    return storedJobSummary(this.o.jobs, this.o.ledger, id, this.o.runner.progress(id) ?? null);
  }

  /** Every job's summary, newest first. */
  list(): JobSummary[] {
    return this.o.jobs.list().map((j) => this.summary(j.id));
  }
}
