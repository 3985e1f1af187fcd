import { z } from 'zod';
import { JobSpecSchema } from '../job-spec';
import { call, NoInput } from './define';

/** One peer as the Network view lists it. */
export const NetworkPeerSchema = z.object({
  id: z.string(),
  /** The wallet (public) or node (studio) address its binding proved; null until bound. */
  address: z.string().nullable(),
  role: z.enum(['creator', 'operator', 'creator+operator', 'unknown']),
  /** 0 is clean; misbehaviour lowers it. */
  score: z.number(),
  /** Round-trip time in ms; null until measured. */
  latency: z.number().nullable(),
  connected: z.boolean(),
  /**
   * How it is reached now: on the LAN, directly over the internet, through a circuit relay,
   * or directly after a hole punch replaced the relay; null while not connected.
   */
  reach: z.enum(['lan', 'direct', 'hole-punched', 'relayed']).nullable(),
});
export type NetworkPeer = z.infer<typeof NetworkPeerSchema>;

/** A job announcement heard on the network (ours included). */
export const AnnouncementInfoSchema = z.object({
  jobId: z.string(),
  creator: z.string(),
  creatorAddress: z.string(),
  own: z.boolean(),
  width: z.number(),
  height: z.number(),
  spp: z.number(),
  frames: z.number(),
  tasks: z.number(),
  tasksLeft: z.number(),
  tier: z.string(),
  perBenchHour: z.string(),
  expiresAt: z.number(),
});
export type AnnouncementInfo = z.infer<typeof AnnouncementInfoSchema>;

/** Progress of a job this node dispatches. */
export const NetworkJobSchema = z.object({
  id: z.string(),
  state: z.enum(['active', 'done', 'failed', 'cancelled']),
  tasks: z.number(),
  done: z.number(),
  failed: z.number(),
  leased: z.number(),
  /** Why an active job is stuck (every operator asking was barred for failing it), or null. */
  waiting: z.string().nullable(),
  framesWritten: z.number(),
  createdAt: z.number(),
  finishedAt: z.number().nullable(),
});
export type NetworkJob = z.infer<typeof NetworkJobSchema>;

/** Everything the Network view shows. */
export const NetworkStatusSchema = z.object({
  peerId: z.string(),
  mode: z.enum(['studio', 'public']),
  listenAddrs: z.array(z.string()),
  /**
   * How peers outside its own network can reach this node: at a confirmed public address, only
   * through a relay slot (behind NAT), or not at all yet (`lan`). `via`: those addresses, or the relays' peer ids.
   */
  reachable: z.object({ how: z.enum(['public', 'relayed', 'lan']), via: z.array(z.string()) }),
  /** This node renders for the network (its own jobs included). */
  operator: z.boolean(),
  peers: z.array(NetworkPeerSchema),
  announcements: z.array(AnnouncementInfoSchema),
  jobs: z.array(NetworkJobSchema),
});
export type NetworkStatus = z.infer<typeof NetworkStatusSchema>;

export const networkCalls = {
  'network.status': call(NoInput, NetworkStatusSchema, 'This node, its peers, the jobs announced and the jobs it dispatches.'),
  'network.connect': call(z.object({ addr: z.string().min(1).max(300) }).strict(), z.object({ connected: z.boolean() }), 'Connects to a peer by its full multiaddr (ending in /p2p/<id>).'),
  'network.setOperator': call(z.object({ enabled: z.boolean() }).strict(), z.object({ enabled: z.boolean() }), 'Turns rendering for the network on or off on this node.'),
  'network.submit': call(
    z.object({ spec: JobSpecSchema }).strict(),
    NetworkJobSchema,
    "Offers a job for a scene in the library to the network; its frames are written to the data folder's outputs/<jobId>.",
  ),
  'network.cancel': call(z.object({ jobId: z.string().min(1).max(80) }).strict(), NetworkJobSchema, 'Stops offering a job.'),
};

export const networkEvents = {
  'network.changed': NetworkStatusSchema,
};
