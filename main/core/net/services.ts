/**
 * The libp2p services of a Rayfarm node. Beyond identify, ping and gossipsub:
 *
 * - a Kademlia DHT under Rayfarm's own protocol id, so it never mixes with the public IPFS
 *   DHT; it keeps LAN and loopback addresses (studios, tests), and a node behind NAT is a
 *   client (it asks, never answers) until it has a public address;
 * - AutoNAT v2, which asks peers to dial each address back to learn which are reachable;
 * - DCUtR, which turns a relayed connection into a direct one by a synchronised dial;
 * - a circuit relay server on a node started with `--relay`, with explicit limits sized so
 *   a scene or result can cross it when no hole punch works (RELAY_LIMITS);
 * - UPnP port mapping on the router when asked.
 */
import { autoNATv2 } from '@libp2p/autonat-v2';
import { circuitRelayServer } from '@libp2p/circuit-relay-v2';
import { dcutr } from '@libp2p/dcutr';
import { gossipsub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht';
import { ping } from '@libp2p/ping';
import { uPnPNAT } from '@libp2p/upnp-nat';
import { gossipScoring } from './gossip-score';
import type { PeerGuard } from './peer-guard';

/** The DHT's protocol id: Rayfarm's own network of peers, not the IPFS one. */
export const DHT_PROTOCOL = '/rayfarm/kad/1.0.0';

/**
 * What a `--relay` node carries for others. A relayed connection lasts at most an hour and
 * carries at most 4 GiB each way before the relay closes it (the largest scene is 2 GiB, a
 * result a few hundred MiB); 128 reservations and 256 relayed streams at once bound its load.
 * These replace libp2p's default of 2 minutes and 128 KiB, which no scene would get through.
 */
export const RELAY_LIMITS = {
  maxReservations: 128,
  reservationTtlMs: 2 * 3600_000,
  durationMs: 3600_000,
  dataBytes: 4n << 30n,
  maxHopStreams: 256,
};

/** The options services.ts reads. */
export interface ServiceOptions {
  dhtServer?: boolean;
  relay?: boolean;
  upnp?: boolean;
}

/** The services object for createLibp2p. */
export function nodeServices(o: ServiceOptions, guard: PeerGuard) {
  return {
    identify: identify(),
    ping: ping(),
    pubsub: gossipsub({
      allowPublishToZeroTopicPeers: true,
      emitSelf: false,
      maxInboundDataLength: 1 << 20,
      heartbeatInterval: 700,
      ...gossipScoring(guard),
    }),
    dht: kadDHT({
      protocol: DHT_PROTOCOL,
      // A relay is dialled by everyone: it always answers. Otherwise the caller decides, or
      // the DHT switches to server mode once the node has a public address.
      ...(o.relay || o.dhtServer !== undefined ? { clientMode: !(o.relay || o.dhtServer) } : {}),
      peerInfoMapper: passthroughMapper,
      // Rayfarm stores no records in the DHT: it is used to find peers only.
      allowQueryWithZeroPeers: false,
    }),
    autonat: autoNATv2(),
    dcutr: dcutr(),
    ...(o.relay
      ? {
          relay: circuitRelayServer({
            reservations: {
              maxReservations: RELAY_LIMITS.maxReservations,
              reservationTtl: RELAY_LIMITS.reservationTtlMs,
              applyDefaultLimit: true,
              defaultDurationLimit: RELAY_LIMITS.durationMs,
              defaultDataLimit: RELAY_LIMITS.dataBytes,
            },
            maxInboundHopStreams: RELAY_LIMITS.maxHopStreams,
            maxOutboundStopStreams: RELAY_LIMITS.maxHopStreams,
          }),
        }
      : {}),
    ...(o.upnp ? { upnp: uPnPNAT({ portMappingDescription: 'Rayfarm node' }) } : {}),
  };
}
