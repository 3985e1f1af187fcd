/**
 * Finding peers beyond the bootstrap list: every peer discovered (mDNS on the LAN, the DHT's
 * answers) is dialled while the node has fewer connections than its target, and while it is
 * short a random walk asks the DHT for the peers closest to a random key, which discovers
 * more. Walks every second while that finds new peers (and again as soon as a new DHT
 * neighbour is identified), backs off to a minute when it does not, and stops asking once
 * the target is reached.
 */
import { randomBytes } from 'node:crypto';
import type { IdentifyResult, PeerInfo } from '@libp2p/interface';
import type { KadDHT } from '@libp2p/kad-dht';
import type { Libp2p } from 'libp2p';

/** Connections a node looks for before it stops dialling what it discovers. */
export const TARGET_PEERS = 32;
const WALK_FIRST_MS = 1000;
const WALK_MAX_MS = 60_000;
const WALK_TIMEOUT_MS = 10_000;
const DIAL_TIMEOUT_MS = 10_000;
/** Discovered peers dialled at once: a walk can name dozens, and each dial is a handshake. */
const MAX_DIALS_IN_FLIGHT = 4;
/** Discovered peers waiting for a dial slot. */
const MAX_QUEUED = 64;

/** Dials discovered peers and walks the DHT while the node has too few connections. */
export class PeerFinder {
  private timer: NodeJS.Timeout | undefined;
  private walkMs = WALK_FIRST_MS;
  private walking = false;
  /** Peers dialled so far (a walk that raised it found someone new). */
  private dialled = 0;
  private readonly dialling = new Set<string>();
  private readonly queued = new Map<string, PeerInfo>();
  private stopped = false;
  private readonly onDiscovery = (evt: CustomEvent<PeerInfo>): void => this.discovered(evt.detail);
  /** A new DHT neighbour knows peers we do not: walk again soon, whatever the backoff says. */
  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    if (this.stopped || this.walking || !this.short() || !evt.detail.protocols.includes(this.dhtProtocol)) return;
    this.walkMs = WALK_FIRST_MS;
    if (this.timer) clearTimeout(this.timer);
    this.schedule();
  };

  constructor(
    private readonly libp2p: Libp2p<{ dht?: KadDHT }>,
    private readonly target: number,
    private readonly dhtProtocol: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Discovered peers it has dialled: once the node has its target it dials no more. */
  get dials(): number {
    return this.dialled;
  }

  start(): void {
    this.libp2p.addEventListener('peer:discovery', this.onDiscovery);
    this.libp2p.addEventListener('peer:identify', this.onIdentify);
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.queued.clear();
    this.libp2p.removeEventListener('peer:discovery', this.onDiscovery);
    this.libp2p.removeEventListener('peer:identify', this.onIdentify);
    if (this.timer) clearTimeout(this.timer);
  }

  private short(): boolean {
    return this.libp2p.getPeers().length < this.target;
  }

  private discovered(info: PeerInfo): void {
    const id = info.id.toString();
    if (this.stopped || id === this.libp2p.peerId.toString() || this.dialling.has(id)) return;
    if (this.libp2p.getConnections(info.id).length > 0 || !this.short()) return;
    if (this.dialling.size >= MAX_DIALS_IN_FLIGHT) {
      // Kept for when a dial slot frees; the newest news wins when the queue is full.
      this.queued.delete(id);
      this.queued.set(id, info);
      if (this.queued.size > MAX_QUEUED) this.queued.delete(this.queued.keys().next().value!);
      return;
    }
    this.dialling.add(id);
    this.dialled++;
    this.dial(info)
      .catch((err: Error) => {
        if (!this.stopped) this.log(`net: could not reach discovered peer ${id.slice(-8)}: ${err.message}`);
      })
      .finally(() => {
        this.dialling.delete(id);
        const next = this.queued.entries().next();
        if (!next.done) {
          this.queued.delete(next.value[0]);
          this.discovered(next.value[1]);
        }
      });
  }

  private async dial(info: PeerInfo): Promise<void> {
    // A DHT answer carries the peer's addresses; keep them so the dial (by id) can use them.
    if (info.multiaddrs.length) await this.libp2p.peerStore.merge(info.id, { multiaddrs: info.multiaddrs });
    await this.libp2p.dial(info.id, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) });
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.walk(), this.walkMs);
    this.timer.unref();
  }

  /** One random walk when short of peers; each peer it hears of arrives as a discovery. */
  private async walk(): Promise<void> {
    const dht = this.libp2p.services.dht;
    if (this.walking || !dht || !this.short() || this.libp2p.getPeers().length === 0) {
      // Nobody to ask yet (bootstrap still dialling) or enough peers: look again later.
      this.walkMs = this.short() ? WALK_FIRST_MS * 2 : WALK_MAX_MS;
      this.schedule();
      return;
    }
    this.walking = true;
    const before = this.dialled;
    // The query's own abort can wait on dials in flight; the walk moves on at its deadline
    // whatever the query does, and lets it wind down in the background.
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), WALK_TIMEOUT_MS);
    const deadline = new Promise<'deadline'>((resolve) => stop.signal.addEventListener('abort', () => resolve('deadline'), { once: true }));
    const query = dht.getClosestPeers(randomBytes(32), { signal: stop.signal })[Symbol.asyncIterator]();
    try {
      for (;;) {
        const next = await Promise.race([query.next(), deadline]);
        if (next === 'deadline' || next.done || this.stopped) break;
        const ev = next.value;
        if (ev.name === 'FINAL_PEER') this.discovered(ev.peer);
        else if (ev.name === 'PEER_RESPONSE') for (const p of ev.closer) this.discovered(p);
      }
    } catch (err) {
      if (!this.stopped && !stop.signal.aborted) this.log(`net: DHT walk: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
      stop.abort();
      void query.return?.().catch(() => undefined);
      this.walking = false;
    }
    // A walk that turned up new peers is worth repeating soon; one that found nothing backs off.
    this.walkMs = this.dialled > before ? WALK_FIRST_MS : Math.min(WALK_MAX_MS, this.walkMs * 2);
    this.schedule();
  }
}
