/**
 * Public mode on the command line: `rayfarm submit --chain URL` funds an escrow, runs the
 * job with proof of render and vouchers, closes it after the grace period and prints what
 * was paid; `rayfarm node --chain URL` stores vouchers and redeems them, logging each
 * redemption. The wallet is the data folder's, unlocked with RAYFARM_PASSWORD or
 * --password-file.
 */
import type { BlenderInstall } from '../../core/blender';
import { cyclesBenchmark } from '../../core/blender';
import { estimateBlendJob } from '../../core/creator/pay/blend-estimate';
import { BlendTaskRenderer } from '../../core/render/blend-task';
import type { Document } from '@gltf-transform/core';
import { keccak256, toUtf8Bytes } from 'ethers';
import type { JobSpec } from '../../../shared/job-spec';
import { TierSchema } from '../../../shared/job-spec';
import { parseTokens } from '../../../shared/pricing';
import { DEV_CHAIN_ID } from '../../core/chain/anvil';
import { devAddresses } from '../../core/chain/deploy';
import { connectChain, probeChainId } from '../../core/chain/network';
import type { ChainConfig, ChainConnection } from '../../core/chain/network';
import { resolveChainChoice } from '../../core/chain/presets';
import { ChainPresetIdSchema } from '../../../shared/api/chain';
import { baseRatePerBH, estimateJob, localBenchmarkScore } from '../../core/creator/pay/estimator';
import { PublicMode, PublicModeSlot } from '../../core/node/public-mode';
import { startRayfarmNode } from '../../core/node/start-node';
import type { NodeOptions, RayfarmNode } from '../../core/node/start-node';
import { nativeEngine } from '../../core/render/render-task';
import { benchmark } from '../../core/engine';
import { RayfarmError } from '../../core/errors';
import type { Store } from '../../core/store';
import { WalletService } from '../../core/wallet';
import type { WalletKey } from '../../core/wallet';
import type { ParsedCommand } from '../options';
import { readPassword } from '../options';
import { denoiseJobFrames, frameList } from './denoise-job';

/** Flags of public mode. */
export const paidOptions = {
  chain: { type: 'string' },
  network: { type: 'string' },
  token: { type: 'string' },
  escrow: { type: 'string' },
  tier: { type: 'string' },
  'max-price': { type: 'string' },
  'bench-hours': { type: 'string' },
  'no-wait-close': { type: 'boolean', default: false },
  'redeem-threshold': { type: 'string' },
  'min-price': { type: 'string' },
  'max-unpaid': { type: 'string' },
} as const;

/** Help lines of public mode. */
export const paidOptionsHelp = `  --chain URL             public mode: pay through the escrow on this chain (a dev chain's
                          contracts are found by themselves; else add --token and --escrow)
  --network NAME          a payment network preset: dev | base-sepolia | base | custom (the public
                          ones are not deployed yet and are refused; dev and custom take --chain)
  --tier T                economy | priority | trusted (submit)
  --max-price TOKENS      refuse to fund a job that costs more (submit)
  --bench-hours BH        the job's work instead of measuring it (submit)
  --no-wait-close         exit when the job is done; the app closes the escrow later (submit)
  --redeem-threshold TOKENS  redeem once this much is unredeemed on a job (node; default 10)
  --min-price TOKENS      skip jobs paying less per bench-hour (node)
  --max-unpaid TOKENS     the most unpaid work carried on one job (node; default one task's pay)`;

/**
 * --network NAME: a preset from Settings. A public preset without contracts is refused in the
 * app's words (CHAIN_NOT_DEPLOYED); dev and custom are the chain given with --chain.
 */
export function checkNetworkPreset(args: ParsedCommand): void {
  const name = args.str('network');
  if (name === undefined) return;
  const id = ChainPresetIdSchema.safeParse(name);
  if (!id.success) throw new RayfarmError('CLI_BAD_ARGS', `--network takes dev, base-sepolia, base or custom, not "${name}".`);
  if (id.data !== 'dev' && id.data !== 'custom') resolveChainChoice({ preset: id.data });
  if (!args.str('chain')) throw new RayfarmError('CLI_BAD_ARGS', `--network ${id.data} needs --chain URL${id.data === 'custom' ? ' with --token and --escrow' : ' (the dev chain, e.g. from rayfarm devnet)'}.`);
}

/** A chain and the unlocked wallet of the data folder. */
export interface PaidSetup {
  chain: ChainConnection;
  key: WalletKey;
  close(): void;
}

/** Connects to --chain and unlocks the data folder's wallet. */
export async function openPaid(args: ParsedCommand, store: Store): Promise<PaidSetup> {
  checkNetworkPreset(args);
  const rpcUrl = args.str('chain')!;
  const chainId = await probeChainId(rpcUrl);
  let config: ChainConfig;
  const token = args.str('token');
  const escrow = args.str('escrow');
  if (token && escrow) config = { rpcUrl, chainId, token, escrow };
  else if (chainId === DEV_CHAIN_ID) config = { rpcUrl, chainId, ...devAddresses() };
  else throw new RayfarmError('CLI_BAD_ARGS', `Chain ${chainId} is not a dev chain: pass --token and --escrow.`);
  const chain = await connectChain(config);
  const wallet = new WalletService({ dataDir: store.dataDir, chain, db: store.db, txTimeoutMs: 120_000 });
  const password = readPassword(args.str('password-file'));
  if (password === undefined) {
    chain.close();
    throw new RayfarmError('CLI_PASSWORD_REQUIRED', 'Public mode needs the wallet: set RAYFARM_PASSWORD or pass --password-file FILE.');
  }
  await wallet.unlock(password);
  const key = wallet.signer();
  return {
    chain,
    key,
    close: () => {
      wallet.dispose();
      chain.close();
    },
  };
}

/** Public mode for a CLI node: a PublicMode on the data folder's wallet, already in its slot. */
export function publicModeFor(args: ParsedCommand, store: Store, setup: PaidSetup, log: (l: string) => void, blender?: BlenderInstall | null): PublicModeSlot {
  const threshold = args.str('redeem-threshold');
  const minPrice = args.str('min-price');
  const maxUnpaid = args.str('max-unpaid');
  const slot = new PublicModeSlot({ store, baseRatePerBH: () => baseRatePerBH(store.settings), ...(minPrice ? { minPricePerBenchHour: () => minPrice } : {}) });
  slot.current = new PublicMode({
    store,
    chain: setup.chain,
    signer: setup.key,
    address: setup.key.address,
    baseRatePerBH: () => baseRatePerBH(store.settings),
    ...(threshold ? { redeemThreshold: parseTokens(threshold) } : {}),
    ...(maxUnpaid ? { maxUnpaid: parseTokens(maxUnpaid) } : {}),
    redeemIntervalMs: 1000,
    log,
    ...(blender ? { blender } : {}),
    onRedeemed: (r) => console.log(JSON.stringify({ redeemed: { jobId: r.chainJobId, cumulative: r.cumulative, toOperator: r.operatorAmount, fee: r.fee, tx: r.txHash, trigger: r.trigger } })),
  });
  return slot;
}

/** `rayfarm submit --chain`: funds, runs, closes; prints the final JSON line. */
export async function paidSubmit(
  args: ParsedCommand,
  store: Store,
  input: { spec: JobSpec; doc?: Document; blender?: BlenderInstall; denoise?: boolean; outDir: string; sceneBytes: number; node: Pick<NodeOptions, 'net' | 'render' | 'dispatcher'> },
): Promise<number> {
  const log = (l: string) => console.error(l);
  const tier = TierSchema.safeParse(args.str('tier') ?? 'economy');
  if (!tier.success) throw new RayfarmError('CLI_BAD_ARGS', '--tier must be economy, priority or trusted.');
  const spec: JobSpec = { ...input.spec, tier: tier.data };
  const setup = await openPaid(args, store);
  const slot = publicModeFor(args, store, setup, log, input.blender);
  const pm = slot.current!;
  let node: RayfarmNode | undefined;
  try {
    const bhArg = args.str('bench-hours');
    let benchHours: number;
    if (bhArg !== undefined) benchHours = Number(bhArg);
    else if (input.blender) {
      // A .blend: probe renders with this machine's Blender (blend-estimate.ts).
      // Priced in bench-hours of Cycles: this machine's Cycles score (kept per Blender version).
      const score = (await cyclesBenchmark(store.settings, input.blender)).score;
      const pkg = { sceneHash: spec.sceneId, file: store.blobs.pathOf(spec.sceneId) };
      benchHours = (await estimateBlendJob(new BlendTaskRenderer(input.blender), pkg, spec, { localScore: score, baseRatePerBH: baseRatePerBH(store.settings), nodes: 1 })).benchHours;
    } else if (!input.doc) throw new RayfarmError('CLI_BAD_ARGS', 'This job needs --bench-hours N: there is no scene to probe.');
    else {
      const score = await localBenchmarkScore(store.settings, () => benchmark());
      benchHours = (await estimateJob(nativeEngine, input.doc, spec, { localScore: score, baseRatePerBH: baseRatePerBH(store.settings), nodes: 1 })).benchHours;
    }
    if (!(benchHours > 0)) throw new RayfarmError('CLI_BAD_ARGS', '--bench-hours must be above 0.');
    const max = args.str('max-price');
    node = await startRayfarmNode({ ...input.node, store, signer: setup.key, payments: slot, ...(input.blender ? { blender: input.blender } : {}), log });
    const svc = node.net;
    const jobs = pm.jobs;
    // The same command after a crash resumes the unfinished job of the same spec instead of paying twice.
    const specHash = keccak256(toUtf8Bytes(JSON.stringify(spec)));
    const unfinished = pm.states.list().find((j) => j.specHash === specHash && j.state !== 'closed' && j.outDir === input.outDir);
    const job = unfinished ?? jobs.create({ spec, sceneBytes: input.sceneBytes, benchHours, outDir: input.outDir, ...(max ? { maxPrice: parseTokens(max) } : {}) });
    if (unfinished) console.error(`rayfarm submit: resuming job ${job.id} (${job.state})`);
    else console.error(`rayfarm submit: job ${job.id} costs ${job.budget} (${job.tasks} tasks × ${job.taskPrice}, fee ${job.feeBps / 100} %); funding the escrow…`);
    if (pm.states.get(job.id).state === 'draft') await jobs.fund(job.id, (s) => console.error(`rayfarm submit: ${s.step} ${s.status}${s.txHash ? ` ${s.txHash}` : ''}`));
    if (pm.states.get(job.id).state === 'funded') jobs.start(job.id);
    console.error(`rayfarm submit: job ${job.id} offered as ${svc.stack.node.peerId}; waiting for operators…`);
    const started = performance.now();
    let last = '';
    const final = await new Promise<string>((resolve) => {
      const check = () => {
        const j = pm.states.get(job.id);
        const p = svc.dispatcher.job(job.id)?.progress;
        const line = `${j.state}: ${p ? `${p.done}/${p.tasks} tasks done, ${p.leased} rendering${p.waiting ? ` (${p.waiting})` : ''}` : ''}`;
        if (line !== last) console.error(`rayfarm submit: ${line}${j.state === 'paused' ? ' — top up the escrow to continue' : ''}`);
        last = line;
        const waitClose = !args.bool('no-wait-close');
        if (j.state === 'closed' || (!waitClose && (j.state === 'complete' || j.state === 'cancelled') && j.closableAt !== null)) {
          off();
          clearInterval(timer);
          resolve(j.state);
        }
      };
      const off = pm.states.onChange((j) => {
        if (j.id === job.id) check();
      });
      // The close comes from the chain's clock: look every second.
      const timer = setInterval(() => void jobs.closeDue().then(check, (err: Error) => log(`rayfarm submit: ${err.message}`)), 1000);
      check();
    });
    const s = jobs.summary(job.id);
    const refunded = final === 'closed' ? (s.refund ?? '0') : (BigInt(s.funded) - BigInt(s.paid)).toString();
    const frameNumbers = frameList(svc, job.id);
    const frames = frameNumbers.length;
    const denoised = input.denoise && input.blender ? await denoiseJobFrames(svc.output, { id: job.id, spec, frames: frameNumbers, outDir: input.outDir }, input.blender, log) : undefined;
    const seconds = Math.round((performance.now() - started) / 10) / 100;
    console.log(
      JSON.stringify({
        jobId: job.id,
        chainJobId: s.chainJobId,
        state: final,
        tasks: s.tasks,
        frames,
        outDir: input.outDir,
        seconds,
        paid: s.paid,
        fee: s.fee,
        refunded,
        rejected: s.rejected,
        ...(denoised ? { denoised: denoised.written.length } : {}),
      }),
    );
    return s.progress?.failed ? 1 : 0;
  } finally {
    // A started node stops its public mode first; one that never started leaves it to us.
    if (node) await node.stop();
    else await pm.stop();
    setup.close();
  }
}
