/**
 * Discovery beyond the LAN: twenty nodes on 127.0.0.1 with mDNS off, each given at most one
 * bootstrap peer (a tree of operators; the creator knows one leaf), find each other
 * through the Rayfarm DHT, and every operator takes a task of a creator it was never told of.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobSpecSchema } from '../../shared/job-spec';
import { DHT_PROTOCOL } from '../../main/core/net/services';
import { engineTaskRenderer } from '../../main/core/operator/work/engine-renderer';
import type { TaskRenderer } from '../../main/core/operator/work/worker';
import { sampleScene, startNode, waitFor } from './net-helpers';
import type { Node } from './net-helpers';

const OPERATORS = 19;
/** Connections each node looks for: fewer than the nodes, so the network is not a full mesh. */
const TARGET = 6;
let nodes: Node[] = [];
const engines: Array<{ engine?: { dispose(): Promise<void> } }> = [];
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await Promise.all(engines.map((e) => e.engine?.dispose()));
  nodes = [];
});

/**
 * The real engine behind a gate: an operator's first task waits until every operator has
 * started one, so one fast operator cannot drain the job before a slow one has found it.
 * With one lease per operator and as many tasks as operators, the job can only finish if
 * each of them found the creator and took a task.
 */
function gated(index: number, started: Set<number>, inner: TaskRenderer): TaskRenderer {
  return {
    async render(input) {
      started.add(index);
      await waitFor(() => started.size === OPERATORS, 120_000, `all ${OPERATORS} operators started (${started.size})`);
      return inner.render(input);
    },
  };
}

describe('discovery through the DHT (20 nodes, one bootstrap peer each, no mDNS)', () => {
  let creator: Node;
  const ops: Node[] = [];
  const started = new Set<number>();

  async function operator(i: number, bootstrapTo?: Node): Promise<Node> {
    // The engine reads the scene from this operator's own store, which exists once it started.
    const holder: { node?: Node; engine?: ReturnType<typeof engineTaskRenderer> } = {};
    const engine = { render: (input: Parameters<TaskRenderer['render']>[0]) => (holder.engine ??= engineTaskRenderer(holder.node!.store.blobs)).render(input) };
    const op = await startNode({ bootstrap: bootstrapTo ? [bootstrapTo.svc.stack.node.listenAddrs()[0]!] : [], dhtServer: true, targetPeers: TARGET, workerDepth: 1, renderer: gated(i, started, engine) });
    holder.node = op;
    engines.push(holder);
    nodes.push(op);
    ops[i] = op;
    return op;
  }

  beforeAll(async () => {
    // A tree, not a full star: a hub, four operators that know only the hub, fourteen that
    // know only one of those four, and the creator, which knows only the last operator.
    const hub = await operator(0);
    const mid = await Promise.all([1, 2, 3, 4].map((i) => operator(i, hub)));
    await Promise.all(Array.from({ length: OPERATORS - 5 }, (_, k) => operator(5 + k, mid[k % 4])));
    creator = await startNode({ operator: false, dhtServer: true, targetPeers: TARGET, bootstrap: [ops[OPERATORS - 1]!.svc.stack.node.listenAddrs()[0]!], dispatcher: { leaseMs: 120_000 } });
    nodes.push(creator);
  });

  it('nodes find peers they were not given, over the Rayfarm DHT protocol', async () => {
    for (const n of nodes) expect(n.svc.stack.node.libp2p.getProtocols()).toContain(DHT_PROTOCOL);
    // The creator was given one leaf; its random walks find the others until it has its target.
    await waitFor(() => creator.svc.stack.node.libp2p.getPeers().length >= TARGET, 60_000, `the creator connected to ${TARGET} peers`);
    // The DHT answers "where is this peer": an operator on another branch locates the creator.
    const far = ops[5]!.svc.stack.node.libp2p;
    const { peerIdFromString } = await import('@libp2p/peer-id');
    const found = await far.peerRouting.findPeer(peerIdFromString(creator.svc.stack.node.peerId), { signal: AbortSignal.timeout(20_000) });
    expect(found.multiaddrs.map((a) => a.toString())).toContain(creator.svc.stack.node.listenAddrs()[0]!.replace(/\/p2p\/.*$/, ''));
    // Discovery stops at the target: the creator dials no more of the peers it hears of than its
    // target and the dials already in flight (4), not all 19. (Others may still dial it, and DHT
    // queries connect too, so its connection count alone can reach the whole farm.)
    expect(creator.svc.stack.node.discoveryDials()).toBeLessThanOrEqual(TARGET + 4);
  }, 90_000);

  it('every operator takes work from the creator, whose address none of them was given', async () => {
    const scene = await sampleScene('animated.glb');
    const hash = creator.store.blobs.put(scene);
    const spec = JobSpecSchema.parse({ sceneId: hash, width: 16, height: 16, spp: 1, output: 'exr-float', frames: { start: 0, end: OPERATORS - 1 } });
    const job = creator.svc.submit({ spec, outDir: mkdtempSync(join(tmpdir(), 'rf-dht-out-')) });
    expect(await creator.svc.waitForJob(job.id)).toMatchObject({ state: 'done', done: OPERATORS, failed: 0 });
    expect(started.size).toBe(OPERATORS);
    // Each operator fetched the scene and had its result accepted.
    for (const op of ops) expect(op.store.blobs.has(hash)).toBe(true);
    const accepted = creator.svc.dispatcher.job(job.id)!;
    expect(accepted.progress.done).toBe(OPERATORS);
  }, 150_000);
});
