/**
 * How a peer is reached, from its connections' remote multiaddrs: through a circuit relay
 * (`/p2p-circuit`), on the LAN (private, loopback, link-local and carrier-grade NAT ranges),
 * directly over the internet, or directly after a hole punch (a direct connection opened
 * while a relayed one was up: DCUtR's upgrade).
 */
import { isPrivate } from '@libp2p/utils';
import type { Multiaddr } from '@multiformats/multiaddr';

/** The Network view's "how reached" column. */
export type Reach = 'direct' | 'hole-punched' | 'relayed' | 'lan';

const V4_LAN: Array<[number, number]> = [
  [0x0a000000, 8], // 10/8
  [0x7f000000, 8], // loopback
  [0xa9fe0000, 16], // link-local
  [0xac100000, 12], // 172.16/12
  [0xc0a80000, 16], // 192.168/16
  [0x64400000, 10], // 100.64/10, carrier-grade NAT
];

function v4(ip: string): number | undefined {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return undefined;
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

/** True for an address only a local network can route (RFC 1918, loopback, link-local, CGNAT, IPv6 ULA). */
export function isLanIp(ip: string): boolean {
  const n = v4(ip);
  if (n !== undefined) return V4_LAN.some(([base, bits]) => n >>> (32 - bits) === base >>> (32 - bits));
  const low = ip.toLowerCase();
  return low === '::1' || low.startsWith('fe80:') || /^f[cd][0-9a-f]{2}:/.test(low);
}

/** The reach of one connection from its remote multiaddr. */
export function reachOfAddr(addr: Multiaddr): Exclude<Reach, 'hole-punched'> {
  const parts = addr.getComponents();
  if (parts.some((c) => c.name === 'p2p-circuit')) return 'relayed';
  const ip = parts.find((c) => c.name === 'ip4' || c.name === 'ip6')?.value;
  return ip !== undefined && isLanIp(ip) ? 'lan' : 'direct';
}

const RANK: Record<Reach, number> = { lan: 3, 'hole-punched': 2, direct: 2, relayed: 1 };

/**
 * A peer's reach over its open connections: the best of them (a LAN or direct connection
 * is what streams use once it exists); `punched` marks a direct connection that replaced a relay.
 */
export function reachOfPeer(addrs: Multiaddr[], punched: boolean): Reach | null {
  let best: Reach | null = null;
  for (const a of addrs) {
    let r: Reach = reachOfAddr(a);
    if (r === 'direct' && punched) r = 'hole-punched';
    if (!best || RANK[r] > RANK[best]) best = r;
  }
  return best;
}

/** How other peers can start a connection to this node. */
export interface SelfReach {
  /**
   * `public`: an address others can dial (confirmed by AutoNAT's dial-backs, mapped by the
   * router over UPnP, or announced); `relayed`: only through a relay slot it holds; `lan`:
   * neither, so only peers on its own network can dial it (it can still dial out).
   */
  how: 'public' | 'relayed' | 'lan';
  /** The public addresses (`public`) or the relays' peer ids (`relayed`); empty for `lan`. */
  via: string[];
}

/**
 * This node's reach from the addresses it announces: libp2p announces a public address only
 * once it is confirmed (AutoNAT, UPnP or configured), a relayed one once a relay granted a slot,
 * and private ones (its own ranges, documentation and reserved ones included) unconfirmed; the
 * same ranges decide here what is public.
 */
export function selfReachOf(addrs: Multiaddr[]): SelfReach {
  const direct: string[] = [];
  const relays = new Set<string>();
  for (const a of addrs) {
    const parts = a.getComponents();
    const circuit = parts.findIndex((c) => c.name === 'p2p-circuit');
    if (circuit >= 0) {
      const relay = parts.slice(0, circuit).reverse().find((c) => c.name === 'p2p')?.value;
      if (relay) relays.add(relay);
    } else if (!isPrivate(a)) direct.push(a.toString());
  }
  if (direct.length) return { how: 'public', via: direct };
  if (relays.size) return { how: 'relayed', via: [...relays] };
  return { how: 'lan', via: [] };
}
