/**
 * A node with every Rayfarm protocol started on it. The network service builds one; tests
 * build several in one process.
 */
import type { BlobStore } from '../store';
import { AnnounceProtocol } from './announce';
import { BlobProtocol } from './blob';
import { HelloProtocol } from './hello';
import type { NodeSigner } from './identity';
import type { ReachOptions } from './net-node';
import { loadNodeSigner, loadPeerKey } from './identity';
import { NetNode } from './net-node';
import { ResultProtocol } from './result';
import { WorkProtocol } from './work';

/** What a stack needs. */
export interface NetStackConfig extends ReachOptions {
  dataDir: string;
  blobs: BlobStore;
  listen?: string[];
  bootstrap?: string[];
  mdns?: boolean;
  studioKey?: Uint8Array;
  /** The wallet (public mode); studio mode defaults to this node's own key. */
  signer?: NodeSigner;
  /** Which blobs peers may fetch from us. */
  shareable: (hash: string) => boolean;
  roles: () => ('creator' | 'operator')[];
  log?: (line: string) => void;
}

/** A started node and its protocols. */
export interface NetStack {
  node: NetNode;
  hello: HelloProtocol;
  work: WorkProtocol;
  blob: BlobProtocol;
  result: ResultProtocol;
  announce: AnnounceProtocol;
  stop(): Promise<void>;
}

/** The reach options of a larger config, without undefined keys. */
export function reachOptions(o: ReachOptions): ReachOptions {
  const r: ReachOptions = {};
  if (o.dhtServer !== undefined) r.dhtServer = o.dhtServer;
  if (o.relay !== undefined) r.relay = o.relay;
  if (o.reserveRelay !== undefined) r.reserveRelay = o.reserveRelay;
  if (o.upnp !== undefined) r.upnp = o.upnp;
  if (o.targetPeers !== undefined) r.targetPeers = o.targetPeers;
  return r;
}

/** Starts a node with hello, work, blob, result and announcements. */
export async function startNetStack(cfg: NetStackConfig): Promise<NetStack> {
  const log = cfg.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const node = await NetNode.start({
    privateKey: await loadPeerKey(cfg.dataDir),
    signer: cfg.signer ?? loadNodeSigner(cfg.dataDir),
    ...(cfg.listen ? { listen: cfg.listen } : {}),
    ...(cfg.bootstrap ? { bootstrap: cfg.bootstrap } : {}),
    mdns: cfg.mdns ?? false,
    ...(cfg.studioKey ? { studioKey: cfg.studioKey } : {}),
    ...reachOptions(cfg),
    log,
  });
  const hello = new HelloProtocol(node, cfg.roles, log);
  const work = new WorkProtocol(node, hello, log);
  const blob = new BlobProtocol(node, cfg.blobs, cfg.dataDir, cfg.shareable, log);
  const result = new ResultProtocol(node, hello, log);
  const announce = new AnnounceProtocol(node);
  await hello.start();
  await work.start();
  await blob.start();
  await result.start();
  announce.start();
  // Bind with every peer as soon as it is identified, so the peer list shows addresses.
  node.libp2p.addEventListener('peer:identify', (evt) => {
    if (evt.detail.protocols.includes('/rayfarm/hello/1.0.0')) {
      void hello.ensureBound(evt.detail.peerId.toString()).catch((err: Error) => log(`net: hello with ${evt.detail.peerId.toString().slice(-8)} failed: ${err.message}`));
    }
  });
  return {
    node,
    hello,
    work,
    blob,
    result,
    announce,
    async stop() {
      announce.stop();
      // Verdicts being written go out first: an operator must hear the answer to a result the
      // creator accepted (a job's last acceptance may be what stops this node).
      await result.stop();
      await node.stop();
    },
  };
}
