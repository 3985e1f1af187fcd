/**
 * What the Network view shows of a running node: its peers (with latencies, pinged when
 * stale), the job announcements it hears and the jobs it dispatches.
 */
import type { NetworkJob, NetworkStatus } from '../../../shared/api/network';
import type { JobProgress } from '../creator/dispatch/dispatcher';
import type { NetService } from './net-service';

const LATENCY_FRESH_MS = 15_000;

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
      reach: p.connected ? node.reach(p.id) : null,
    };
  });
  return {
    peerId: node.peerId,
    mode: node.mode,
    listenAddrs: node.listenAddrs(),
    reachable: node.selfReach(),
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
