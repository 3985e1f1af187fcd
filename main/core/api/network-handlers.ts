import type { networkCalls, NetworkJob, NetworkStatus } from '../../../shared/api/network';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { JobProgress } from '../creator/dispatch/dispatcher';
import { RayfarmError } from '../errors';
import type { NetService } from '../node/net-service';
import type { HandlerMap } from './api-server';

/** What the network calls need. */
export interface NetworkHandlerDeps {
  /** The running network service, or null when the network is off or failed to start. */
  net: () => NetService | null;
  /** Why the network is not running, for the error message. */
  problem: () => string | null;
  dataDir: string;
  /** Where the choice of network.setOperator is kept across restarts. */
  settings?: { set(key: string, value: unknown): void };
}

const LATENCY_FRESH_MS = 15_000;

function need(deps: NetworkHandlerDeps): NetService {
  const n = deps.net();
  if (!n) throw new RayfarmError('NET_OFF', deps.problem() ?? 'The network is not running on this node.');
  return n;
}

/** A job's progress in the API's shape. */
export function jobInfo(net: NetService, p: JobProgress): NetworkJob {
  return { ...p, framesWritten: net.output.framesWritten(p.id) };
}

const pinged = new WeakMap<NetService, Map<string, number>>();

/** The Network view's data; pings peers whose latency is stale, without waiting for them. */
export function networkStatus(net: NetService): NetworkStatus {
  const node = net.stack.node;
  let last = pinged.get(net);
  if (!last) {
    last = new Map();
    pinged.set(net, last);
  }
  const now = Date.now();
  const peers = [...node.peers.values()].map((p) => {
    if (p.connected && now - (last.get(p.id) ?? 0) > LATENCY_FRESH_MS) {
      last.set(p.id, now);
      void node.ping(p.id).catch(() => undefined);
    }
    const roles = [...p.roles].sort();
    return {
      id: p.id,
      address: p.address ?? null,
      role: (roles.length === 2 ? 'creator+operator' : (roles[0] ?? 'unknown')) as NetworkStatus['peers'][number]['role'],
      score: node.guard.score(p.id),
      latency: p.latencyMs ?? null,
      connected: p.connected,
    };
  });
  return {
    peerId: node.peerId,
    mode: node.mode,
    listenAddrs: node.listenAddrs(),
    operator: net.operatorEnabled,
    peers,
    announcements: net.stack.announce.list().map((a) => ({
      jobId: a.jobId,
      creator: a.creator.peerId,
      creatorAddress: a.creator.address.toLowerCase(),
      own: a.creator.peerId === node.peerId,
      width: a.width,
      height: a.height,
      spp: a.spp,
      frames: a.frames,
      tasks: a.tasks,
      tasksLeft: a.tasksLeft,
      tier: a.tier,
      perBenchHour: a.perBenchHour,
      expiresAt: a.expiresAt,
    })),
    jobs: net.dispatcher.list().map((p) => jobInfo(net, p)),
  };
}

/** Handlers for network.*. */
export function networkHandlers(deps: NetworkHandlerDeps): HandlerMap<keyof typeof networkCalls> {
  return {
    'network.status': () => networkStatus(need(deps)),
    'network.connect': async (input) => {
      const net = need(deps);
      try {
        await net.stack.node.dial(input.addr);
      } catch (err) {
        throw new RayfarmError('NET_UNREACHABLE', `Could not connect to ${input.addr}: ${(err as Error).message}`);
      }
      return { connected: true };
    },
    'network.setOperator': (input) => {
      const net = need(deps);
      net.setOperator(input.enabled);
      deps.settings?.set('net.operator', input.enabled);
      return { enabled: net.operatorEnabled };
    },
    'network.submit': (input) => {
      const net = need(deps);
      const id = `job-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
      const p = net.submit({ id, spec: input.spec, outDir: join(deps.dataDir, 'outputs', id) });
      return jobInfo(net, p);
    },
    'network.cancel': (input) => {
      const net = need(deps);
      net.dispatcher.cancelJob(input.jobId);
      const j = net.dispatcher.job(input.jobId);
      if (!j) throw new RayfarmError('JOB_NOT_FOUND', `There is no job ${input.jobId}.`);
      return jobInfo(net, j.progress);
    },
  };
}
