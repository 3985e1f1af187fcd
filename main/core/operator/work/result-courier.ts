/**
 * The worker's results on their way to the creator. A result is the operator's claim to pay,
 * so it is kept (in a blob store the worker alone owns) until the creator's answer is final
 * and stored: an accepted verdict once the payments hook has stored its voucher, a rejection,
 * or a duplicate. An `unknown` answer, a failed delivery or a hook that throws leave it
 * waiting, delivered again after a growing pause.
 */
import type { Verdict } from '../../net/result/messages';
import type { Held } from './worker-leases';
import type { WorkerOptions } from './worker-types';

/** Longest pause between deliveries of a waiting result. */
const WAIT_MAX_MS = 5 * 60_000;

/** What the courier needs from the worker. */
export interface CourierDeps extends Pick<WorkerOptions, 'results' | 'link' | 'onVerdict' | 'onEvent' | 'waitRetryMs'> {
  now: () => number;
  log: (line: string) => void;
  isHeld: (leaseId: string) => boolean;
  persist: (h: Held, resultHash: string, renderMs: number) => void;
  forget: (leaseId: string) => void;
  kick: () => void;
}

/** Keeps, delivers and settles rendered results. */
export class ResultCourier {
  private readonly delivering = new Set<Promise<void>>();
  private readonly waitRetryMs: number;

  constructor(private readonly o: CourierDeps) {
    this.waitRetryMs = o.waitRetryMs ?? 5000;
  }

  /** Keeps the result (so a restart can still deliver it), then delivers it. */
  finish(h: Held, bytes: Uint8Array, renderMs: number): void {
    if (!this.o.isHeld(h.lease.leaseId)) return;
    const hash = this.o.results.put(bytes);
    h.state = 'rendered';
    h.result = { hash, renderMs };
    this.o.persist(h, hash, renderMs);
    this.o.onEvent?.({ type: 'rendered', lease: h.lease, creator: h.creator, renderMs });
    this.deliver(h);
  }

  /**
   * Delivers a kept result once. Only a final answer forgets it, and only after onVerdict
   * stored what it carries (the voucher's transaction commits before the blob is deleted).
   */
  deliver(h: Held): void {
    const { lease } = h;
    const result = h.result;
    if (!result || h.state === 'rendering') return;
    h.state = 'rendered';
    const p = (async () => {
      let verdict: Verdict;
      try {
        const pixels = new Uint8Array(this.o.results.get(result.hash));
        verdict = await this.o.link(h.creator).deliver({ leaseId: lease.leaseId, jobId: lease.jobId, taskIndex: lease.task.index, width: lease.task.rect.width, height: lease.task.rect.height, renderMs: result.renderMs }, pixels);
        if (verdict.verdict === 'unknown') return this.wait(h, `the creator cannot judge it now (${verdict.reason ?? 'no reason given'})`);
        await this.o.onVerdict?.(lease, h.creator, verdict);
      } catch (err) {
        return this.wait(h, `delivery failed: ${(err as Error).message}`);
      }
      this.o.forget(lease.leaseId);
      this.o.results.delete(result.hash);
      this.o.onEvent?.({ type: 'verdict', lease, creator: h.creator, verdict });
    })().finally(() => {
      this.delivering.delete(p);
      this.o.kick();
    });
    this.delivering.add(p);
  }

  /** Delivers again each waiting result whose pause is over. */
  deliverDue(held: Iterable<Held>): void {
    const now = this.o.now();
    for (const h of held) if (h.state === 'waiting' && (h.retryAt ?? 0) <= now) this.deliver(h);
  }

  /** Resolves when every delivery in flight has ended. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.delivering]);
  }

  /** Keeps a result for a later delivery, with a growing pause. */
  private wait(h: Held, reason: string): void {
    if (!this.o.isHeld(h.lease.leaseId)) return;
    h.waits = (h.waits ?? 0) + 1;
    h.state = 'waiting';
    h.retryAt = this.o.now() + Math.min(WAIT_MAX_MS, this.waitRetryMs * 2 ** Math.min(h.waits - 1, 10));
    this.o.log(`worker: the result of ${h.lease.task.id} of ${h.lease.jobId} is kept: ${reason}`);
    this.o.onEvent?.({ type: 'waiting', lease: h.lease, creator: h.creator, reason });
  }
}
