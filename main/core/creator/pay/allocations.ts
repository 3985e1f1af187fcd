/**
 * The creator's side of the escrow's ring fence: before an operator is leased a task of a paid
 * job, the creator makes sure that operator's allocation on chain covers everything it may be
 * owed there (its accepted results, its leases in flight and the new task). What is short is
 * asked for and sent in batches, one `allocate` per escrow job for every operator waiting, so a
 * round of leases costs one transaction; the operator asks again a moment later and is leased.
 * Allocations are read back from the chain before each batch, so a restart or a second
 * process never allocates twice for the same need. A caller may ask for `extra` beyond the
 * need (given only when the budget has it): a steady operator's next lease then does not wait
 * for a transaction, but what an operator that leaves was given ahead stays locked until close.
 */
import { getAddress } from 'ethers';

/** What the allocator needs from the escrow (EscrowClient connected to the creator's key). */
export interface AllocationChain {
  shareOf(chainJobId: string, operator: string): Promise<{ allocated: bigint }>;
  getJob(chainJobId: string): Promise<{ unallocated: bigint; balance: bigint; paid: bigint }>;
  allocate(chainJobId: string, operators: readonly string[], amounts: readonly bigint[]): Promise<unknown>;
}

/** Allocator settings. */
export interface AllocationsOptions {
  chain: AllocationChain;
  /** How long asks are gathered before one batch is sent. */
  batchMs?: number;
  log?: (line: string) => void;
}

interface Want {
  chainJobId: string;
  operator: string;
  need: bigint;
  extra: bigint;
}

/** Per-operator allocations of the creator's escrow jobs, topped up in batches. */
export class Allocations {
  private readonly known = new Map<string, bigint>();
  private readonly wanted = new Map<string, Want>();
  /** Escrow jobs whose unallocated budget could not cover an operator's need, with what they were funded with then. */
  private readonly short = new Map<string, bigint>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly log: (line: string) => void;

  constructor(private readonly o: AllocationsOptions) {
    this.log = o.log ?? (() => undefined);
  }

  private static key(chainJobId: string, operator: string): string {
    return `${chainJobId.toLowerCase()}|${getAddress(operator)}`;
  }

  /** The operator's allocation as last read or made on chain (0 before the first look). */
  allocated(chainJobId: string, operator: string): bigint {
    return this.known.get(Allocations.key(chainJobId, operator)) ?? 0n;
  }

  /**
   * True when the operator's allocation covers `need`; otherwise asks for the difference (sent
   * with the next batch) and returns false: the lease waits for the allocation, never the reverse.
   */
  cover(chainJobId: string, operator: string, need: bigint, extra = 0n): boolean {
    const key = Allocations.key(chainJobId, operator);
    if ((this.known.get(key) ?? 0n) >= need) return true;
    const prev = this.wanted.get(key);
    if (!prev || prev.need < need) this.wanted.set(key, { chainJobId, operator: getAddress(operator), need, extra });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.o.batchMs ?? 200);
    return false;
  }

  /**
   * Whether the last batch for this escrow job found too little unallocated budget, and the
   * job has not been topped up since (`funded`: what the creator has funded it with by now).
   */
  isShort(chainJobId: string, funded: bigint): boolean {
    const at = this.short.get(chainJobId.toLowerCase());
    return at !== undefined && at >= funded;
  }

  /** Sends every pending ask now: reads each share, then one allocate per escrow job. Serialised. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const next = this.flushing.then(() => this.send());
    this.flushing = next.catch(() => undefined);
    return next;
  }

  private async send(): Promise<void> {
    const wants = [...this.wanted.values()];
    this.wanted.clear();
    const byJob = new Map<string, Want[]>();
    for (const w of wants) byJob.set(w.chainJobId, [...(byJob.get(w.chainJobId) ?? []), w]);
    for (const [chainJobId, list] of byJob) {
      const operators: string[] = [];
      const amounts: bigint[] = [];
      try {
        const onChain = await this.o.chain.getJob(chainJobId);
        let left = onChain.unallocated;
        let short = false;
        for (const w of list) {
          const { allocated } = await this.o.chain.shareOf(chainJobId, w.operator);
          this.known.set(Allocations.key(chainJobId, w.operator), allocated);
          if (allocated >= w.need) continue;
          const must = w.need - allocated;
          if (must > left) {
            short = true;
            continue;
          }
          const amount = must + (w.extra < left - must ? w.extra : left - must);
          left -= amount;
          operators.push(w.operator);
          amounts.push(amount);
        }
        if (short) this.short.set(chainJobId.toLowerCase(), onChain.balance + onChain.paid);
        else this.short.delete(chainJobId.toLowerCase());
        if (operators.length === 0) continue;
        await this.o.chain.allocate(chainJobId, operators, amounts);
        operators.forEach((op, i) => {
          const key = Allocations.key(chainJobId, op);
          this.known.set(key, (this.known.get(key) ?? 0n) + amounts[i]!);
        });
        this.log(`payments: allocated ${amounts.join(', ')} to ${operators.map((a) => a.slice(0, 10)).join(', ')} on escrow job ${chainJobId.slice(0, 10)}`);
      } catch (err) {
        // The operators keep asking; the next ask retries with the shares read afresh.
        this.log(`payments: allocating on escrow job ${chainJobId.slice(0, 10)} failed: ${(err as Error).message}`);
      }
    }
  }

  /** Stops the batch timer (pending asks are dropped; operators ask again). */
  stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.wanted.clear();
    return this.flushing;
  }
}
