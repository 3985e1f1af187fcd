/**
 * node/ — the one place a Rayfarm node is composed.
 *
 * A node is the libp2p transport and its protocols (net/), this node's creator side (the
 * dispatcher and its frame output, creator/dispatch/) and its operator side (the worker,
 * operator/work/), joined by links (links.ts: in-process for its own jobs, over the network
 * otherwise). The operator service's policy, thread cap and task history steer the worker;
 * with payments on, public mode's hooks (public-mode.ts) sit between the dispatcher, the
 * worker and the chain. The app (app.ts through app-network.ts), `rayfarm node` and
 * `rayfarm submit` all start their node here, so a node is assembled in exactly one way.
 *
 * Neither role imports the other, and net/ imports neither: the composition is here.
 */
import { availableParallelism } from 'node:os';
import type { BlenderInstall } from '../blender';
import type { DispatcherOptions } from '../creator/dispatch/dispatcher';
import type { NodeSigner } from '../net/identity';
import type { ReachOptions } from '../net/net-node';
import type { OperatorService } from '../operator/operator-service';
import type { TaskRenderer, WorkerEvent } from '../operator/work/worker';
import { operatorNetHooks } from '../operator/work/worker-bridge';
import type { Store } from '../store';
import { NetService } from './net-service';
import type { PublicModeSlot } from './public-mode';

/** Where and how the node joins the network. */
export interface NodeNetOptions extends ReachOptions {
  listen?: string[];
  bootstrap?: string[];
  /** Find peers on the LAN (default off here; the app and the CLI decide). */
  mdns?: boolean;
  /** A studio key: a private farm. */
  studioKey?: Uint8Array;
}

/** Everything a node is made from. */
export interface NodeOptions {
  store: Store;
  net?: NodeNetOptions;
  /** The key that signs this node's claims (public mode: the wallet's); default the node key. */
  signer?: NodeSigner;
  /** Render for the network, this node's own jobs included (default true). */
  render?: boolean;
  /**
   * The operator service whose render policy, thread cap and history steer the worker, and
   * which can hand the running task back. Without one the worker renders whenever there is work.
   */
  operator?: OperatorService;
  /** Render threads, overriding the operator's cap (`rayfarm node --threads`). */
  threads?: () => number | undefined;
  /** Public mode: its hooks go in now; a PublicMode already in the slot is attached once the node runs. */
  payments?: PublicModeSlot;
  /** How long leases last and how long a disconnected operator keeps its tasks. */
  dispatcher?: Pick<DispatcherOptions, 'leaseMs' | 'disconnectGraceMs'>;
  /** Why no new paid task of another creator may be taken now (the app's locked wallet), or undefined. */
  paidPause?: () => string | undefined;
  /** Each of the worker's task events, after the operator's history has taken it. */
  onWorkerEvent?: (e: WorkerEvent) => void;
  /** Tests and benches: another task renderer (a cheat, a fake GPU) and lease depth. */
  renderer?: TaskRenderer;
  workerDepth?: number;
  /** This machine's Blender (found by the caller): Blender jobs of its version are taken and rendered with it. */
  blender?: BlenderInstall | null;
  log?: (line: string) => void;
}

/** A running node. */
export interface RayfarmNode {
  readonly net: NetService;
  /** Stops public mode (if this node attached it), the worker's ties to the operator, then the network. */
  stop(): Promise<void>;
}

/** Starts a node from its parts. */
export async function startRayfarmNode(o: NodeOptions): Promise<RayfarmNode> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const hooks = o.operator ? operatorNetHooks(o.operator, { cores: availableParallelism() }, log) : undefined;
  const pay = o.payments?.netConfig();
  const net = await NetService.start({
    store: o.store,
    ...o.net,
    ...(o.signer ? { signer: o.signer } : {}),
    operator: o.render ?? true,
    dispatcher: { ...o.dispatcher, ...pay?.dispatcher },
    ...(pay ? { onVerdict: pay.onVerdict, mayAsk: pay.mayAsk, admitLease: pay.admitLease, minPricePerBenchHour: pay.minPricePerBenchHour } : {}),
    ...(hooks ? { shouldWork: hooks.shouldWork } : {}),
    ...(o.threads || hooks ? { threads: o.threads ?? hooks!.threads } : {}),
    onWorkerEvent: (e) => {
      hooks?.onWorkerEvent(e);
      o.onWorkerEvent?.(e);
    },
    ...(o.renderer ? { renderer: o.renderer } : {}),
    ...(o.blender ? { blender: o.blender } : {}),
    ...(o.workerDepth ? { workerDepth: o.workerDepth } : {}),
    ...(o.paidPause ? { paidPause: o.paidPause } : {}),
    log,
  });
  const self = net.stack.node.peerId;
  // This node's own jobs render whatever the policy says (the worker exempts them too).
  const detach = o.operator?.attachWorker({
    handBack: (reason) => net.worker.handBack(reason),
    progress: () => net.worker.progress(),
    policyCovers: (creator) => creator !== self,
    paymentStops: () => o.payments?.current?.operator.stoppedCreators() ?? [],
    forcedUnpaidLimit: () => (o.payments?.current?.maxUnpaidForced ? (o.payments.current.operator.unpaidLimit() ?? null) : null),
  });
  const attached = o.payments?.current ?? null;
  try {
    await attached?.attach(net);
  } catch (err) {
    detach?.();
    await net.stop();
    throw err;
  }
  return {
    net,
    async stop() {
      if (attached && o.payments?.current === attached) {
        o.payments.current = null;
        await attached.stop();
      }
      detach?.();
      await net.stop();
    },
  };
}
