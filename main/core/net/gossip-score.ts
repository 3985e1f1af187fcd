/**
 * Gossipsub peer scoring for Rayfarm's topics. The announcement validator's verdict feeds it:
 * a rejected message counts as an invalid delivery on the topic (a penalty growing with the
 * square of their number), and the per-peer guard's score (every protocol's offences, floods
 * included) is the application-specific part. A peer below the thresholds stops getting
 * gossip, then cannot publish to us, then is graylisted (its messages dropped unread) and
 * pruned from the mesh.
 */
import type { GossipsubOpts } from '@libp2p/gossipsub';
import { ANNOUNCE_TOPIC } from './announce/constants';
import type { PeerGuard } from './peer-guard';

/** Decay factor per 1 s interval that leaves 1 % of a counter after `ms`. */
function decayOver(ms: number): number {
  return Math.pow(0.01, 1000 / ms);
}

/** Score thresholds (gossipsub's defaults, named here so tests and the README can cite them). */
export const GOSSIP_THRESHOLDS = { gossipThreshold: -10, publishThreshold: -50, graylistThreshold: -80, acceptPXThreshold: 10, opportunisticGraftThreshold: 20 };

/** Penalty per invalid announcement, squared in the count: two cost 40, three 90 (past graylist). */
export const INVALID_ANNOUNCEMENT_WEIGHT = -10;

/** The gossipsub options that turn scoring on for the announcement topic. */
export function gossipScoring(guard: PeerGuard): Pick<GossipsubOpts, 'scoreParams' | 'scoreThresholds'> {
  return {
    scoreParams: {
      topics: {
        [ANNOUNCE_TOPIC]: {
          topicWeight: 1,
          // A little credit for staying in the mesh and for being first with valid news, capped
          // so an old peer cannot bank enough to misbehave later.
          timeInMeshWeight: 0.01,
          timeInMeshQuantum: 1000,
          timeInMeshCap: 300,
          firstMessageDeliveriesWeight: 0.5,
          firstMessageDeliveriesDecay: decayOver(10 * 60_000),
          firstMessageDeliveriesCap: 20,
          // Announcements are sparse (a few per job every REANNOUNCE_MS, none without jobs): a
          // quiet mesh peer is not at fault, so the delivery-deficit penalties are off.
          meshMessageDeliveriesWeight: 0,
          meshMessageDeliveriesDecay: 0.5,
          meshMessageDeliveriesCap: 100,
          meshMessageDeliveriesThreshold: 1,
          meshMessageDeliveriesWindow: 10,
          meshMessageDeliveriesActivation: 5000,
          meshFailurePenaltyWeight: 0,
          meshFailurePenaltyDecay: 0.5,
          invalidMessageDeliveriesWeight: INVALID_ANNOUNCEMENT_WEIGHT,
          invalidMessageDeliveriesDecay: decayOver(10 * 60_000),
        },
      },
      topicScoreCap: 10,
      // The guard's score is 0 for a clean peer and falls with each offence on any protocol.
      appSpecificScore: (peer: string) => Math.min(0, guard.score(peer)),
      appSpecificWeight: 1,
      // Many peers from one address smell of Sybils, but a studio behind one NAT is honest:
      // only past 32 from one IP does it cost, and loopback (one machine) never does.
      IPColocationFactorWeight: -1,
      IPColocationFactorThreshold: 32,
      IPColocationFactorWhitelist: new Set(['127.0.0.1', '::1']),
      decayInterval: 1000,
      decayToZero: 0.01,
      retainScore: 10 * 60_000,
    },
    scoreThresholds: GOSSIP_THRESHOLDS,
  };
}
