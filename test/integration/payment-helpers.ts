/**
 * A public-mode farm for tests: one anvil with the token and an escrow of short grace, a
 * creator node with the verifier, job service and voucher ledger, and operator nodes with
 * voucher wallets and redeemers — honest, or cheating in one of several ways.
 */
import { randomBytes } from 'node:crypto';
import { Wallet } from 'ethers';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { jobEscrowAbi, jobEscrowBytecode, renderTokenAbi, renderTokenBytecode } from '../../contracts/generated';
import { connectChain } from '../../main/core/chain/network';
import type { ChainConnection } from '../../main/core/chain/network';
import { JobStateStore } from '../../main/core/creator/pay/job-state';
import { JobService } from '../../main/core/creator/pay/job-service';
import { CreatorPayments } from '../../main/core/creator/pay/payments';
import type { CreatorPaymentsOptions } from '../../main/core/creator/pay/payments';
import { heldPayTies } from '../../main/core/creator/pay/held-pay';
import { Allocations } from '../../main/core/creator/pay/allocations';
import type { PaymentHooks } from '../../main/core/creator/dispatch/dispatcher';
import { ReputationBook } from '../../main/core/creator/dispatch/reputation';
import { VoucherLedger } from '../../main/core/creator/proof/voucher-ledger';
import { readGlb } from '../../main/core/engine/gltf-io';
import { engineTaskRenderer } from '../../main/core/operator/work/engine-renderer';
import { OperatorPayments } from '../../main/core/operator/pay/operator-payments';
import type { TaskRenderer } from '../../main/core/operator/work/worker';
import type { NetServiceConfig } from '../../main/core/node/net-service';
import { escrowDomain } from '../../shared/voucher';
import { deploy, startTestChain } from '../contracts/fixture';
import type { TestChain } from '../contracts/fixture';
import { sampleScene, startNode } from './net-helpers';
import type { Node } from './net-helpers';

/** Ways an operator can cheat. */
export type CheatKind = 'random' | 'fewer-samples' | 'copied-task' | 'other-job' | 'altered-10pct' | 'partial-blocks';

/** The chain of a test farm. */
export interface PayChain {
  test: TestChain;
  conn: ChainConnection;
  treasury: string;
  grace: number;
  chainNow(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts anvil and deploys the token and an escrow with `grace` seconds of grace. */
export async function startPayChain(grace = 120): Promise<PayChain> {
  const test = await startTestChain();
  const deployer = test.accounts[0]!;
  const treasury = Wallet.createRandom().address;
  const token = await deploy(deployer, renderTokenAbi, renderTokenBytecode);
  const escrow = await deploy(deployer, jobEscrowAbi, jobEscrowBytecode, token, treasury, grace);
  const conn = await connectChain({ rpcUrl: test.anvil.rpcUrl, chainId: 31337, token, escrow });
  return {
    test,
    conn,
    treasury,
    grace,
    chainNow: async () => (await test.provider.getBlock('latest'))!.timestamp,
    async stop() {
      conn.close();
      await test.stop();
    },
  };
}

/** Something a test started: a node, or a farm member holding one. */
type Running = { stop(): Promise<void> } | { node: { stop(): Promise<void> } };

/** What every paid test file shares: one chain and the sample scene for the file. */
export interface PayFixture {
  readonly chain: PayChain;
  readonly scene: Uint8Array;
  /** Stops `it` after the current test, pass or fail. */
  track<T extends Running>(it: T): T;
  /** Mints `amount` test tokens to `address`. */
  faucet(address: string, amount: bigint): Promise<void>;
}

/**
 * Registers the file's hooks: anvil with the token and an escrow of `grace` seconds before all
 * tests, whatever a test tracked stopped after it, the chain stopped after all.
 */
export function usePayFixture(grace = 120): PayFixture {
  let chain: PayChain | undefined;
  let scene: Uint8Array | undefined;
  let running: Running[] = [];
  beforeAll(async () => {
    chain = await startPayChain(grace);
    scene = await sampleScene('animated.glb');
  });
  afterEach(async () => {
    const stopping = running;
    running = [];
    await Promise.all(stopping.map((r) => ('node' in r ? r.node.stop() : r.stop())));
  });
  afterAll(async () => {
    await chain?.stop();
  });
  return {
    get chain() {
      if (!chain) throw new Error('the pay chain is used before beforeAll started it');
      return chain;
    },
    get scene() {
      if (!scene) throw new Error('the sample scene is used before beforeAll loaded it');
      return scene;
    },
    track(it) {
      running.push(it);
      return it;
    },
    async faucet(address, amount) {
      await this.chain.conn.token.connect(this.chain.test.accounts[0]!).faucet(address, amount);
    },
  };
}

/** A creator node in public mode. */
export interface PayCreator {
  node: Node;
  wallet: Wallet;
  jobs: JobService;
  states: JobStateStore;
  ledger: VoucherLedger;
  reputation: ReputationBook;
  payments: CreatorPayments;
}

/** Starts a creator (no rendering of its own) paying from `wallet`. */
export async function startPayCreator(
  chain: PayChain,
  wallet: Wallet,
  opts: { dir?: string; maxTaskFailures?: number; baseRate?: bigint; hooks?: (honest: CreatorPayments) => Partial<PaymentHooks>; leaseMs?: number; audit?: CreatorPaymentsOptions['audit'] } = {},
): Promise<PayCreator> {
  const signer = wallet.connect(chain.conn.provider);
  // The stores live in the node's database, opened by startNode; the hooks are bound late.
  const late: { payments?: CreatorPayments; hooks?: Partial<PaymentHooks> } = {};
  const node: Node = await startNode({
    ...(opts.dir ? { dir: opts.dir } : {}),
    operator: false,
    signer,
    dispatcher: {
      verify: (i) => late.payments!.verify(i),
      // A dishonest creator (adversarial tests) replaces some hooks; the rest stay honest.
      payments: {
        admit: (j, op, tier) => (late.hooks?.admit ?? late.payments!.admit.bind(late.payments))(j, op, tier),
        taskPrice: (j) => late.payments!.taskPrice(j),
        leasePay: (j, a) => (late.hooks?.leasePay ?? late.payments!.leasePay.bind(late.payments))(j, a),
        accepted: (e) => late.payments!.accepted(e),
        answer: (e) => (late.hooks?.answer ?? late.payments!.answer.bind(late.payments))(e),
        duplicate: (op, h) => late.payments!.duplicate(op, h),
        leaseFailed: (e) => late.payments!.leaseFailed(e),
        settle: (j) => late.payments!.settle(j),
        idle: (j, op) => late.payments!.idle(j, op),
        bound: (a) => late.payments!.bound(a),
      },
      maxTaskFailures: opts.maxTaskFailures ?? 8,
      maxOperatorFailures: 2,
      pricePerBenchHour: () => '2',
      ...(opts.leaseMs ? { leaseMs: opts.leaseMs } : {}),
    },
  });
  const db = node.store.db;
  const states = new JobStateStore(db);
  const ledger = new VoucherLedger(db);
  const reputation = new ReputationBook(db);
  const svc = node.svc;
  late.payments = new CreatorPayments({
    jobs: states,
    ledger,
    reputation,
    secret: randomBytes(32),
    loadScene: async (hash) => readGlb(new Uint8Array(node.store.blobs.get(hash))),
    signer: () => signer,
    domain: escrowDomain(31337, chain.conn.escrow.address),
    leased: (jobId) => svc.dispatcher.leaseCount(jobId),
    allocations: new Allocations({ chain: chain.conn.escrow.connect(signer), batchMs: 50, log: (l) => node.lines.push(l) }),
    leasedTo: (jobId, address) => svc.dispatcher.leasedTo(jobId, address),
    held: heldPayTies(() => svc.dispatcher, node.store.blobs),
    ...(opts.audit ? { audit: opts.audit } : {}),
    log: (l) => node.lines.push(l),
  });
  if (opts.hooks) late.hooks = opts.hooks(late.payments);
  const jobs = new JobService({
    jobs: states,
    ledger,
    chain: chain.conn,
    signer: () => signer,
    runner: {
      submit: (i) => svc.submit(i),
      cancel: (id) => svc.dispatcher.cancelJob(id),
      progress: (id) => svc.dispatcher.job(id)?.progress,
      onJobFinished: (fn) => svc.dispatcher.onJobFinished(fn),
    },
    baseRatePerBH: () => opts.baseRate ?? 2n * 10n ** 18n,
    chainNow: chain.chainNow,
  });
  return { node, wallet, jobs, states, ledger, reputation, payments: late.payments };
}

/** An operator node in public mode. */
export interface PayOperator {
  node: Node;
  wallet: Wallet;
  payments: OperatorPayments;
  cheat?: CheatKind;
}

/** A renderer that cheats in the given way (over the honest engine renderer). */
export function cheatingRenderer(honest: TaskRenderer, kind: CheatKind): TaskRenderer {
  return {
    async render(input) {
      const { spec, task } = input;
      switch (kind) {
        case 'random': {
          const px = new Float32Array(task.rect.width * task.rect.height * 4);
          for (let i = 0; i < px.length; i++) px[i] = i % 4 === 3 ? 1 : Math.random();
          return px;
        }
        case 'fewer-samples':
          return honest.render({ ...input, spec: { ...spec, spp: Math.max(1, Math.floor(spec.spp / 4)) } });
        case 'copied-task':
          // The same rect of another frame: a frame copied from another task.
          return honest.render({ ...input, task: { ...task, frame: task.frame === 0 ? 1 : 0 } });
        case 'other-job':
          return honest.render({ ...input, spec: { ...spec, seed: spec.seed + 1 } });
        case 'partial-blocks': {
          // Skips a quarter of the tile in 8 × 8 blocks, left a flat grey.
          const px = (await honest.render(input)).slice();
          const w = task.rect.width;
          for (let by = 0; by < task.rect.height; by += 8) {
            for (let bx = 0; bx < w; bx += 8) {
              if ((bx / 8 + by / 8) % 4 !== 0) continue;
              for (let y = by; y < Math.min(task.rect.height, by + 8); y++) for (let x = bx; x < Math.min(w, bx + 8); x++) for (let c = 0; c < 3; c++) px[(y * w + x) * 4 + c] = 0.5;
            }
          }
          return px;
        }
        case 'altered-10pct': {
          const px = (await honest.render(input)).slice();
          const n = px.length / 4;
          for (let i = 0; i < n; i++) if (Math.random() < 0.1) for (let c = 0; c < 3; c++) px[i * 4 + c] = px[i * 4 + c]! * 1.5 + 0.01;
          return px;
        }
      }
    },
  };
}

/** Starts an operator paid to `wallet`, honest unless `cheat` is given. */
export async function startPayOperator(
  chain: PayChain,
  creatorAddr: string,
  wallet: Wallet,
  opts: { cheat?: CheatKind; threshold?: bigint; dir?: string; minPrice?: string; maxUnpaid?: bigint; net?: Partial<NetServiceConfig> } = {},
): Promise<PayOperator> {
  const signer = wallet.connect(chain.conn.provider);
  const late: { payments?: OperatorPayments } = {};
  let honest: ReturnType<typeof engineTaskRenderer> | undefined;
  const node = await startNode({
    ...opts.net,
    ...(opts.dir ? { dir: opts.dir } : {}),
    bootstrap: [creatorAddr],
    signer,
    onVerdict: (lease, creator, verdict) => late.payments!.onVerdict(lease, creator, verdict),
    mayAsk: (job, held) => late.payments?.mayAsk(job, held) ?? false,
    admitLease: (lease, job, held) => late.payments!.admitLease(lease, job, held),
    ...(opts.minPrice ? { minPricePerBenchHour: () => opts.minPrice! } : {}),
    ...(opts.cheat
      ? {
          renderer: {
            render: (input) => {
              honest ??= engineTaskRenderer(node.store.blobs);
              return cheatingRenderer(honest, opts.cheat!).render(input);
            },
          },
        }
      : {}),
  });
  late.payments = new OperatorPayments({
    db: node.store.db,
    chain: chain.conn,
    signer,
    address: wallet.address,
    threshold: opts.threshold ?? 10n ** 30n,
    nowS: chain.chainNow,
    graceMarginS: 30,
    log: (l) => node.lines.push(l),
    ...(opts.maxUnpaid !== undefined ? { maxUnpaid: opts.maxUnpaid } : {}),
  });
  late.payments.start(200);
  const stop = node.stop.bind(node);
  node.stop = async () => {
    await late.payments!.stop();
    await stop();
  };
  return { node, wallet, payments: late.payments, ...(opts.cheat ? { cheat: opts.cheat } : {}) };
}
