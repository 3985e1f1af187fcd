/**
 * The creator's payment rules plugged into the dispatcher (PaymentHooks): every result of a
 * public job goes through the verifier (re-rendered as the audit plan decides, see
 * proof/audit-plan.ts; one not re-rendered has its pay held, see held-pay.ts); an accepted
 * one is recorded in the dispatcher's own transaction and answered with the operator's next
 * cumulative voucher (covering its results up to its last re-rendered one); a rejected one is
 * recorded with its patches and errors, counted against the operator and its task goes
 * back to the queue unpaid. Leases are admitted by job state, reputation and the escrow
 * left: a job whose escrow cannot pay one more task pauses and asks for a top-up. With an
 * allocator, a lease is also held back until the operator's own allocation on chain covers
 * everything it may be owed on the job, this task included (the escrow's ring fence).
 */
import type { Signer } from 'ethers';
import { isBlenderSpec } from '../../../../shared/job-spec';
import type { JobSpec } from '../../../../shared/job-spec';
import type { EscrowDomain } from '../../../../shared/voucher';
import type { Verdict } from '../../net/result/messages';
import type { OperatorRef } from '../../net/work/messages';
import type { DeliveringOperator, ResultHeader } from '../../net/result/messages';
import type { PaymentHooks, VerifyInput } from '../dispatch/dispatcher';
import { verifyFinite } from '../dispatch/dispatcher';
import { REJECTED_PREFIX } from '../dispatch/dispatch-job';
import type { JobStateStore } from './job-state';
import type { Allocations } from './allocations';
import { SceneRenderer } from '../../render/render-task';
import type { RenderEngine, SceneInput } from '../../render/render-task';
import { admitByReputation, PREFER_ABOVE, PREFER_WINDOW_MS } from '../dispatch/reputation';
import type { ReputationBook } from '../dispatch/reputation';
import { Verifier, scenePatchRenderer } from '../proof/verifier';
import type { PatchRenderer, VerificationReport, VerifierOptions } from '../proof/verifier';
import { AuditPlan, EVERY_RESULT_AUDIT } from '../proof/audit-plan';
import type { AuditPlanOptions } from '../proof/audit-plan';
import type { VoucherLedger } from '../proof/voucher-ledger';
import { CLOSING_MIN_PIXELS, HeldPay } from './held-pay';
import type { HeldPayOptions, HeldResult } from './held-pay';

/** What the creator's payments need. */
export interface CreatorPaymentsOptions {
  jobs: JobStateStore;
  ledger: VoucherLedger;
  reputation: ReputationBook;
  /** The creator's secret for choosing patches. */
  secret: Uint8Array;
  /** A scene by hash (from the blob store): best its package, whose frames are flattened in the frame worker. */
  loadScene: (sceneHash: string) => Promise<SceneInput>;
  /** The creator's key, unlocked (throws when locked). */
  signer: () => Signer;
  domain: EscrowDomain;
  /** Tasks of a job leased right now. */
  leased: (jobId: string) => number;
  /** Paid jobs: allocates each operator its pay on chain before it is leased. */
  allocations?: Allocations;
  /** Tasks of a job leased right now to the operator with this wallet address. */
  leasedTo?: (jobId: string, address: string) => number;
  engine?: RenderEngine;
  /** Blender jobs: the creator's own Blender re-renders their patches (blend-patches.ts); absent, none are verified by re-rendering. */
  blendPatches?: Pick<VerifierOptions, 'render' | 'renderMany' | 'mismatchAllowance' | 'minPixels' | 'maxPatches'>;
  /** Re-renders the verifier's patches; default: the scene on `engine` (the bench models it). */
  patchRenderer?: PatchRenderer;
  /**
   * The audit plan's rates and backlog (proof/audit-plan.ts). Default EVERY_RESULT_AUDIT:
   * every result re-rendered before it is answered, nothing held; `{}` is the sampled plan
   * with held pay (bench:scale).
   */
  audit?: Partial<Omit<AuditPlanOptions, 'secret'>>;
  /** Makes relaxed commits durable (the store's WalSync), after vouchers are signed in reconcile. */
  durable?: () => Promise<void>;
  now?: () => number;
  log?: (line: string) => void;
  /** Called when a job pauses for lack of escrow. */
  onLowEscrow?: (jobId: string) => void;
  /** Held pay's ties to the dispatcher and the blob store: reopening forfeited tasks, the job's end re-render. */
  held?: Pick<HeldPayOptions, 'reopen' | 'loadResult' | 'task' | 'ended'>;
}

/** What verify() found for a result the dispatcher is about to accept. */
interface Checked {
  report: VerificationReport;
  /** Re-rendered before the answer: paid at once. */
  audited: boolean;
  /** To re-render in the background once recorded. */
  later?: HeldResult;
}

/** The creator's payment hooks and verifier. */
export class CreatorPayments implements PaymentHooks {
  readonly verifier: Verifier;
  /** The closing re-render of a held tail (a smaller sample: held-pay.ts, CLOSING_MIN_PIXELS). */
  private readonly closingVerifier: Verifier;
  /** Proof of render for Blender jobs, with the creator's Blender. */
  readonly blendVerifier: Verifier | undefined;
  /** Which results are re-rendered when the creator cannot re-render them all. */
  readonly audits: AuditPlan;
  private readonly scenes = new Map<string, Promise<SceneRenderer>>();
  private readonly reports = new Map<string, Checked>();
  /** Results accepted with their pay held, until answered ("job/task/hash"). */
  private readonly heldAnswers = new Set<string>();
  /** Held pay: background re-renders, forfeits, the job's end re-render. */
  readonly held: HeldPay;
  /** When an operator of good reputation last asked for a task of each job. */
  private readonly goodAsked = new Map<string, number>();
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly o: CreatorPaymentsOptions) {
    this.now = o.now ?? Date.now;
    this.log = o.log ?? (() => undefined);
    this.audits = new AuditPlan({ secret: o.secret, ...(o.audit ?? EVERY_RESULT_AUDIT) });
    const render = o.patchRenderer ?? scenePatchRenderer((spec) => this.renderer(spec));
    this.verifier = new Verifier({ secret: o.secret, render });
    this.closingVerifier = new Verifier({ secret: o.secret, render, minPixels: CLOSING_MIN_PIXELS, fraction: 0 });
    this.blendVerifier = o.blendPatches ? new Verifier({ secret: o.secret, ...o.blendPatches }) : undefined;
    this.held = new HeldPay({
      ledger: o.ledger,
      reputation: o.reputation,
      audits: this.audits,
      verify: (r) => (isBlenderSpec(r.spec) && this.blendVerifier ? this.blendVerifier : this.verifier).verify(r),
      verifyClosing: (r) => (isBlenderSpec(r.spec) && this.blendVerifier ? this.blendVerifier : this.closingVerifier).verify(r),
      sign: async (jobId, operator) => {
        const job = this.o.jobs.find(jobId);
        if (job) await this.o.ledger.issue(jobId, operator, { chainJobId: job.chainJobId, domain: this.o.domain }, this.o.signer(), this.now());
      },
      log: this.log,
      ...o.held,
    });
  }

  /** One loaded scene per scene hash (the last two kept): verification never reloads it per task. */
  private renderer(spec: JobSpec): Promise<SceneRenderer> {
    let r = this.scenes.get(spec.sceneId);
    if (!r) {
      r = this.o.loadScene(spec.sceneId).then((scene) => new SceneRenderer(scene, this.o.engine));
      r.catch(() => this.scenes.delete(spec.sceneId));
      this.scenes.set(spec.sceneId, r);
      while (this.scenes.size > 2) {
        const [oldest, p] = this.scenes.entries().next().value as [string, Promise<SceneRenderer>];
        this.scenes.delete(oldest);
        void p.then((s) => s.dispose(), () => undefined);
      }
    }
    return r;
  }

  /** The dispatcher's verify hook. */
  async verify(input: VerifyInput): Promise<Verdict> {
    const job = this.o.jobs.find(input.jobId);
    if (!job) return verifyFinite(input);
    const blend = isBlenderSpec(input.spec);
    if (blend && !this.blendVerifier) {
      // Unreachable through the CLI and the app (a .blend is submitted only with Blender here): say so, do not guess.
      this.log(`payments: job ${input.jobId} is a Blender job but this creator has no Blender to verify it; checking form only`);
      return verifyFinite(input);
    }
    const verifier = blend ? this.blendVerifier! : this.verifier;
    const address = input.operator.address;
    if (this.held.barred(input.jobId, address)) return { verdict: 'rejected', reason: 'a re-render of another of your results on this job failed: this job pays you nothing more' };
    let why = this.audits.decide({ jobId: input.jobId, taskIndex: input.task.index, leaseId: input.header.leaseId, verified: this.o.reputation.get(address).verified, held: this.held.count(input.jobId, address) });
    const check = { jobId: input.jobId, leaseId: input.header.leaseId, spec: input.spec, task: input.task, pixels: input.pixels, resultHash: input.header.sha256 };
    // The job ended (a backup lease's result, delivered late): no closing re-render will come for it.
    if (why === 'skipped' && this.held.ended(input.jobId)) why = 'lazy';
    // Under load a drawn re-render runs in the background (the operator, paid later anyway, need
    // not wait for a busy creator); before the answer only when the background queue is full.
    if (why === 'floor' && this.held.canQueue) why = 'lazy';
    const now = why === 'spare' || why === 'newcomer' || why === 'floor';
    const report = now ? await this.audits.run(() => verifier.verify(check)) : await verifier.verify({ ...check, reRender: false });
    if (report.verdict === 'accepted') {
      // Barred while this one was re-rendered (a background re-render of an earlier one failed).
      if (this.held.barred(input.jobId, address)) return { verdict: 'rejected', reason: 'a re-render of another of your results on this job failed: this job pays you nothing more' };
      const later = why === 'lazy' ? { ...check, taskIndex: input.task.index, operator: address } : undefined;
      this.reports.set(`${input.jobId}/${input.task.index}/${input.header.sha256}`, { report, audited: now, ...(later ? { later } : {}) });
      return { verdict: 'accepted' };
    }
    // A failed re-render also forfeits the operator's held results on this job and bars it.
    // (With every result re-rendered nothing is held: a rejection is counted as it always was.)
    // caught() counts the rejection in the operator's reputation: counted here as well, one bad
    // result made two, and its next request was refused as "too low after 2 rejected results".
    const caught = this.audits.holdsPay && now && report.code === 'RESULT_MISMATCH';
    if (caught) this.held.caught(input.jobId, address, report.reason ?? 'RESULT_MISMATCH');
    this.o.ledger.recordVerdict({
      jobId: input.jobId,
      taskIndex: input.task.index,
      operator: input.operator.address,
      peer: input.operator.peerId,
      resultHash: input.header.sha256,
      verdict: 'rejected',
      ...(report.code ? { code: report.code } : {}),
      ...(report.reason ? { reason: report.reason } : {}),
      price: BigInt(job.taskPrice),
      pixelsChecked: report.pixelsChecked,
      maxError: report.maxError,
      patches: report.patches,
      verifyMs: report.verifyMs,
      at: this.now(),
    });
    if (!caught) this.o.reputation.rejected(input.operator.address);
    this.log(`verify: ${input.jobId} task ${input.task.id} from ${input.operator.address.slice(0, 10)} rejected: ${report.reason}`);
    return { verdict: 'rejected', reason: `proof of render failed: ${report.reason ?? report.code}`.slice(0, 300) };
  }

  admit(jobId: string, op: OperatorRef, tier: JobSpec['tier']): string | { reason: string; retryAfterMs: number } | undefined {
    const job = this.o.jobs.peek(jobId);
    if (!job) return undefined;
    if (job.state !== 'running') return `the job is ${job.state}`;
    const rep = this.o.reputation.get(op.address);
    const now = this.now();
    if (rep.score >= PREFER_ABOVE) this.goodAsked.set(jobId, now);
    const refused = admitByReputation(rep, tier, now - (this.goodAsked.get(jobId) ?? -Infinity) < PREFER_WINDOW_MS);
    if (refused) return refused;
    if (this.held.barred(jobId, op.address)) return 'a re-render of one of your results on this job failed: you get no more of its tasks';
    // Every task of a job has the same price: accepted and leased tasks are counted, not summed.
    const committed = BigInt(this.o.ledger.counts(jobId).accepted + this.o.leased(jobId)) * BigInt(job.taskPrice);
    if (BigInt(job.funded) - committed < BigInt(job.taskPrice)) {
      // Tasks in flight may still finish; only a job with nothing leased and tasks left is short.
      if (this.o.leased(jobId) === 0) {
        this.o.jobs.transition(jobId, 'paused', 'escrow low: top up to continue', { pausedFor: 'escrow-low' });
        this.o.onLowEscrow?.(jobId);
      }
      return 'the job is waiting for a top-up of its escrow';
    }
    if (this.o.allocations) {
      const price = BigInt(job.taskPrice);
      const need = this.o.ledger.owed(jobId, op.address).total + BigInt(this.o.leasedTo?.(jobId, op.address) ?? 0) * price + price;
      if (!this.o.allocations.cover(job.chainJobId, op.address, need)) {
        // What operators that failed or left were allocated stays theirs until the job closes;
        // when that leaves too little for the next task, the job waits for a top-up.
        if (this.o.allocations.isShort(job.chainJobId, BigInt(job.funded))) {
          if (this.o.leased(jobId) === 0) {
            this.o.jobs.transition(jobId, 'paused', "escrow low: what is left is allocated to operators that did not finish; top up to continue", { pausedFor: 'escrow-low' });
            this.o.onLowEscrow?.(jobId);
          }
          return 'the job is waiting for a top-up of its escrow';
        }
        return { reason: 'your pay for this task is being allocated on chain; ask again in a moment', retryAfterMs: 300 };
      }
    }
    return undefined;
  }

  /** Reads a newly bound operator's reputation into the cache (its first request then reads no row). */
  bound(address: string): void {
    this.o.reputation.get(address);
  }

  taskPrice(jobId: string): string | undefined {
    return this.o.jobs.peek(jobId)?.taskPrice;
  }

  leasePay(jobId: string, address: string): { chainJobId: string; allocated: string } | undefined {
    const job = this.o.jobs.peek(jobId);
    if (!job) return undefined;
    return { chainJobId: job.chainJobId, allocated: (this.o.allocations?.allocated(job.chainJobId, address) ?? 0n).toString() };
  }

  accepted(e: { jobId: string; taskIndex: number; operator: DeliveringOperator; resultHash: string }): void {
    const job = this.o.jobs.find(e.jobId);
    if (!job) return;
    const key = `${e.jobId}/${e.taskIndex}/${e.resultHash}`;
    const checked = this.reports.get(key);
    this.reports.delete(key);
    const report = checked?.report;
    const audited = checked?.audited ?? true;
    this.o.ledger.recordVerdict({
      jobId: e.jobId,
      taskIndex: e.taskIndex,
      operator: e.operator.address,
      peer: e.operator.peerId,
      resultHash: e.resultHash,
      verdict: 'accepted',
      price: BigInt(job.taskPrice),
      pixelsChecked: report?.pixelsChecked ?? 0,
      maxError: report?.maxError ?? 0,
      patches: report?.patches ?? [],
      verifyMs: report?.verifyMs ?? 0,
      at: this.now(),
      audited,
    });
    // Counted as verified when accepted (held or not): a forfeit counts as a rejection. Counting
    // only re-rendered ones kept every operator a "newcomer" under load.
    this.o.reputation.verified(e.operator.address);
    if (!audited) {
      this.heldAnswers.add(key);
      this.held.heldMore(e.jobId, e.operator.address);
    }
    // Re-rendered after the answer (a newcomer's, under load); runs once this transaction commits.
    if (checked?.later) this.held.later(checked.later);
  }

  idle(jobId: string, op: OperatorRef): void {
    if (this.o.jobs.peek(jobId)) this.held.idle(jobId, op.address);
  }

  settle(jobId: string): Promise<void> | undefined {
    return this.o.jobs.find(jobId) ? this.held.settle(jobId) : undefined;
  }

  async answer(e: { jobId: string; taskIndex: number; operator: DeliveringOperator; resultHash: string }): Promise<Partial<Verdict>> {
    const job = this.o.jobs.find(e.jobId);
    if (!job) return {};
    const key = `${e.jobId}/${e.taskIndex}/${e.resultHash}`;
    const held = this.heldAnswers.delete(key) ? { held: true } : {};
    try {
      const v = await this.o.ledger.issue(e.jobId, e.operator.address, { chainJobId: job.chainJobId, domain: this.o.domain }, this.o.signer(), this.now());
      if (!v) return held;
      const { tasks: _t, at: _a, ...voucher } = v;
      return { voucher, ...held };
    } catch (err) {
      this.log(`payments: could not sign a voucher for ${e.operator.address} on ${e.jobId}: ${(err as Error).message}`);
      return {};
    }
  }

  duplicate(op: DeliveringOperator, header: ResultHeader): Verdict | undefined {
    const acc = this.o.ledger.acceptedOf(header.jobId, header.taskIndex, op.address);
    if (!acc || acc.resultHash !== header.sha256 || acc.operator.toLowerCase() !== op.address.toLowerCase()) return undefined;
    const held = acc.audited === false ? { held: true } : {};
    const v = this.o.ledger.latest(header.jobId, op.address);
    if (!v) return { verdict: 'accepted', reason: 'already accepted; the voucher follows with the next one', ...held };
    const { tasks: _t, at: _a, ...voucher } = v;
    return { verdict: 'accepted', voucher, ...held };
  }

  leaseFailed(e: { jobId: string; address: string; state: 'failed' | 'expired'; reason: string }): void {
    if (!this.o.jobs.find(e.jobId)) return;
    // A rejected result is counted by verify(); this is a timeout or a give-up.
    if (e.reason.startsWith(REJECTED_PREFIX)) return;
    this.o.reputation.timedOut(e.address);
  }

  /** Signs vouchers for accepted results that have none yet (after a crash). */
  async reconcile(): Promise<number> {
    let n = 0;
    for (const { jobId, operator } of this.o.ledger.unsigned()) {
      const job = this.o.jobs.find(jobId);
      if (!job) continue;
      await this.o.ledger.issue(jobId, operator, { chainJobId: job.chainJobId, domain: this.o.domain }, this.o.signer(), this.now());
      n++;
    }
    await this.o.durable?.();
    return n;
  }

  /** Frees the loaded scenes. */
  async dispose(): Promise<void> {
    await this.o.allocations?.stop();
    for (const p of this.scenes.values()) await p.then((s) => s.dispose(), () => undefined);
    this.scenes.clear();
  }
}
