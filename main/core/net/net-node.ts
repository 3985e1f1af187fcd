/**
 * The libp2p node: TCP + Noise + Yamux, identify, ping, gossipsub (scored), mDNS on the LAN
 * when asked, bootstrap peers dialled (and re-dialled) from the config, the studio key's
 * connection protector in studio mode, and the parts that reach beyond the LAN (services.ts):
 * a Rayfarm-only Kademlia DHT to find peers, AutoNAT v2, circuit relay (client, and server
 * with --relay), DCUtR hole punching and UPnP. Protocols register on it through `handle`,
 * which applies the node's per-peer guard to every stream.
 */
import '../polyfills';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import type { GossipSub } from '@libp2p/gossipsub';
import type { Connection, PeerId, PrivateKey, Stream } from '@libp2p/interface';
import type { KadDHT } from '@libp2p/kad-dht';
import { mdns } from '@libp2p/mdns';
import { noise } from '@libp2p/noise';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { yamux } from '@libp2p/yamux';
import { multiaddr } from '@multiformats/multiaddr';
import type { Multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import type { Libp2p } from 'libp2p';
import { PeerFinder, TARGET_PEERS } from './discovery';
import { NetError } from './errors';
import { FramedStream } from './framing';
import { PeerGuard } from './peer-guard';
import { studioKeyProtector } from './psk-protector';
import { reachOfAddr, reachOfPeer, selfReachOf } from './reach';
import { ConnectionRoute } from './route';
import type { Reach, SelfReach } from './reach';
import type { ProtocolLimits } from './rpc';
import { DHT_PROTOCOL, nodeServices } from './services';
import type { Binding, NetMode, NodeSigner } from './identity';
import { createBinding } from './identity';

/** How a node reaches beyond its LAN (DHT mode, relaying, NAT traversal, how many peers it looks for). */
export interface ReachOptions {
  /**
   * Answer DHT queries (a node others can dial) or only ask them (behind NAT). Default: a
   * server once the node has a public address, a client until then.
   */
  dhtServer?: boolean;
  /** Serve as a circuit relay for peers behind NAT, with the limits in services.ts. */
  relay?: boolean;
  /** Reserve a slot on a relay and advertise the relayed address (a node that may sit behind NAT). */
  reserveRelay?: boolean;
  /** Ask the router for a port mapping by UPnP. */
  upnp?: boolean;
  /** Connections looked for before discovered peers are no longer dialled (TARGET_PEERS). */
  targetPeers?: number;
}

/** Everything a node needs to start. */
export interface NetNodeConfig extends ReachOptions {
  privateKey: PrivateKey;
  signer: NodeSigner;
  /** Multiaddrs to listen on; default all interfaces, a free TCP port. */
  listen?: string[];
  /** Peers to dial at start and whenever the connection drops. */
  bootstrap?: string[];
  /** Find peers on the LAN by multicast DNS. */
  mdns?: boolean;
  /** 32-byte studio key: a private network (studio mode). Absent: the public network. */
  studioKey?: Uint8Array;
  log?: (line: string) => void;
}

/** What the node knows about one remote peer. */
export interface PeerRecord {
  id: string;
  /** Bound wallet or node address, once its binding was verified. */
  address?: string;
  roles: string[];
  latencyMs?: number;
  connected: boolean;
}

type Services = { identify: unknown; ping: Ping; pubsub: GossipSub; dht: KadDHT };

const REDIAL_MS = 5000;

/** A started libp2p node with Rayfarm's guard, identity and peer book. */
export class NetNode {
  readonly peerId: string;
  readonly mode: NetMode;
  readonly guard: PeerGuard;
  readonly peers = new Map<string, PeerRecord>();
  private binding: Binding | undefined;
  private redialTimer: NodeJS.Timeout | undefined;
  private finder: PeerFinder | undefined;
  /** Peers that had a relayed connection: a direct one opened alongside it is a hole punch. */
  private readonly relayedPeers = new Set<string>();
  private readonly punchedPeers = new Set<string>();
  private readonly lastReach = new Map<string, Reach>();
  /** The last reachability said in the log (said again only when it changes). */
  private lastSelfReach = '';
  private readonly route: ConnectionRoute;
  private readonly peerListeners = new Set<(peer: PeerRecord) => void>();
  private stopped = false;

  private constructor(
    readonly libp2p: Libp2p<Services>,
    private currentSigner: NodeSigner,
    private readonly config: NetNodeConfig,
    private readonly log: (line: string) => void,
    guard: PeerGuard,
  ) {
    this.peerId = libp2p.peerId.toString();
    this.route = new ConnectionRoute(libp2p);
    this.mode = config.studioKey ? 'studio' : 'public';
    this.guard = guard;
  }

  /** Builds and starts a node. */
  static async start(config: NetNodeConfig): Promise<NetNode> {
    const log = config.log ?? ((l: string) => process.stderr.write(`${l}\n`));
    // The guard exists before the node it protects; it reaches the node through this holder.
    const ref: { node?: NetNode } = {};
    const guard = new PeerGuard({ log, onBlock: (peer) => void ref.node?.hangUp(peer) });
    const listen = config.listen ?? ['/ip4/0.0.0.0/tcp/0'];
    const libp2p = await createLibp2p({
      privateKey: config.privateKey,
      // Listening on /p2p-circuit makes the relay transport reserve a slot on a relay it is
      // connected to and add the relayed address to the node's addresses.
      addresses: { listen: config.reserveRelay && !config.relay ? [...listen, '/p2p-circuit'] : listen },
      transports: [tcp(), circuitRelayTransport({ reservationCompletionTimeout: 20_000 })],
      connectionEncrypters: [noise()],
      // The window stays below the read buffer limit so a paused reader never overflows it.
      // Each blob range is a fresh stream: starting at 4 MiB (not growing from 1 MiB) and
      // letting it reach 8 MiB keeps loopback/LAN transfers from stalling on window updates
      // (bench:net blobMBps ~250 → ~320 on 2 cores). A paused reader still holds at most
      // its framing high-water mark plus one window per stream.
      streamMuxers: [yamux({ streamOptions: { initialStreamWindowSize: 4 << 20, maxStreamWindowSize: 8 << 20, maxReadBufferLength: 16 << 20 } })],
      ...(config.studioKey ? { connectionProtector: studioKeyProtector(config.studioKey) } : {}),
      peerDiscovery: config.mdns ? [mdns({ interval: 10_000 })] : [],
      // libp2p refuses a host's sixth inbound connection within a second; a studio behind one
      // NAT address (or nodes on one machine) joining through the DHT opens more than that.
      connectionManager: { maxConnections: 200, inboundConnectionThreshold: 32, maxIncomingPendingConnections: 32 },
      connectionGater: {
        denyInboundEncryptedConnection: (peer: PeerId) => guard.isBlocked(peer.toString()),
        denyOutboundEncryptedConnection: (peer: PeerId) => guard.isBlocked(peer.toString()),
        denyDialPeer: (peer: PeerId) => guard.isBlocked(peer.toString()),
      },
      services: nodeServices(config, guard),
    });
    const node = new NetNode(libp2p, config.signer, config, log, guard);
    ref.node = node;
    node.binding = await createBinding(config.signer, node.peerId, node.mode);
    node.wire();
    node.finder = new PeerFinder(libp2p, config.targetPeers ?? TARGET_PEERS, DHT_PROTOCOL, log);
    node.finder.start();
    await node.dialBootstrap();
    node.redialTimer = setInterval(() => void node.dialBootstrap(), REDIAL_MS);
    node.redialTimer.unref();
    return node;
  }

  private wire(): void {
    this.libp2p.addEventListener('peer:connect', (evt) => {
      const id = evt.detail.toString();
      const rec = this.record(id);
      rec.connected = true;
      this.emitPeer(rec);
    });
    this.libp2p.addEventListener('peer:disconnect', (evt) => {
      const id = evt.detail.toString();
      // How it was reached is about its connections: forgotten with the last of them.
      this.relayedPeers.delete(id);
      this.punchedPeers.delete(id);
      this.lastReach.delete(id);
      const rec = this.record(id);
      rec.connected = false;
      this.emitPeer(rec);
    });
    // Said when it changes: a relay slot granted or lost, an address confirmed by AutoNAT or mapped by UPnP.
    this.libp2p.addEventListener('self:peer:update', () => {
      const { how, via } = this.selfReach();
      const said = `${how} ${via.join(' ')}`;
      if (said === this.lastSelfReach) return;
      this.lastSelfReach = said;
      const words = how === 'public' ? `at ${via.join(', ')}` : how === 'relayed' ? `only through relay ${via.map((r) => r.slice(-8)).join(', ')} (behind NAT)` : 'only from its own network (no confirmed public address, no relay slot)';
      this.log(`net: this node is reachable ${words}`);
    });
    this.libp2p.addEventListener('connection:open', (evt) => {
      const id = evt.detail.remotePeer.toString();
      const reach = reachOfAddr(evt.detail.remoteAddr);
      if (reach === 'relayed') this.relayedPeers.add(id);
      else if (this.relayedPeers.has(id)) this.punchedPeers.add(id);
      // Said once per change (the Network view shows it all along); LAN peers are not news.
      const now = this.reach(id) ?? reach;
      if (now !== 'lan' && this.lastReach.get(id) !== now) this.log(`net: peer ${id.slice(-8)} reached ${now} (${evt.detail.remoteAddr.toString()})`);
      this.lastReach.set(id, now);
    });
  }

  /** How a connected peer is reached now (null when not connected). */
  reach(peer: string): Reach | null {
    const conns = this.libp2p.getConnections(peerIdFromString(peer)).filter((c) => c.status === 'open');
    return reachOfPeer(
      conns.map((c) => c.remoteAddr),
      this.punchedPeers.has(peer),
    );
  }

  private async dialBootstrap(): Promise<void> {
    if (this.stopped) return;
    await Promise.all(
      (this.config.bootstrap ?? []).map(async (addr) => {
        let ma: Multiaddr;
        try {
          ma = multiaddr(addr);
        } catch {
          this.log(`net: ignoring bootstrap address "${addr}": not a multiaddr`);
          return;
        }
        const id = ma.getComponents().find((c) => c.name === 'p2p')?.value;
        if (id && this.libp2p.getConnections(peerIdFromString(id)).length > 0) return;
        try {
          await this.libp2p.dial(ma, { signal: AbortSignal.timeout(10_000) });
        } catch (err) {
          if (!this.stopped) this.log(`net: bootstrap peer ${addr} not reachable yet: ${(err as Error).message}`);
        }
      }),
    );
  }

  /** Who signs this node's claims: the wallet (public mode, once unlocked) or the node key. */
  get signer(): NodeSigner {
    return this.currentSigner;
  }

  /**
   * Binds this peer id to another address (the wallet was unlocked, or locked again);
   * callers then re-run hello with connected peers so they learn the new binding.
   */
  async rebind(signer: NodeSigner): Promise<Binding> {
    if (signer.address.toLowerCase() === this.currentSigner.address.toLowerCase() && this.binding) return this.binding;
    this.binding = await createBinding(signer, this.peerId, this.mode);
    this.currentSigner = signer;
    return this.binding;
  }

  /** This node's signed binding record. */
  get ownBinding(): Binding {
    if (!this.binding) throw new Error('node not started');
    return this.binding;
  }

  /** Discovered peers this node dialled (bootstrap peers, DHT queries and peers that dialled it not counted). */
  discoveryDials(): number {
    return this.finder?.dials ?? 0;
  }

  /** How peers outside this node's own network can reach it (see reach.ts). */
  selfReach(): SelfReach {
    return selfReachOf(this.libp2p.getMultiaddrs());
  }

  /** Full listen multiaddrs, each ending in /p2p/<id>. */
  listenAddrs(): string[] {
    return this.libp2p.getMultiaddrs().map((a) => a.toString());
  }

  /** The record of a peer, created on first sight. */
  record(id: string): PeerRecord {
    let r = this.peers.get(id);
    if (!r) {
      r = { id, roles: [], connected: this.libp2p.getConnections(peerIdFromString(id)).length > 0 };
      this.peers.set(id, r);
    }
    return r;
  }

  /** Records that a peer proved its address (or changed roles); tells listeners. */
  setBound(id: string, address: string, roles: string[]): void {
    const r = this.record(id);
    r.address = address;
    r.roles = roles;
    this.emitPeer(r);
  }

  /** Calls `fn` whenever a peer connects, disconnects or is bound. */
  onPeer(fn: (peer: PeerRecord) => void): () => void {
    this.peerListeners.add(fn);
    return () => this.peerListeners.delete(fn);
  }

  private emitPeer(r: PeerRecord): void {
    for (const l of this.peerListeners) {
      try {
        l(r);
      } catch (err) {
        this.log(`net: peer listener failed: ${(err as Error).message}`);
      }
    }
  }

  /** Registers a protocol handler with its inbound stream limit. */
  async handle(protocol: string, handler: (stream: Stream, connection: Connection) => Promise<void>, limits: ProtocolLimits): Promise<void> {
    await this.libp2p.handle(
      protocol,
      async (stream, connection) => {
        if (this.guard.isBlocked(connection.remotePeer.toString())) {
          stream.abort(new NetError('NET_BLOCKED', 'blocked'));
          return;
        }
        await handler(stream, connection);
      },
      // Relayed connections are "limited" by the relay's data and time caps; ours are sized
      // for scenes and results (services.ts), so every Rayfarm protocol may run over them.
      { maxInboundStreams: limits.maxInboundStreams, maxOutboundStreams: limits.maxInboundStreams, runOnLimitedConnection: true },
    );
  }

  async unhandle(protocol: string): Promise<void> {
    await this.libp2p.unhandle(protocol);
  }

  /** Opens a framed stream to a peer for a protocol, bounded in time. */
  async open(peer: string, protocol: string, limits: ProtocolLimits): Promise<FramedStream> {
    let stream: Stream;
    const signal = AbortSignal.timeout(limits.timeoutMs);
    try {
      // Direct when possible, else over the relay (route.ts).
      const conn = await this.route.pick(peer, signal);
      stream = conn
        ? await conn.newStream(protocol, { signal, runOnLimitedConnection: true })
        : await this.libp2p.dialProtocol(peerIdFromString(peer), protocol, { signal, runOnLimitedConnection: true });
    } catch (err) {
      throw new NetError('NET_UNREACHABLE', `Cannot open ${protocol} to ${peer.slice(-8)}: ${(err as Error).message}`, { cause: err });
    }
    return new FramedStream(stream, Math.max(limits.maxMessageBytes, limits.maxBinaryFrameBytes ?? 0));
  }

  /** Remembers addresses for a peer (from an announcement) so it can be dialled. */
  async addAddresses(peer: string, addrs: string[]): Promise<void> {
    const multiaddrs: Multiaddr[] = [];
    for (const a of addrs) {
      try {
        multiaddrs.push(multiaddr(a));
      } catch {
        // Skip what is not a multiaddr; the announcement schema already bounded the list.
      }
    }
    if (multiaddrs.length) await this.libp2p.peerStore.merge(peerIdFromString(peer), { multiaddrs });
  }

  /** Round-trip time to a peer in ms, recorded in its peer record. */
  async ping(peer: string, timeoutMs = 2000): Promise<number> {
    const ms = await this.libp2p.services.ping.ping(peerIdFromString(peer), { signal: AbortSignal.timeout(timeoutMs) });
    this.record(peer).latencyMs = ms;
    return ms;
  }

  /** Dials a multiaddr (tests and `--bootstrap` at run time). */
  async dial(addr: string): Promise<void> {
    await this.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000) });
  }

  /** Drops every connection to a peer. */
  async hangUp(peer: string): Promise<void> {
    try {
      await this.libp2p.hangUp(peerIdFromString(peer));
    } catch (err) {
      this.log(`net: hang-up on ${peer.slice(-8)} failed: ${(err as Error).message}`);
    }
  }

  /** True when at least one connection to the peer is open. */
  isConnected(peer: string): boolean {
    return this.libp2p.getConnections(peerIdFromString(peer)).length > 0;
  }

  /** The gossipsub service. */
  get pubsub(): GossipSub {
    return this.libp2p.services.pubsub;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.redialTimer) clearInterval(this.redialTimer);
    this.finder?.stop();
    await this.libp2p.stop();
  }
}
