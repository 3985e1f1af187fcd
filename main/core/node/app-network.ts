/**
 * The network as the app runs it: started from the app config and settings, its worker
 * tied to the operator service (policy hook, hand-back, task history), and its changes
 * sent to the UI. A failure to start is shown in the service list, not fatal.
 */
import type { NetworkStatus } from '../../../shared/api/network';
import type { NodeSigner } from '../net/identity';
import type { ReachOptions } from '../net/net-node';
import { reachOptions } from '../net/stack';
import { parseStudioKey } from '../net/studio-key';
import type { OperatorService } from '../operator/operator-service';
import type { ServiceStatusBoard } from '../service-status';
import { SettingsKeys } from '../settings-keys';
import type { Store } from '../store';
import type { NetService } from './net-service';
import { networkStatus } from './network-status';
import type { PublicModeSlot } from './public-mode';
import { benchOperatorBlender, operatorBlender } from './node-blender';
import type { BlenderInstall } from '../blender';
import { startRayfarmNode } from './start-node';
import type { RayfarmNode } from './start-node';

/**
 * Shown while new paid tasks are paused because the wallet is locked. Vouchers are made out
 * to the address a node is bound to, so a node never rebinds while it holds paid work: it
 * keeps its identity and stops taking new paid tasks instead.
 */
export const PAID_PAUSE_LOCKED = 'The wallet is locked: no new paid tasks until you unlock it. Tasks already taken finish, and their pay is kept and redeemed after unlock.';

/** Shown while no wallet exists: paid tasks need an address to be paid to. */
export const PAID_PAUSE_NO_WALLET = 'No wallet yet: create or import one to take paid tasks.';

/** The wallet as the network sees it: in public mode the node binds to it on unlock and keeps that binding. */
export interface NetWallet {
  status(): { unlocked: boolean; exists?: boolean };
  signer(): NodeSigner;
  onChange(fn: (s: { unlocked: boolean }) => void): () => void;
}

/** Network settings of the app (tests turn mDNS off and listen on loopback). */
export interface AppNetConfig extends ReachOptions {
  /** Default true. */
  enabled?: boolean;
  listen?: string[];
  bootstrap?: string[];
  /** Default true (unless RAYFARM_MDNS=0): find peers on the LAN. */
  mdns?: boolean;
  /** A studio key: a private farm. */
  studioKey?: Uint8Array;
}

/** The app's handle on the network. */
export interface AppNetwork {
  net: NetService | null;
  problem: string | null;
  /** Renders .blend jobs with this Blender from now on (the person chose another); absent while the network is off. */
  useBlender?: (install: BlenderInstall | null) => void;
  stop(): Promise<void>;
}

/** Starts the network service for the app (unless disabled). */
export async function startAppNetwork(opts: {
  config: AppNetConfig | undefined;
  store: Store;
  operator: OperatorService;
  wallet?: NetWallet;
  status: ServiceStatusBoard;
  emit: (s: NetworkStatus) => void;
  log: (l: string) => void;
  /** Public mode's payment hooks (public-mode.ts). */
  payments?: PublicModeSlot;
}): Promise<AppNetwork> {
  const ref: { net?: NetService } = {};
  // Public mode with a locked wallet (or none unlocked yet): new paid tasks wait for an unlock.
  const paidPause = (): string | undefined => {
    if (ref.net?.stack.node.mode !== 'public' || !opts.wallet) return undefined;
    const w = opts.wallet.status();
    if (w.unlocked) return undefined;
    return w.exists === false ? PAID_PAUSE_NO_WALLET : PAID_PAUSE_LOCKED;
  };
  const { config, store, operator, status, log } = opts;
  if (config?.enabled === false) {
    status.set('network', 'stopped', 'The network is off on this node.');
    return { net: null, problem: 'The network is off on this node.', stop: async () => undefined };
  }
  status.set('network', 'starting', 'Starting the network node…');
  const stored = store.settings.get<unknown>(SettingsKeys.netBootstrap, []);
  const bootstrap = [...(config?.bootstrap ?? []), ...(Array.isArray(stored) ? stored.filter((s): s is string => typeof s === 'string') : [])];
  let started: RayfarmNode;
  try {
    const storedKey = store.settings.get<unknown>(SettingsKeys.netStudioKey, null);
    const studioKey = config?.studioKey ?? (typeof storedKey === 'string' ? parseStudioKey(storedKey) : undefined);
    started = await startRayfarmNode({
      store,
      net: {
        ...(config?.listen ? { listen: config.listen } : {}),
        bootstrap,
        // RAYFARM_MDNS=0 keeps test runs off the LAN (vitest sets it).
        mdns: config?.mdns ?? process.env.RAYFARM_MDNS !== '0',
        ...(studioKey ? { studioKey } : {}),
        // Beyond the LAN (the public network, or a farm with bootstrap peers) the app may sit
        // behind NAT: it reserves a relay slot and asks the router for a port (RAYFARM_UPNP=0: not).
        reserveRelay: !studioKey || bootstrap.length > 0,
        upnp: process.env.RAYFARM_UPNP !== '0',
        ...(config ? reachOptions(config) : {}),
      },
      render: store.settings.get<boolean>(SettingsKeys.netOperator, true) !== false,
      operator,
      ...(opts.payments ? { payments: opts.payments } : {}),
      paidPause,
      log,
    });
    ref.net = started.net;
  } catch (err) {
    const why = `The network could not start: ${(err as Error).message}`;
    status.set('network', 'error', why);
    log(`rayfarm: ${why}`);
    return { net: null, problem: why, stop: async () => undefined };
  }
  const net = started.net;
  const node = net.stack.node;
  // Blender is probed after start (a Blender start-up): until it answers, Blender jobs wait.
  // RAYFARM_BLENDER=0 skips it (the test suite's nodes, which pass their own Blender).
  const useBlender = (b: BlenderInstall | null): void => {
    net.setBlender(b);
    operator?.setBlender(b);
    // Blender work is priced by the Cycles score of this node's Blender (measured once per version).
    if (b && operator) void benchOperatorBlender(store.settings, b, operator, (l) => log(`rayfarm: ${l}`));
  };
  if (process.env.RAYFARM_BLENDER !== '0') {
    const given = store.settings.get<unknown>(SettingsKeys.operatorBlenderPath, null);
    void operatorBlender(typeof given === 'string' && given ? given : undefined, (l) => log(`rayfarm: ${l}`))
      .then(useBlender)
      .catch((err: unknown) => log(`rayfarm: Blender: ${(err as Error).message}`));
  }
  status.set('network', 'ready', `${node.mode === 'studio' ? 'Studio farm' : 'Public network'} as ${node.peerId.slice(-8)} on ${node.listenAddrs().length} address(es)`);
  let pending: NodeJS.Timeout | undefined;
  const changed = () => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      try {
        opts.emit(networkStatus(net));
      } catch (err) {
        log(`rayfarm: network status: ${(err as Error).message}`);
      }
    }, 250);
    pending.unref();
  };
  // Public mode: the node binds to the wallet when it is unlocked and keeps that identity when
  // it locks again (vouchers for work in flight name it); the lock pauses new paid tasks.
  const bindWallet = async () => {
    operator.setPaidPause(paidPause() ?? null);
    if (node.mode !== 'public' || !opts.wallet) return;
    if (!opts.wallet.status().unlocked) {
      log(`rayfarm: wallet locked: new paid tasks paused; the network identity stays ${node.signer.address}`);
      changed();
      return;
    }
    const signer = opts.wallet.signer();
    const before = node.signer.address;
    await node.rebind(signer);
    if (node.signer.address !== before) {
      log(`rayfarm: network identity now bound to ${node.signer.address}`);
      await net.stack.hello.rebindAll();
      changed();
    }
  };
  const offWallet = opts.wallet?.onChange(() => void bindWallet().catch((err: Error) => log(`rayfarm: network binding: ${err.message}`)));
  await bindWallet().catch((err: Error) => log(`rayfarm: network binding: ${err.message}`));
  const offs = [...(offWallet ? [offWallet] : []), node.onPeer(changed), net.stack.announce.onAnnouncement(changed), net.dispatcher.onChange(changed), net.output.onFrame(changed)];
  return {
    net,
    problem: null,
    useBlender,
    async stop() {
      for (const off of offs) off();
      if (pending) clearTimeout(pending);
      await started.stop();
    },
  };
}
