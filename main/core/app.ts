import { ApiServer } from './api/api-server';
import type { Handlers } from './api/api-server';
import { join } from 'node:path';
import { appHandlers } from './api/app-handlers';
import { operatorHandlers } from './api/operator-handlers';
import { operatorPayHandlers } from './api/operator-pay-handlers';
import { blenderHandlers } from './api/blender-handlers';
import { benchOperatorBlender } from './node/node-blender';
import type { OperatorPolicy } from '../../shared/api';
import { nativeEngineLoader } from './operator/hardware';
import type { IdleSource } from './operator/policy/idle-source';
import { systemIdleSource } from './operator/policy/idle-source';
import { OperatorService } from './operator/operator-service';
import { watchWalletLock } from './operator/work/worker-bridge';
import { jobOutputHandlers } from './api/job-output-handlers';
import { mediaHandlers } from './api/media-handlers';
import { sampleHandlers } from './api/sample-handlers';
import { JobOutputReader } from './output/job-output';
import { walletHandlers } from './api/wallet-handlers';
import { networkHandlers } from './api/network-handlers';
import { startAppNetwork } from './node/app-network';
import type { AppNetConfig } from './node/app-network';
import type { NetService } from './node/net-service';
import { sceneHandlers } from './api/scene-handlers';
import { SceneLibrary } from './scene/scene-library';
import { ChainConfigSchema, openChain } from './chain';
import type { ChainConfig } from './chain';
import { readChainChoice, resolveChainChoice } from './chain/presets';
import { chainHandlers } from './api/chain-handlers';
import type { OpenedChain } from './chain';
import { toErrorPayload } from './errors';
import { WalletService } from './wallet';
import { DownloadRegistry } from './downloads';
import { ServiceStatusBoard } from './service-status';
import { openStore } from './store';
import type { Store } from './store';
import { appVersion } from './version';
import { jobHandlers, publicJobInfo, taskVerdictInfo } from './api/job-handlers';
import { PublicModeSlot, runAppPublicMode } from './node/public-mode';
import type { PublicMode } from './node/public-mode';
import { baseRatePerBH } from './creator/pay/estimator';
import { recordRedeemed } from './operator/work/worker-bridge';
import { SettingsKeys } from './settings-keys';
import { findBlender } from './blender';

/** Everything needed to build the app; the CLI, Electron and tests each fill it in. */
export interface AppConfig {
  dataDir: string;
  /** Log sink; defaults to stderr. Never receives secrets. */
  log?: (line: string) => void;
  /**
   * The chain: 'auto' (default) uses the network in settings or, when none is set, starts
   * the embedded dev chain in the data folder; 'off' runs without one (studio mode, tests).
   */
  chain?: 'auto' | 'off';
  /** Opens a folder in the OS file manager; the desktop shell passes shell.openPath. */
  openPath?: (path: string) => Promise<void>;
  /** Wallet auto-lock after this much idle time (default 15 minutes). */
  walletAutoLockMs?: number;
  /** scrypt cost for new keystores (tests lower it). */
  walletScryptN?: number;
  /** Where the operator learns the person is away: Electron's powerMonitor; default: the OS idle time, where readable. */
  idleSource?: IdleSource;
  /** Operator policy forced by flags or a config file (wins over the stored settings). */
  operatorPolicy?: Partial<OperatorPolicy>;
  /** The libp2p network (default on, mDNS on); tests listen on loopback without mDNS. */
  net?: AppNetConfig;
}

/** The running core: its services and the API that fronts them. */
export interface App {
  readonly config: AppConfig;
  readonly store: Store;
  readonly status: ServiceStatusBoard;
  readonly api: ApiServer;
  /** The chain, when one is open. */
  readonly chain: OpenedChain | null;
  readonly wallet: WalletService;
  /** Policy, benchmark, history and status of this machine as a render node. */
  readonly operator: OperatorService;
  /** The network node, its dispatcher and worker; null when off or failed to start. */
  readonly network: NetService | null;
  /** Files the headless UI may download, registered by the services that own them. */
  readonly downloads: DownloadRegistry;
  /** Where browser uploads are staged (`<dataDir>/uploads`). */
  readonly uploadsDir: string;
  /** Paid work (both roles) while a chain, the network and an unlocked wallet are there; else null. */
  publicMode(): PublicMode | null;
  /** Stops every service in reverse order of start. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The composition root: builds every service from one config, in dependency order,
 * and wires the API to them. Nothing else constructs services.
 */
export async function createApp(config: AppConfig): Promise<App> {
  const log = config.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const startedAt = Date.now();
  const store = openStore(config.dataDir);
  const status = new ServiceStatusBoard();
  const downloads = new DownloadRegistry();
  const uploadsDir = join(store.dataDir, 'uploads');
  status.set('store', 'ready', `SQLite schema v${store.schemaVersion()} in ${store.dataDir}`);

  const stops: (() => Promise<void> | void)[] = [() => store.close()];

  const { chain, chainProblem } = await startChain(config, store, status, log);
  if (chain) stops.push(() => chain.stop());
  const wallet = new WalletService({
    dataDir: store.dataDir,
    chain: chain?.connection ?? null,
    db: store.db,
    ...(config.walletAutoLockMs !== undefined && { autoLockMs: config.walletAutoLockMs }),
    ...(config.walletScryptN !== undefined && { scryptN: config.walletScryptN }),
  });
  const walletStatus = () => {
    const w = wallet.status();
    status.set('wallet', 'ready', !w.exists ? 'No wallet yet: create or import one.' : `${w.address} (${w.unlocked ? 'unlocked' : 'locked'})`);
  };
  walletStatus();
  stops.push(() => wallet.lock());

  const operator = new OperatorService({ store, idle: config.idleSource ?? (await systemIdleSource()), engine: nativeEngineLoader(), overrides: config.operatorPolicy, log });
  operator.start();
  stops.push(() => operator.stop());

  // The network: a network of one on the defaults (its worker takes its own jobs); LAN peers join by mDNS.
  // Public mode (payments): its hooks go in now, its parts come alive while the wallet is unlocked.
  // The creator's Blender (the setting the Operator view shares, else blender on the PATH): found
  // on first use — it checks, packs and previews a .blend, prices Blender jobs and verifies them.
  const creatorBlender = () => {
    const given = store.settings.get<unknown>(SettingsKeys.operatorBlenderPath, null);
    return findBlender(typeof given === 'string' && given ? given : undefined);
  };
  const publicSlot = new PublicModeSlot({ store, baseRatePerBH: () => baseRatePerBH(store.settings) });
  const offJobEvents: (() => void)[] = [];
  const network = await startAppNetwork({ config: config.net, store, operator, wallet, status, emit: (s) => server.emit('network.changed', s), log, payments: publicSlot });
  stops.push(() => network.stop());
  stops.push(
    runAppPublicMode({
      slot: publicSlot,
      store,
      chain: chain?.connection ?? null,
      net: network.net,
      wallet,
      baseRatePerBH: () => baseRatePerBH(store.settings),
      log,
      onRedeemed: (r) => recordRedeemed(operator, r),
      blender: creatorBlender,
      onReady: (pm) => {
        // Public mode restarts with each unlock: drop the previous listeners first.
        for (const off of offJobEvents.splice(0)) off();
        // Events must never break the dispatcher or the ledger that raise them.
        const safely = (fn: () => void) => {
          try {
            fn();
          } catch (err) {
            log(`rayfarm: job event: ${(err as Error).message}`);
          }
        };
        const emitJob = (id: string) =>
          safely(() => {
            if (pm.states.find(id)) server.emit('job.updated', publicJobInfo(pm.jobs.summary(id)));
          });
        offJobEvents.push(
          pm.states.onChange((j) => emitJob(j.id)),
          pm.ledger.onVerdict((v) => safely(() => server.emit('job.task', { jobId: v.jobId, verdict: taskVerdictInfo(v) }))),
          ...(network.net ? [network.net.dispatcher.onChange(emitJob)] : []),
        );
      },
    }),
  );
  // Paid work waiting while the wallet is locked gets a notification (public mode only).
  if (chain) {
    const net = network.net;
    const others = () => (net ? net.stack.announce.list().filter((a) => a.tasksLeft > 0 && a.creator.peerId !== net.stack.node.peerId).length : 0);
    stops.push(watchWalletLock(operator, { walletLocked: () => wallet.status().exists && !wallet.status().unlocked, waitingJobs: others }));
  }

  // The engine is loaded on first use: a machine without the native build still imports scenes.
  const creatorEngine = async () => {
    const e = await import('./engine');
    return { loadScene: e.loadScene, renderTileDetailed: e.renderTileDetailed, benchmark: () => e.benchmark() };
  };
  const jobOutput = new JobOutputReader(store.db, store.blobs);
  downloads.register('job', (segments) => jobOutput.download(segments));
  const scenes = new SceneLibrary({ store, engine: creatorEngine, blender: creatorBlender, log });
  stops.push(() => scenes.close());

  const handlers: Handlers = {
    // Handlers emit events through the server built just below; they only run after it exists.
    ...appHandlers({ store, status, version: appVersion(), startedAt, events: () => server }),
    ...mediaHandlers(store.blobs),
    ...sampleHandlers(),
    ...jobOutputHandlers({ reader: jobOutput, ...(config.openPath && { openPath: config.openPath }) }),
    ...walletHandlers({ wallet, chain: () => chain, chainProblem: () => chainProblem }),
    ...chainHandlers({ settings: store.settings, startedWith: readChainChoice(store.settings) }),
    ...operatorHandlers(operator),
    ...blenderHandlers({
      operator,
      settings: store.settings,
      use: (b) => {
        if (network.useBlender) return network.useBlender(b);
        // The network is off: the hardware card and the Cycles score still follow the choice.
        operator.setBlender(b);
        void benchOperatorBlender(store.settings, b, operator, log);
      },
    }),
    ...operatorPayHandlers({ operator, publicMode: () => publicSlot.current, settings: store.settings }),
    ...sceneHandlers({ library: scenes, store, engine: creatorEngine, blender: creatorBlender, events: () => server }),
    ...jobHandlers({
      publicMode: () => publicSlot.current,
      blender: creatorBlender,
      db: store.db,
      dataDir: store.dataDir,
      problem: () =>
        !chain
          ? (chainProblem ?? 'No chain: payments are off.')
          : !network.net
            ? (network.problem ?? 'The network is off.')
            : wallet.status().exists
              ? 'Unlock the wallet to run paid jobs.'
              : 'Create a wallet in the Wallet view to run paid jobs.',
      emit: (e, p) => server.emit(e, p),
    }),
    ...networkHandlers({ net: () => network.net, problem: () => network.problem, dataDir: store.dataDir, settings: store.settings }),
  };
  const server = new ApiServer(handlers);
  status.onChange((all) => server.emit('app.services', all));
  operator.onStatus((s) => server.emit('operator.status', s));
  operator.onNotice((n) => server.emit('operator.notice', n));
  operator.onBenchmarkProgress((p) => server.emit('operator.benchmark.progress', p));
  operator.history.onChange((taskId) => server.emit('operator.history.changed', { taskId }));
  wallet.onChange((w) => {
    walletStatus();
    server.emit('wallet.changed', w);
  });

  await startEngineStatus(status);

  let stopped = false;
  log(`rayfarm: core started (data folder ${store.dataDir})`);
  return {
    config,
    store,
    status,
    api: server,
    chain,
    wallet,
    operator,
    network: network.net,
    downloads,
    uploadsDir,
    publicMode: () => publicSlot.current,
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const stop of stops.reverse()) {
        try {
          await stop();
        } catch (err) {
          log(`rayfarm: error while stopping: ${(err as Error).message}`);
        }
      }
    },
  };
}

/** Loads the native engine and says what it can render on; a failed load is shown, not fatal. */
async function startEngineStatus(status: ServiceStatusBoard): Promise<void> {
  try {
    const engine = await import('./engine');
    const list = engine.devices();
    status.set('engine', 'ready', list.map((d) => (d.backend === 'cpu' ? `CPU, ${d.threads} threads` : `CUDA: ${d.name}`)).join(' · ') || 'CPU');
  } catch (err) {
    status.set('engine', 'error', `The render engine could not be loaded: ${(err as Error).message}`);
  }
}

/** Opens the configured chain or the embedded dev chain; a failure is shown, not fatal. */
async function startChain(
  config: AppConfig,
  store: Store,
  status: ServiceStatusBoard,
  log: (line: string) => void,
): Promise<{ chain: OpenedChain | null; chainProblem: string | null }> {
  if (config.chain === 'off') {
    status.set('chain', 'stopped', 'Payments are off on this node (no chain).');
    return { chain: null, chainProblem: 'Payments are off on this node (no chain).' };
  }
  const configured = store.settings.get<unknown>(SettingsKeys.chainNetwork, null);
  const parsed = configured === null ? null : ChainConfigSchema.safeParse(configured);
  if (parsed && !parsed.success) {
    const why = `The chain settings are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
    status.set('chain', 'error', why);
    return { chain: null, chainProblem: why };
  }
  let network: ChainConfig | null;
  try {
    // The preset chosen in Settings (a public one without contracts is refused in words).
    network = resolveChainChoice(readChainChoice(store.settings));
    if (network && parsed?.success && parsed.data.fromBlock !== undefined) network.fromBlock = parsed.data.fromBlock;
  } catch (err) {
    const why = toErrorPayload(err).message;
    status.set('chain', 'error', why);
    return { chain: null, chainProblem: why };
  }
  status.set('chain', 'starting', network ? `Connecting to chain ${network.chainId}…` : 'Starting the embedded dev chain…');
  try {
    const chain = await openChain({ dataDir: store.dataDir, network, devMode: 'start', log });
    const c = chain.connection;
    status.set('chain', 'ready', c.isDevChain ? `Embedded dev chain ${c.chainId} at ${c.rpcUrl}` : `Chain ${c.chainId} at ${c.rpcUrl}`);
    return { chain, chainProblem: null };
  } catch (err) {
    const why = toErrorPayload(err).message;
    status.set('chain', 'error', why);
    log(`rayfarm: chain unavailable: ${why}`);
    return { chain: null, chainProblem: why };
  }
}
