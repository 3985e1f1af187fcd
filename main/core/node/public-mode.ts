/**
 * Public mode: the payment hooks a NetService starts with (PublicModeSlot, the one list of
 * them), and — once the service runs — the creator's job service and the operator's voucher
 * intake and redeemer (PublicMode). startNode (start-node.ts) plugs them into a node.
 */
import { escrowDomain } from '../../../shared/voucher';
import type { JobSpec } from '../../../shared/job-spec';
import { formatTokens, parseTokens, tierRate } from '../../../shared/pricing';
import type { ChainConnection } from '../chain/network';
import type { NetService, NetServiceConfig } from './net-service';
import { OperatorPayments } from '../operator/pay/operator-payments';
import type { Redemption } from '../operator/pay/redeemer';
import type { Store } from '../store';
import { SettingsStore } from '../store';
import type { WalletKey } from '../wallet';
import { JobService } from '../creator/pay/job-service';
import { JobStateStore } from '../creator/pay/job-state';
import { verifyFinite } from '../creator/dispatch/dispatcher';
import { RayfarmError } from '../errors';
import { heldPayTies } from '../creator/pay/held-pay';
import { CreatorPayments } from '../creator/pay/payments';
import { Allocations } from '../creator/pay/allocations';
import { ReputationBook } from '../creator/dispatch/reputation';
import { VoucherLedger } from '../creator/proof/voucher-ledger';
import { creatorSecret } from '../creator/proof/verify-secret';
import { SettingsKeys } from '../settings-keys';
import type { BlenderInstall } from '../blender';
import { blendPatchRenderers } from '../creator/proof/blend-patches';
import { BlendTaskRenderer } from '../render/blend-task';

/** What public mode needs. */
export interface PublicModeOptions {
  store: Store;
  chain: ChainConnection;
  /** The wallet's key, connected to the chain (unlocked). */
  signer: WalletKey;
  address: string;
  baseRatePerBH: () => bigint;
  /** Operator side: redeem when this much is unredeemed on a job (default 10 tokens). */
  redeemThreshold?: bigint;
  redeemIntervalMs?: number;
  /** Operator side: the most unpaid work carried on one job; default the setting, else one task's pay. */
  maxUnpaid?: bigint;
  log?: (line: string) => void;
  onRedeemed?: (r: Redemption) => void;
  /** The creator's Blender: it verifies this node's Blender jobs (the same major.minor); a function when it is found on first use (the app). */
  blender?: BlenderInstall | null | (() => Promise<BlenderInstall | null>);
}

/** The operator's unpaid-work limit: the option, else the setting (decimal tokens), else none (one task's pay). */
function maxUnpaidOf(o: PublicModeOptions): { maxUnpaid?: bigint } {
  if (o.maxUnpaid !== undefined) return { maxUnpaid: o.maxUnpaid };
  const set = new SettingsStore(o.store.db).get<string | null>(SettingsKeys.operatorMaxUnpaid, null);
  return set ? { maxUnpaid: parseTokens(set) } : {};
}

/** The verifier's Blender renderer: at once for a known Blender, else on first use (absent then: a coded error). */
function blendRendererOf(b: BlenderInstall | (() => Promise<BlenderInstall | null>)): BlendTaskRenderer | (() => Promise<BlendTaskRenderer>) {
  if (typeof b !== 'function') return new BlendTaskRenderer(b);
  let made: BlendTaskRenderer | undefined;
  return async () => {
    const install = await b();
    if (!install) throw new RayfarmError('BLENDER_NOT_FOUND', 'Blender is not installed on this computer: Blender results cannot be checked.');
    if (made?.blender !== install) made = new BlendTaskRenderer(install);
    return made;
  };
}

/** Public mode's parts. */
export class PublicMode {
  /** Whether the unpaid-work limit was given by a flag (then the app cannot change it). */
  readonly maxUnpaidForced: boolean;
  readonly states: JobStateStore;
  readonly ledger: VoucherLedger;
  readonly reputation: ReputationBook;
  readonly creator: CreatorPayments;
  readonly operator: OperatorPayments;
  private jobService: JobService | undefined;
  private net: NetService | undefined;

  constructor(private readonly o: PublicModeOptions) {
    const db = o.store.db;
    this.maxUnpaidForced = o.maxUnpaid !== undefined;
    this.states = new JobStateStore(db);
    // Relaxed: vouchers are handed out only after the dispatcher's group commit (NetService's durable).
    this.ledger = new VoucherLedger(db, true);
    this.reputation = new ReputationBook(db);
    this.creator = new CreatorPayments({
      jobs: this.states,
      ledger: this.ledger,
      reputation: this.reputation,
      secret: creatorSecret(o.store.dataDir),
      loadScene: async (hash) => ({ sceneHash: hash, glb: () => o.store.blobs.get(hash) }),
      signer: () => o.signer,
      domain: escrowDomain(o.chain.chainId, o.chain.escrow.address),
      leased: (jobId) => this.net?.dispatcher.leaseCount(jobId) ?? 0,
      allocations: new Allocations({ chain: o.chain.escrow.connect(o.signer), ...(o.log ? { log: o.log } : {}) }),
      leasedTo: (jobId, address) => this.net?.dispatcher.leasedTo(jobId, address) ?? 0,
      ...(o.blender ? { blendPatches: blendPatchRenderers(blendRendererOf(o.blender), (s) => ({ sceneHash: s.sceneId, file: o.store.blobs.pathOf(s.sceneId) })) } : {}),
      durable: () => o.store.wal.sync(),
      held: heldPayTies(() => this.net?.dispatcher, o.store.blobs),
      ...(o.log ? { log: o.log } : {}),
    });
    this.operator = new OperatorPayments({
      db,
      chain: o.chain,
      signer: o.signer,
      address: o.address,
      threshold: o.redeemThreshold ?? 10n * 10n ** 18n,
      ...maxUnpaidOf(o),
      nowS: async () => (await o.chain.provider.getBlock('latest'))?.timestamp ?? Math.floor(Date.now() / 1000),
      ...(o.log ? { log: o.log } : {}),
      ...(o.onRedeemed ? { onRedeemed: o.onRedeemed } : {}),
    });
  }

  /** Binds to the running service: builds the job service, finishes what a crash left, starts the timers. */
  async attach(net: NetService): Promise<JobService> {
    this.net = net;
    this.jobService = new JobService({
      jobs: this.states,
      ledger: this.ledger,
      chain: this.o.chain,
      signer: () => this.o.signer,
      runner: {
        submit: (i) => net.submit(i),
        cancel: (id) => net.dispatcher.cancelJob(id),
        progress: (id) => net.dispatcher.job(id)?.progress,
        onJobFinished: (fn) => net.dispatcher.onJobFinished(fn),
      },
      baseRatePerBH: this.o.baseRatePerBH,
      chainNow: async () => (await this.o.chain.provider.getBlock('latest'))?.timestamp ?? Math.floor(Date.now() / 1000),
      ...(this.o.log ? { log: this.o.log } : {}),
    });
    await this.creator.reconcile();
    await this.jobService.reconcile();
    this.jobService.startTimers();
    this.operator.start(this.o.redeemIntervalMs ?? 5000);
    return this.jobService;
  }

  /** The address this public mode is paid to. */
  get address(): string {
    return this.o.address;
  }

  /** The job service (after attach). */
  get jobs(): JobService {
    if (!this.jobService) throw new Error('public mode is not attached to a network service yet');
    return this.jobService;
  }

  /** Stops the timers and frees the verifier's scenes. */
  async stop(): Promise<void> {
    this.jobService?.stop();
    await this.operator.stop();
    await this.creator.dispose();
  }
}

/** What the payment hooks read besides the current PublicMode. */
export interface PublicModeSlotOptions {
  store: Store;
  /** The base rate (tokens per bench-hour) the announced price follows. */
  baseRatePerBH: () => bigint;
  /** The operator's floor per bench-hour (decimal tokens); default: the setting. */
  minPricePerBenchHour?: () => string;
}

/**
 * Public mode's payment hooks, in one place: a NetService starts with them, and they
 * delegate to whatever PublicMode is current. `rayfarm node --chain` and `rayfarm submit
 * --chain` set one before the node starts; the app sets one while its wallet is unlocked.
 * With none (wallet locked), this node's paid jobs lease nothing and their results wait;
 * everything else runs as in studio mode.
 */
export class PublicModeSlot {
  current: PublicMode | null = null;
  /**
   * The voucher intake of the last public mode, kept while the wallet is locked: storing a
   * voucher needs no key (only redeeming does), so pay that arrives while locked is kept
   * at once and redeemed after the next unlock.
   */
  lockedIntake: OperatorPayments | null = null;
  private readonly states: JobStateStore;
  private readonly settings: SettingsStore;

  constructor(private readonly o: PublicModeSlotOptions) {
    this.states = new JobStateStore(o.store.db);
    this.settings = new SettingsStore(o.store.db);
  }

  /** The hooks for NetService.start. */
  netConfig(): Pick<NetServiceConfig, 'dispatcher' | 'onVerdict' | 'mayAsk' | 'admitLease' | 'minPricePerBenchHour'> {
    const paid = (jobId: string) => !!this.states.find(jobId);
    return {
      dispatcher: {
        verify: (i) => (this.current ? this.current.creator.verify(i) : paid(i.jobId) ? { verdict: 'unknown', reason: "the creator's wallet is locked; deliver again later" } : verifyFinite(i)),
        payments: {
          admit: (j, op, tier) => (this.current ? this.current.creator.admit(j, op, tier) : paid(j) ? "the creator's wallet is locked" : undefined),
          taskPrice: (j) => this.current?.creator.taskPrice(j),
          leasePay: (j, a) => this.current?.creator.leasePay(j, a),
          accepted: (e) => this.current?.creator.accepted(e),
          answer: async (e) => (this.current ? this.current.creator.answer(e) : {}),
          duplicate: (op, h) => this.current?.creator.duplicate(op, h),
          leaseFailed: (e) => this.current?.creator.leaseFailed(e),
          settle: (j) => this.current?.creator.settle(j),
          idle: (j, op) => this.current?.creator.idle(j, op),
          bound: (a) => this.current?.creator.bound(a),
        },
        // A cheat's rejected result must not fail the task for the honest operators after it.
        maxTaskFailures: 12,
        pricePerBenchHour: (spec: { tier: JobSpec['tier'] }) => formatTokens(tierRate(this.o.baseRatePerBH(), spec.tier)),
      },
      // The operator's floor: jobs paying less per bench-hour are skipped.
      minPricePerBenchHour: this.o.minPricePerBenchHour ?? (() => this.settings.get<string>(SettingsKeys.operatorMinPrice, '0')),
      onVerdict: async (lease, creator, verdict) => {
        const intake = this.current?.operator ?? this.lockedIntake;
        // No intake yet (never unlocked this session): the worker keeps the result and delivers it again after unlock.
        if (verdict.voucher && !intake) throw new RayfarmError('WALLET_LOCKED', 'A voucher arrived while the wallet is locked; the result is kept and delivered again.');
        await intake?.onVerdict(lease, creator, verdict);
      },
      mayAsk: (job, held) => this.current?.operator.mayAsk(job, held) ?? true,
      // Without the wallet the escrow cannot be checked for this operator: paid work waits.
      admitLease: async (lease, job, held) =>
        this.current ? this.current.operator.admitLease(lease, job, held) : BigInt(lease.price.amount ?? '0') > 0n ? "this node's wallet is locked; paid work waits for it" : undefined,
    };
  }
}

/** The wallet as public mode needs it. */
export interface PublicWallet {
  status(): { unlocked: boolean; address?: string | null };
  signer(): WalletKey;
  onChange(fn: (s: { unlocked: boolean }) => void): () => void;
}

/**
 * Runs public mode in the app while the wallet is unlocked (and a chain and the network
 * are up): attaches on unlock, stops on lock. Returns the stop function.
 */
export function runAppPublicMode(o: {
  slot: PublicModeSlot;
  store: Store;
  chain: ChainConnection | null;
  net: NetService | null;
  wallet: PublicWallet;
  baseRatePerBH: () => bigint;
  log: (line: string) => void;
  onReady?: (pm: PublicMode) => void;
  onRedeemed?: (r: Redemption) => void;
  /** The creator's Blender, found on first use: it verifies Blender jobs. */
  blender?: () => Promise<BlenderInstall | null>;
}): () => Promise<void> {
  let busy: Promise<void> = Promise.resolve();
  const sync = () => {
    busy = busy.then(async () => {
      const want = !!o.chain && !!o.net && o.wallet.status().unlocked;
      if (want && !o.slot.current) {
        const key = o.wallet.signer();
        const pm = new PublicMode({ store: o.store, chain: o.chain!, signer: key, address: key.address, baseRatePerBH: o.baseRatePerBH, log: o.log, ...(o.onRedeemed ? { onRedeemed: o.onRedeemed } : {}), ...(o.blender ? { blender: o.blender } : {}) });
        o.slot.current = pm;
        o.slot.lockedIntake = null;
        await pm.attach(o.net!);
        o.onReady?.(pm);
        o.log(`rayfarm: public mode on for ${key.address}`);
        // Results kept while locked (vouchers not stored, creators that answered later) settle now.
        o.net!.worker.paidWorkResumed();
      } else if (!want && o.slot.current) {
        const pm = o.slot.current;
        o.slot.current = null;
        await pm.stop();
        // Vouchers that arrive while locked are still stored (redeemed after unlock).
        if (pm.address.toLowerCase() === o.net?.stack.node.signer.address.toLowerCase()) o.slot.lockedIntake = pm.operator;
        o.log('rayfarm: public mode paused (wallet locked): vouchers are kept, redeemed after unlock');
      }
    }).catch((err: Error) => o.log(`rayfarm: public mode: ${err.message}`));
  };
  const off = o.wallet.onChange(sync);
  sync();
  return async () => {
    off();
    await busy;
    await o.slot.current?.stop();
    o.slot.current = null;
  };
}
