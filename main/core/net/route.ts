/**
 * Which connection a stream to a peer goes over: a direct one when there is one; otherwise a
 * direct dial to the peer's known non-relay addresses is tried (briefly, backing off after
 * each failure), and failing that the relayed connection carries the stream. libp2p's own dial
 * skips relayed ("limited") connections and would open a new circuit through the relay for
 * every stream; scenes and results should move directly whenever that is possible.
 */
import type { Connection } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Libp2p } from 'libp2p';

/** How long a direct dial to a relayed peer may take before the relay is used. */
export const DIRECT_DIAL_MS = 5000;
/** After a failed direct dial the relay is used alone for 1 s, then 2, 4 … up to 5 minutes. */
export const DIRECT_RETRY_FIRST_MS = 1000;
export const DIRECT_RETRY_MAX_MS = 5 * 60_000;
/** Peers whose last direct attempt is remembered (the oldest is forgotten first). */
const MAX_REMEMBERED = 4096;

/** Picks (or opens) the connection a stream to a peer uses. */
export class ConnectionRoute {
  /** Per relayed peer: when a direct dial may be tried again, and the pause after the next failure. */
  private readonly backoff = new Map<string, { until: number; nextMs: number }>();
  private readonly dialling = new Set<string>();

  constructor(
    private readonly libp2p: Libp2p,
    private readonly now: () => number = Date.now,
  ) {}

  /** An open connection to the peer, direct first; undefined when there is none (dial as usual). */
  async pick(peer: string, signal: AbortSignal): Promise<Connection | undefined> {
    const id = peerIdFromString(peer);
    const open = this.libp2p.getConnections(id).filter((c) => c.status === 'open');
    const direct = open.find((c) => !c.limits);
    if (direct || open.length === 0) return direct;
    const relayed = open[0]!;
    const wait = this.backoff.get(peer);
    if ((wait && this.now() < wait.until) || this.dialling.has(peer)) return relayed;
    const known = await this.libp2p.peerStore.get(id).catch(() => undefined);
    const addrs = (known?.addresses ?? []).map((a) => a.multiaddr).filter((a) => !a.getComponents().some((c) => c.name === 'p2p-circuit'));
    // No direct address known yet (identify may still bring one): try again on the next stream.
    if (addrs.length === 0) return relayed;
    // Until this dial ends, other streams use the relay rather than dial too.
    this.remember(peer, wait?.nextMs ?? DIRECT_RETRY_FIRST_MS);
    this.dialling.add(peer);
    try {
      const conn = await this.libp2p.dial(
        addrs.map((a) => (a.getComponents().some((c) => c.name === 'p2p') ? a : a.encapsulate(`/p2p/${peer}`))),
        { signal: AbortSignal.any([signal, AbortSignal.timeout(DIRECT_DIAL_MS)]) },
      );
      if (!conn.limits) this.backoff.delete(peer);
      return conn.limits ? relayed : conn;
    } catch {
      // Both ends may have dialled each other at once, and the other end's dial won: use it.
      // Otherwise (behind NAT without a hole punch) the relay it is.
      return this.libp2p.getConnections(id).find((c) => c.status === 'open' && !c.limits) ?? relayed;
    } finally {
      this.dialling.delete(peer);
    }
  }

  private remember(peer: string, pauseMs: number): void {
    this.backoff.delete(peer);
    this.backoff.set(peer, { until: this.now() + pauseMs, nextMs: Math.min(DIRECT_RETRY_MAX_MS, pauseMs * 2) });
    if (this.backoff.size > MAX_REMEMBERED) this.backoff.delete(this.backoff.keys().next().value!);
  }
}
