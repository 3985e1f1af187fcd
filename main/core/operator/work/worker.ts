/**
 * operator/work/ — the operator's work loop: the worker (this file; its contracts in
 * worker-types.ts), whom to ask for work (job-picker.ts), its held leases (worker-leases.ts),
 * results kept until a final answer (result-courier.ts), tasks that crash the renderer
 * (crash-guard.ts), its link to the operator service (worker-bridge.ts), the scene cache
 * (scene-cache.ts) and the task renderer on the native engine (engine-renderer.ts).
 *
 * The operator's worker: follows its policy, asks creators for tasks (keeping one
 * rendering and one queued so the GPU never waits), fetches scenes into a size-capped
 * cache, renders in the background, delivers results, renews leases while it works, and
 * resumes after a restart (results rendered but not delivered are delivered then).
 *
 * A result waiting for a final answer (result-courier.ts) keeps its lease renewed, and no new
 * task of that creator is taken meanwhile, so a creator that never answers costs at most the
 * tasks already held. Waiting results do not hold the render slots (`depth` counts tasks still
 * to render), so such a creator does not stall work for others either.
 */
import type { Lease, OperatorOffer, WorkResponse } from '../../net/work/messages';
import { MAX_TASKS_PER_REQUEST } from '../../net/work/constants';
import { isCrash, TaskCrashGuard } from './crash-guard';
import { isGone } from './worker-retry';
import { CreatorChooser } from './job-picker';
import type { OpenJob } from './job-picker';
import type { WorkerOptions } from './worker-types';
import { paidLease, roomFor, WorkerLeaseStore } from './worker-leases';
import type { Held } from './worker-leases';
import { ResultCourier } from './result-courier';

export type { OpenJob } from './job-picker';
export type { CreatorLink, TaskRenderer, WorkerEvent, WorkerOptions, WorkerPolicy } from './worker-types';
export { MAX_UNSETTLED_RESULTS } from './worker-leases';

/** How long a paid job is left alone after its lease went back because paid work is paused. */
const PAID_PAUSE_RETRY_MS = 15_000;


/** How long a job whose lease the payments hook refused is left alone. */
const REFUSED_BACKOFF_MS = 5000;


/** The operator's loop. */
export class Worker {
  private readonly held = new Map<string, Held>();
  private rendering: Held | undefined;
  private filling = false;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private progressValue: number | null = null;
  private readonly now: () => number;
  private readonly depth: number;
  private readonly log: (l: string) => void;
  private readonly courier: ResultCourier;
  /** Jobs whose paid lease went back while paid work was paused. */
  private readonly pausedJobs = new Map<string, OpenJob>();
  private readonly crashes: TaskCrashGuard;
  private readonly leases: WorkerLeaseStore;
  private readonly chooser: CreatorChooser;

  constructor(private readonly o: WorkerOptions) {
    this.now = o.now ?? Date.now;
    this.crashes = new TaskCrashGuard(o.db, this.now);
    this.leases = new WorkerLeaseStore(o.db);
    this.chooser = new CreatorChooser(o.db, this.now, o.reputation);
    this.depth = o.depth ?? 2;
    this.log = o.log ?? (() => undefined);
    this.courier = new ResultCourier({
      ...o,
      now: this.now,
      log: this.log,
      isHeld: (leaseId) => this.held.has(leaseId),
      persist: (h, hash, renderMs) => this.persist(h, hash, renderMs),
      forget: (leaseId) => this.forget(leaseId),
      kick: () => this.kick(),
    });
  }

  /** Starts the loop and resumes what a previous run left. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.resume();
    this.timer = setInterval(() => this.tick(), 500);
    this.timer.unref();
    this.kick();
  }

  /** Stops taking work; the running render is handed back. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.handBack('the operator stopped');
    await this.courier.drain();
  }

  /** Fraction done of the running task, when known. */
  progress(): number | null {
    return this.rendering ? this.progressValue : null;
  }

  /** Leases held now. */
  heldCount(): number {
    return this.held.size;
  }

  /** Results kept until their creator gives a final answer (with its voucher, when paid). */
  waitingCount(): number {
    return [...this.held.values()].filter((h) => h.state === 'waiting').length;
  }

  /** Delivers every waiting result (of `creator`, if given) again now: the wallet was unlocked, or the creator is back. */
  redeliverWaiting(creator?: string): void {
    for (const h of this.held.values()) {
      if (creator !== undefined && h.creator !== creator) continue;
      if (h.state === 'waiting') h.retryAt = 0;
      // A creator that is back may have restarted: renew its leases at the next tick.
      if (creator !== undefined) h.renewedAt = 0;
    }
    if (!this.stopped) this.courier.deliverDue(this.held.values());
  }

  /** Paid work may go on (the wallet was unlocked): settle what waits and ask paused jobs again now. */
  paidWorkResumed(): void {
    for (const job of this.pausedJobs.values()) this.chooser.wake(job);
    this.pausedJobs.clear();
    this.redeliverWaiting();
    this.kick();
  }

  /** Something changed (a job announced, a task finished, the policy): look for work. */
  kick(): void {
    if (this.stopped) return;
    queueMicrotask(() => {
      void this.fill();
      this.runNext();
    });
  }

  private allowed(creator?: string): boolean {
    return this.o.policy().enabled && (creator === undefined || (this.o.shouldWork?.(creator) ?? true));
  }

  private offer(): OperatorOffer {
    const p = this.o.policy();
    return { engines: p.engines, maxSceneBytes: p.maxSceneBytes };
  }

  private persist(h: Held, resultHash: string | null = null, renderMs: number | null = null): void {
    this.leases.save(h, resultHash, renderMs, this.now());
  }

  private forget(leaseId: string): void {
    this.held.delete(leaseId);
    this.leases.delete(leaseId);
  }

  /** After a restart: deliver finished results, keep leases the creator still honours. */
  private resume(): void {
    for (const r of this.leases.restore(this.o.results, this.log)) {
      const { lease } = r;
      const h: Held = { lease, creator: r.creator, state: r.state === 'rendered' ? 'rendered' : 'queued', renewedAt: 0, abort: new AbortController() };
      this.held.set(lease.leaseId, h);
      if (h.state === 'rendered' && r.resultHash && this.o.results.has(r.resultHash)) {
        h.result = { hash: r.resultHash, renderMs: r.renderMs ?? 0 };
        this.courier.deliver(h);
      } else {
        h.state = 'queued';
        // Keep it only if the creator still knows the lease.
        this.o
          .link(h.creator)
          .renew(lease.leaseId)
          .then((ans) => {
            if (isGone(ans)) this.forget(lease.leaseId);
            else this.kick();
          })
          .catch(() => this.forget(lease.leaseId));
      }
    }
  }

  /** Asks creators for tasks until `depth` wait to be rendered (see roomFor). */
  private async fill(): Promise<void> {
    if (this.filling || this.stopped) return;
    this.filling = true;
    try {
      // One round: a bounded number of creators, best first (see job-picker.ts); the next
      // round starts when something changes (kick) or a backoff ends (armRetry). A creator with
      // a result still waiting for its answer (or on its way) gets no new work until it answers.
      const policy = this.o.policy();
      const owing = new Set([...this.held.values()].filter((h) => h.state === 'waiting' || h.state === 'rendered').map((h) => h.creator));
      const round = this.chooser.round(this.o.jobs(), {
        engines: policy.engines,
        maxSceneBytes: policy.maxSceneBytes,
        minPricePerBenchHour: policy.minPricePerBenchHour,
        allowed: (c) => !owing.has(c) && this.allowed(c),
        mayAsk: (j) => this.o.mayAsk?.(j, this.heldLeases()) ?? true,
      });
      for (const [i, job] of round.entries()) {
        const room = roomFor(this.held.values(), this.depth);
        if (this.stopped || room === 0 || !this.allowed()) return;
        // One task from each creator of the round as before; the last asked for every slot still
        // free, unless payments judge each lease against those held (then one at a time, as before).
        const count = i === round.length - 1 && !this.o.mayAsk && !this.o.admitLease ? Math.min(room, MAX_TASKS_PER_REQUEST) : 1;
        let res: WorkResponse;
        try {
          res = await this.o.link(job.creator).request(job.jobId, this.offer(), count);
        } catch (err) {
          this.chooser.rest(job, 2000, true);
          this.armRetry(2000);
          this.log(`worker: asking ${job.creator.slice(-8)} for work failed: ${(err as Error).message}`);
          continue;
        }
        if (res.status === 'ok' && res.lease) {
          for (const lease of [res.lease, ...(res.more ?? [])]) await this.take(lease, job);
        } else {
          const wait = res.status === 'none' || res.status === 'busy' ? res.retryAfterMs : res.status === 'denied' ? 60_000 : 5000;
          this.chooser.rest(job, Math.max(200, wait), res.status !== 'busy');
          this.armRetry(Math.max(200, wait));
        }
      }
    } finally {
      this.filling = false;
    }
  }

  /** A lease just received: kept and queued, or handed straight back (paid work paused, refused by payments). */
  private async take(lease: Lease, job: OpenJob): Promise<void> {
    const paused = paidLease(lease) ? this.o.paidPause?.(job.creator) : undefined;
    if (paused) {
      // Paid work is paused (the wallet is locked): a paid lease goes straight back, without
      // blame, and the job is asked again later. Only the lease says whether a job pays.
      this.pausedJobs.set(`${job.creator}/${job.jobId}`, job);
      await this.giveBack(lease, job, paused, PAID_PAUSE_RETRY_MS);
      return;
    }
    if (await this.refused(lease, job)) return;
    const h: Held = { lease, creator: job.creator, state: 'queued', renewedAt: this.now(), abort: new AbortController() };
    this.held.set(lease.leaseId, h);
    this.chooser.gaveWork(job.creator);
    this.persist(h);
    this.o.onEvent?.({ type: 'leased', lease: h.lease, creator: h.creator });
    this.prefetch(h);
    this.runNext();
  }

  private heldLeases(): Lease[] {
    return [...this.held.values()].map((h) => h.lease);
  }

  /** Asks the payments hook about a new lease; a refused one is handed back and its job rested. */
  private async refused(lease: Lease, job: OpenJob): Promise<boolean> {
    if (!this.o.admitLease) return false;
    const reason = await this.o.admitLease(lease, job, this.heldLeases()).catch((err: Error) => `the escrow could not be checked: ${err.message}`);
    if (!reason) return false;
    this.log(`worker: not working on ${lease.task.id} of ${lease.jobId}: ${reason}`);
    this.o.onEvent?.({ type: 'released', lease, creator: job.creator, reason });
    await this.giveBack(lease, job, reason, REFUSED_BACKOFF_MS);
    return true;
  }

  /** Hands a lease just received straight back, without blame, and leaves its job alone for `restMs`. */
  private async giveBack(lease: Lease, job: OpenJob, reason: string, restMs: number): Promise<void> {
    await this.o
      .link(job.creator)
      .release(lease.leaseId, reason.slice(0, 300))
      .catch((err: Error) => this.log(`worker: hand-back of ${lease.task.id} failed: ${err.message}`));
    this.chooser.rest(job, restMs, false);
    this.armRetry(restMs);
  }

  private retryTimer: NodeJS.Timeout | undefined;
  private armRetry(ms: number): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, ms);
    this.retryTimer.unref();
  }

  private prefetch(h: Held): Promise<void> {
    const { hash, bytes } = h.lease.scene;
    h.fetch ??= this.o.cache.ensure(hash, bytes, () => this.o.link(h.creator).fetchScene(hash, bytes, this.o.policy().maxSceneBytes, h.abort.signal), {
      signal: h.abort.signal,
      inUse: () => new Set([...this.held.values()].map((x) => x.lease.scene.hash)),
      onRetry: (err) => this.log(`worker: fetching the scene of ${h.lease.task.id} failed (${(err as Error).message}); trying again`),
    });
    h.fetch.catch(() => undefined);
    return h.fetch;
  }

  /** Starts the next queued task if nothing is rendering. */
  private runNext(): void {
    if (this.stopped || this.rendering || !this.allowed()) return;
    const next = [...this.held.values()].find((h) => h.state === 'queued' && this.allowed(h.creator));
    if (!next) return;
    this.rendering = next;
    next.state = 'rendering';
    void this.render(next).then((done) => {
      if (this.rendering === next) this.rendering = undefined;
      // Start the queued task first: storing and delivering this result happen while it renders.
      this.runNext();
      if (done) this.courier.finish(next, done.pixels, done.renderMs);
      void this.fill();
    }).catch((err: Error) => this.log(`worker: after rendering ${next.lease.task.id}: ${err.message}`));
  }

  /** Renders a held lease; undefined when it failed or was handed back (already reported). */
  private async render(h: Held): Promise<{ pixels: Uint8Array; renderMs: number } | undefined> {
    const { lease } = h;
    this.progressValue = 0;
    const refusal = this.crashes.refusal(lease);
    if (refusal) {
      this.log(`worker: refusing ${lease.task.id} of ${lease.jobId}: ${refusal}`);
      return this.failLease(h, refusal);
    }
    try {
      await this.prefetch(h);
      this.crashes.begin(lease);
      const started = this.now();
      this.persist(h);
      this.o.onEvent?.({ type: 'started', lease, creator: h.creator, at: started });
      const t0 = performance.now();
      const threads = this.o.threads?.();
      const pixels = await this.o.renderer.render({
        spec: lease.spec,
        task: lease.task,
        sceneHash: lease.scene.hash,
        ...(threads ? { threads } : {}),
        signal: h.abort.signal,
        onProgress: (f) => (this.progressValue = f),
      });
      this.crashes.ended(lease);
      return { pixels: new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength), renderMs: performance.now() - t0 };
    } catch (err) {
      if (h.abort.signal.aborted) {
        // Handed back or gone (already reported); after stop() the database may be closed.
        if (!this.stopped) this.crashes.ended(lease);
        return undefined;
      }
      if (isCrash(err)) this.crashes.crashed(lease, (err as Error).message);
      else this.crashes.ended(lease);
      return this.failLease(h, (err as Error).message);
    }
  }

  /** Gives a lease up as failed, telling the creator why. */
  private async failLease(h: Held, reason: string): Promise<undefined> {
    this.forget(h.lease.leaseId);
    this.o.onEvent?.({ type: 'failed', lease: h.lease, creator: h.creator, reason });
    await this.o
      .link(h.creator)
      .fail(h.lease.leaseId, reason.slice(0, 300))
      .catch(() => undefined);
    return undefined;
  }

  /** Renews leases at a third of their time-to-live. */
  private tick(): void {
    const now = this.now();
    for (const h of this.held.values()) {
      // A waiting result keeps its lease current, so it is still welcome when the creator can judge it.
      if (h.state === 'rendered' || now - h.renewedAt < h.lease.ttlMs / 3) continue;
      h.renewedAt = now;
      this.o
        .link(h.creator)
        .renew(h.lease.leaseId)
        .then((ans) => {
          if (!isGone(ans)) return;
          // The creator's final answer decides what becomes of a rendered result, not the lease.
          if (h.result) return;
          this.log(`worker: lease of ${h.lease.task.id} is gone; dropping it`);
          h.abort.abort();
          this.forget(h.lease.leaseId);
          this.kick();
        })
        .catch(() => undefined);
    }
    if (!this.stopped) this.courier.deliverDue(this.held.values());
    if (this.rendering && !this.allowed(this.rendering.creator)) void this.handBack('the policy says stop');
    else this.kick();
  }

  /** Cancels the running task and gives back every lease not yet rendered, without penalty. */
  async handBack(reason: string): Promise<void> {
    const back = [...this.held.values()].filter((h) => h.state === 'queued' || h.state === 'rendering');
    await Promise.all(
      back.map(async (h) => {
        h.abort.abort();
        this.forget(h.lease.leaseId);
        this.o.onEvent?.({ type: 'released', lease: h.lease, creator: h.creator, reason });
        await this.o
          .link(h.creator)
          .release(h.lease.leaseId, reason)
          .catch((err: Error) => this.log(`worker: hand-back of ${h.lease.task.id} failed: ${err.message}`));
      }),
    );
  }
}

