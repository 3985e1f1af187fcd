/**
 * net/ — a transport that knows no role: it imports nothing from creator/, operator/, node/
 * or api/; the roles implement its interfaces (WorkProvider, ResultSink) and node/ joins them.
 *
 * The network: a libp2p node bound to a wallet or node key, with Rayfarm's protocols —
 * hello (bindings), work (leases), blob (content by hash), result (pixels and verdicts)
 * and announcements on gossipsub.
 */
export { NetNode } from './net-node';
export type { NetNodeConfig, PeerRecord, ReachOptions } from './net-node';
export type { Reach } from './reach';
export { reachOptions, startNetStack } from './stack';
export type { NetStack, NetStackConfig } from './stack';
export { newStudioKey, parseStudioKey, readStudioKey } from './studio-key';
export { NetError } from './errors';
export type { Binding, NetMode, NodeSigner } from './identity';
