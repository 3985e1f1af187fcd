/**
 * Per-peer defences shared by every protocol: token-bucket rate limits, a misbehaviour
 * score, log-once for bad input, and a temporary block list that the connection gater
 * consults. A peer whose score falls to the block threshold is disconnected and refused
 * for `blockMs`.
 */

/** How often a peer may do something: `burst` at once, refilled at `perSecond`. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

/** Why a peer lost points. */
export type Offence = 'malformed' | 'oversized' | 'flood' | 'bad-signature' | 'timeout' | 'failed-task';

const PENALTY: Record<Offence, number> = {
  malformed: 10,
  oversized: 20,
  flood: 5,
  'bad-signature': 25,
  timeout: 2,
  'failed-task': 3,
};

interface Bucket {
  tokens: number;
  at: number;
}

interface PeerState {
  score: number;
  buckets: Map<string, Bucket>;
  logged: Set<string>;
  lastSeen: number;
}

/** Peers tracked at once; past it the least recently seen is forgotten (new peer ids cost nothing). */
export const MAX_TRACKED_PEERS = 10_000;
/** A peer neither seen nor blocked for this long is forgotten. */
export const PEER_IDLE_MS = 30 * 60_000;

/** Settings of a guard. */
export interface PeerGuardOptions {
  /** Score at or below which a peer is blocked (scores start at 0 and only fall, then recover). */
  blockAt?: number;
  blockMs?: number;
  /** Points recovered per minute of good behaviour. */
  recoverPerMinute?: number;
  now?: () => number;
  log?: (line: string) => void;
  /** Called once when a peer gets blocked (the node hangs up on it). */
  onBlock?: (peer: string) => void;
  /** Peers tracked at once (MAX_TRACKED_PEERS). */
  maxPeers?: number;
  /** Idle time after which a peer is forgotten (PEER_IDLE_MS). */
  idleMs?: number;
}

/**
 * Tracks every remote peer's standing. Bounded: a peer idle for `idleMs` is forgotten, and
 * past `maxPeers` the least recently seen goes first (both maps are kept in that order).
 */
export class PeerGuard {
  /** Least recently seen first: a touch moves a peer to the end. */
  private readonly peers = new Map<string, PeerState>();
  /** Earliest expiry first (every block lasts blockMs). */
  private readonly blocked = new Map<string, number>();
  private readonly blockAt: number;
  private readonly blockMs: number;
  private readonly recover: number;
  private readonly now: () => number;
  private readonly maxPeers: number;
  private readonly idleMs: number;

  constructor(private readonly opts: PeerGuardOptions = {}) {
    this.blockAt = opts.blockAt ?? -100;
    this.blockMs = opts.blockMs ?? 10 * 60_000;
    this.recover = opts.recoverPerMinute ?? 5;
    this.now = opts.now ?? Date.now;
    this.maxPeers = opts.maxPeers ?? MAX_TRACKED_PEERS;
    this.idleMs = opts.idleMs ?? PEER_IDLE_MS;
  }

  /** Peers tracked now (scores, buckets and blocks together); for tests and status. */
  trackedCount(): number {
    return new Set([...this.peers.keys(), ...this.blocked.keys()]).size;
  }

  private state(peer: string): PeerState {
    const now = this.now();
    let s = this.peers.get(peer);
    if (s) {
      // Recover slowly towards 0.
      const mins = (now - s.lastSeen) / 60_000;
      if (mins > 0 && s.score < 0) s.score = Math.min(0, s.score + mins * this.recover);
      this.peers.delete(peer);
    } else {
      s = { score: 0, buckets: new Map(), logged: new Set(), lastSeen: now };
      this.sweep(now);
    }
    s.lastSeen = now;
    this.peers.set(peer, s);
    return s;
  }

  /** Forgets idle peers and expired blocks, then the least recently seen past the cap. */
  private sweep(now: number): void {
    for (const [peer, s] of this.peers) {
      if (now - s.lastSeen < this.idleMs && this.peers.size < this.maxPeers) break;
      this.peers.delete(peer);
    }
    for (const [peer, until] of this.blocked) {
      if (now < until && this.blocked.size < this.maxPeers) break;
      this.blocked.delete(peer);
    }
  }

  /** True while the peer is refused. */
  isBlocked(peer: string): boolean {
    const until = this.blocked.get(peer);
    if (until === undefined) return false;
    if (this.now() >= until) {
      this.blocked.delete(peer);
      const s = this.peers.get(peer);
      if (s) s.score = 0;
      return false;
    }
    return true;
  }

  /** Takes one token for `key`; false (and a flood penalty) when the peer is over its limit. */
  allow(peer: string, key: string, limit: RateLimit): boolean {
    if (this.isBlocked(peer)) return false;
    const s = this.state(peer);
    const now = this.now();
    let b = s.buckets.get(key);
    if (!b) {
      b = { tokens: limit.burst, at: now };
      s.buckets.set(key, b);
    }
    b.tokens = Math.min(limit.burst, b.tokens + ((now - b.at) / 1000) * limit.perSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    this.penalize(peer, 'flood', `over its ${key} rate limit (${limit.perSecond}/s)`);
    return false;
  }

  /** Records misbehaviour; logs the first of each kind per peer; blocks at the threshold. */
  penalize(peer: string, offence: Offence, detail: string): void {
    const s = this.state(peer);
    s.score -= PENALTY[offence];
    if (!s.logged.has(offence)) {
      s.logged.add(offence);
      this.opts.log?.(`net: peer ${short(peer)} ${offence}: ${detail} (further ${offence} reports from it are not logged)`);
    }
    if (s.score <= this.blockAt && !this.blocked.has(peer)) {
      this.blocked.set(peer, this.now() + this.blockMs);
      this.opts.log?.(`net: blocking peer ${short(peer)} for ${Math.round(this.blockMs / 1000)} s (score ${Math.round(s.score)})`);
      this.opts.onBlock?.(peer);
    }
  }

  /** The peer's current score (0 is clean; lower is worse). */
  score(peer: string): number {
    return this.peers.has(peer) ? Math.round(this.state(peer).score) : 0;
  }
}

/** A peer id shortened for logs. */
export function short(peer: string): string {
  return peer.length > 12 ? `…${peer.slice(-8)}` : peer;
}
