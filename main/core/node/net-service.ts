/**
 * The network service: one libp2p node with its protocols, this node's creator side (the
 * dispatcher, announcements, frame output) and its operator side (the worker). With no
 * other peers it is a complete network of one: its worker takes its own jobs in-process.
 */
import type { JobSpec } from '../../../shared/job-spec';
import { Dispatcher } from '../creator/dispatch/dispatcher';
import { sharedSignaturePool } from '../creator/proof/signature-pool';
import type { DispatcherOptions, JobProgress } from '../creator/dispatch/dispatcher';
import { DispatchOutput } from '../creator/dispatch/dispatch-output';
import { RayfarmError } from '../errors';
import { engineTaskRenderer } from '../operator/work/engine-renderer';
import { SceneCache } from '../operator/work/scene-cache';
import { Worker } from '../operator/work/worker';
import type { TaskRenderer, WorkerEvent, WorkerOptions, WorkerPolicy } from '../operator/work/worker';
import { join } from 'node:path';
import { BlobStore } from '../store';
import type { Store } from '../store';
import { ANNOUNCEMENT_TTL_MS, REANNOUNCE_MS } from '../net/announce';
import type { NodeSigner } from '../net/identity';
import type { ReachOptions } from '../net/net-node';
import { localLink, remoteLink } from './links';
import { reachOptions, startNetStack } from '../net/stack';
import type { NetStack } from '../net/stack';
import { ENGINE_ID, jobEngine } from '../net/work';
import { blenderEngineId } from '../blender';
import type { BlenderInstall } from '../blender';
import { blendTaskRenderer, routedTaskRenderer } from '../operator/work/blend-renderer';

/** Settings of the network service. */
export interface NetServiceConfig extends ReachOptions {
  store: Store;
  listen?: string[];
  bootstrap?: string[];
  mdns?: boolean;
  studioKey?: Uint8Array;
  signer?: NodeSigner;
  /** Render for the network (this node's own jobs included). */
  operator?: boolean;
  /** Defaults: 2 GiB scenes, 8 GiB cache. */
  maxSceneBytes?: number;
  sceneCacheBytes?: number;
  renderer?: TaskRenderer;
  /** This machine's Blender: its `blender-cycles/<major.minor>` jobs are taken and rendered with it (sandboxed). */
  blender?: BlenderInstall | null;
  /** The idle/schedule policy's hook, for other creators' jobs (this node's own jobs always run). */
  shouldWork?: () => boolean;
  threads?: () => number | undefined;
  onWorkerEvent?: (e: WorkerEvent) => void;
  /** Leases the worker holds at once (default 2: one rendering, one queued). */
  workerDepth?: number;
  /** First pause before the worker delivers a kept result again (default 5 s, doubling). */
  workerWaitRetryMs?: number;
  dispatcher?: Partial<Pick<DispatcherOptions, 'leaseMs' | 'disconnectGraceMs' | 'verify' | 'pricePerBenchHour' | 'now' | 'payments' | 'maxTaskFailures' | 'maxOperatorFailures'>>;
  /** Payments: the operator's minimum price per bench-hour (decimal token units) and its voucher store. */
  minPricePerBenchHour?: () => string;
  onVerdict?: WorkerOptions['onVerdict'];
  /** Payments: the operator's checks before asking for and working on a paid lease. */
  mayAsk?: WorkerOptions['mayAsk'];
  admitLease?: WorkerOptions['admitLease'];
  /** Why no new paid task may be taken now (public mode with the wallet locked), or undefined. */
  paidPause?: () => string | undefined;
  log?: (line: string) => void;
}

/** A job to submit. */
export interface SubmitInput {
  spec: JobSpec;
  outDir: string;
  id?: string;
}

/** The running network service. */
export class NetService {
  readonly dispatcher: Dispatcher;
  readonly output: DispatchOutput;
  readonly worker: Worker;
  private readonly seq = new Map<string, number>();
  private readonly timers: NodeJS.Timeout[] = [];
  private announceSoon: NodeJS.Timeout | undefined;
  private workerOn: boolean;
  private blender: BlenderInstall | null = null;
  private blendRenderer: TaskRenderer | undefined;

  private constructor(
    readonly stack: NetStack,
    private readonly cfg: NetServiceConfig,
    private readonly log: (l: string) => void,
  ) {
    const { store } = cfg;
    this.workerOn = cfg.operator ?? true;
    if (cfg.blender) {
      this.blender = cfg.blender;
      this.blendRenderer = blendTaskRenderer(store.blobs, cfg.blender);
    }
    this.dispatcher = new Dispatcher({ db: store.db, blobs: store.blobs, log, durable: () => store.wal.sync(), ...cfg.dispatcher });
    this.output = new DispatchOutput(this.dispatcher, store.blobs, log);
    const cache = new SceneCache(store.db, store.blobs, () => cfg.sceneCacheBytes ?? 8 * 1024 ** 3);
    const node = stack.node;
    const self = {
      peerId: node.peerId,
      // Follows the binding: the wallet once unlocked (public mode), else the node key.
      get address() {
        return node.signer.address.toLowerCase();
      },
    };
    const local = localLink(this.dispatcher, self);
    const remotes = new Map<string, ReturnType<typeof remoteLink>>();
    this.worker = new Worker({
      db: store.db,
      // Results live apart from the shared store: in a network of one the dispatcher keeps its
      // own copy of each accepted tile until the frame is assembled, whatever the worker deletes.
      results: new BlobStore(join(store.dataDir, 'operator', 'results')),
      cache,
      renderer: cfg.renderer ?? routedTaskRenderer(engineTaskRenderer(store.blobs), () => this.blendRenderer),
      jobs: () =>
        stack.announce
          .list()
          .filter((a) => a.tasksLeft > 0)
          .map((a) => ({ jobId: a.jobId, creator: a.creator.peerId, creatorAddress: a.creator.address, sceneBytes: a.scene.bytes, engine: a.engine, perBenchHour: a.perBenchHour })),
      link: (creator) => {
        if (creator === self.peerId) return local;
        let l = remotes.get(creator);
        if (!l) {
          // Other operators working on the same jobs likely cached the scene: fall back to them.
          l = remoteLink(stack, creator, () => [...stack.node.peers.values()].filter((p) => p.connected && p.roles.includes('operator')).map((p) => p.id));
          remotes.set(creator, l);
        }
        return l;
      },
      policy: (): WorkerPolicy => ({ enabled: this.workerOn, engines: this.engines(), maxSceneBytes: cfg.maxSceneBytes ?? 2 * 1024 ** 3, minPricePerBenchHour: cfg.minPricePerBenchHour?.() ?? '0' }),
      ...(cfg.onVerdict ? { onVerdict: cfg.onVerdict } : {}),
      ...(cfg.mayAsk ? { mayAsk: cfg.mayAsk } : {}),
      ...(cfg.admitLease ? { admitLease: cfg.admitLease } : {}),
      // This node's own jobs are never paused: they pay nobody but this node.
      ...(cfg.paidPause ? { paidPause: (creator: string) => (creator === self.peerId ? undefined : cfg.paidPause!()) } : {}),
      ...(cfg.shouldWork ? { shouldWork: (creator: string) => creator === self.peerId || cfg.shouldWork!() } : {}),
      ...(cfg.threads ? { threads: cfg.threads } : {}),
      ...(cfg.workerDepth ? { depth: cfg.workerDepth } : {}),
      ...(cfg.workerWaitRetryMs ? { waitRetryMs: cfg.workerWaitRetryMs } : {}),
      log,
      onEvent: (e) => {
        cfg.onWorkerEvent?.(e);
        if (e.type === 'verdict' || e.type === 'failed') this.scheduleAnnounce();
      },
    });
  }

  /** Starts the node, the protocols, the dispatcher's timers and (if enabled) the worker. */
  static async start(cfg: NetServiceConfig): Promise<NetService> {
    const log = cfg.log ?? ((l: string) => process.stderr.write(`${l}\n`));
    // The stack asks the service (built just after it) what to share and which roles to claim.
    const ref: { svc?: NetService } = {};
    const stack = await startNetStack({
      dataDir: cfg.store.dataDir,
      blobs: cfg.store.blobs,
      ...(cfg.listen ? { listen: cfg.listen } : {}),
      ...(cfg.bootstrap ? { bootstrap: cfg.bootstrap } : {}),
      mdns: cfg.mdns ?? false,
      ...(cfg.studioKey ? { studioKey: cfg.studioKey } : {}),
      ...(cfg.signer ? { signer: cfg.signer } : {}),
      ...reachOptions(cfg),
      shareable: (hash) => ref.svc?.shares(hash) ?? false,
      roles: () => (ref.svc?.workerOn === false ? ['creator'] : ['creator', 'operator']),
      log,
    });
    const svc = new NetService(stack, cfg, log);
    ref.svc = svc;
    svc.wire();
    return svc;
  }

  private wire(): void {
    const { stack, dispatcher } = this;
    stack.work.provider = dispatcher;
    stack.result.sink = dispatcher;
    stack.result.recover = (m, sig) => sharedSignaturePool().recover(m, sig);
    stack.announce.onAnnouncement(() => this.worker.kick());
    stack.node.onPeer((p) => {
      if (!p.connected) dispatcher.peerGone(p.id);
      else if (p.address) dispatcher.peerBound(p.address);
      // A creator that is back (restarted, reconnected, bound again) gets its waiting results
      // now, not after the growing pause its absence built up.
      if (p.connected) this.worker.redeliverWaiting(p.id);
    });
    stack.node.pubsub.addEventListener('subscription-change', () => this.scheduleAnnounce());
    dispatcher.onChange(() => this.scheduleAnnounce(1000));
    dispatcher.onJobFinished((p) => void this.announce(p.id));
    const tick = setInterval(() => dispatcher.tick(), 250);
    const reannounce = setInterval(() => void this.announceAll(), REANNOUNCE_MS);
    tick.unref();
    reannounce.unref();
    this.timers.push(tick, reannounce);
    this.output.catchUp();
    void this.announceAll();
    this.worker.start();
  }

  /** The engines this node's worker renders with: the built-in path tracer, and Blender's Cycles when Blender is here. */
  engines(): string[] {
    return [ENGINE_ID, ...(this.blender ? [blenderEngineId(this.blender.majorMinor)] : [])];
  }

  /** This node's Blender, found after start (probing it takes a Blender start-up); null: no Blender jobs. */
  setBlender(install: BlenderInstall | null): void {
    this.blender = install;
    this.blendRenderer = install ? blendTaskRenderer(this.cfg.store.blobs, install) : undefined;
    this.worker.kick();
  }

  /** The Blender this node renders Blender jobs with, or null. */
  blenderInstall(): BlenderInstall | null {
    return this.blender;
  }

  /** Whether peers may fetch this blob: scenes of our open jobs and scenes we cached. */
  shares(hash: string): boolean {
    for (const p of this.dispatcher.list()) if (p.state === 'active' && this.dispatcher.job(p.id)?.row.sceneHash === hash) return true;
    return !!this.cfg.store.db.prepare('SELECT 1 FROM worker_scene_cache WHERE hash = ?').get(hash);
  }

  private scheduleAnnounce(delayMs = 150): void {
    if (this.announceSoon) return;
    this.announceSoon = setTimeout(() => {
      this.announceSoon = undefined;
      void this.announceAll();
    }, delayMs);
    this.announceSoon.unref();
  }

  private async announceAll(): Promise<void> {
    for (const p of this.dispatcher.list()) if (p.state === 'active') await this.announce(p.id);
  }

  private async announce(jobId: string): Promise<void> {
    const j = this.dispatcher.job(jobId);
    if (!j) return;
    const seq = (this.seq.get(jobId) ?? 0) + 1;
    this.seq.set(jobId, seq);
    const s = j.row.spec;
    const frames = new Set(j.tasks.map((t) => t.frame)).size;
    try {
      await this.stack.announce.publish({
        jobId,
        seq: Date.now() * 1000 + (seq % 1000),
        state: j.row.state === 'active' ? 'open' : 'closed',
        scene: { hash: j.row.sceneHash, bytes: j.row.sceneBytes },
        engine: jobEngine(s),
        tier: s.tier,
        perBenchHour: this.cfg.dispatcher?.pricePerBenchHour?.(s) ?? '0',
        width: s.width,
        height: s.height,
        spp: s.spp,
        frames: Math.max(1, frames),
        tasks: j.progress.tasks,
        tasksLeft: j.progress.tasks - j.progress.done - j.progress.failed - j.progress.leased,
        createdAt: j.row.createdAt,
        expiresAt: Date.now() + ANNOUNCEMENT_TTL_MS,
      });
    } catch (err) {
      this.log(`net: announcing ${jobId} failed: ${(err as Error).message}`);
    }
  }

  /** Offers a job to the network (and to this node's own worker). The scene must be in the blob store. */
  submit(input: SubmitInput): JobProgress {
    const bytes = this.cfg.store.blobs.size(input.spec.sceneId);
    if (bytes === undefined) throw new RayfarmError('SCENE_NOT_FOUND', `The scene ${input.spec.sceneId.slice(0, 12)}… is not in the blob store; import it first.`);
    const p = this.dispatcher.addJob({ ...(input.id ? { id: input.id } : {}), spec: input.spec, scene: { hash: input.spec.sceneId, bytes }, outDir: input.outDir });
    void this.announce(p.id);
    this.worker.kick();
    return p;
  }

  /** Resolves when the job has every task done or failed. */
  waitForJob(jobId: string, onProgress?: (p: JobProgress) => void): Promise<JobProgress> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const j = this.dispatcher.job(jobId);
        if (!j) return false;
        onProgress?.(j.progress);
        if (j.row.state !== 'active') {
          off();
          resolve(j.progress);
          return true;
        }
        return false;
      };
      const off = this.dispatcher.onChange((id) => {
        if (id === jobId) check();
      });
      check();
    });
  }

  /** Turns this node's rendering for the network on or off. */
  setOperator(on: boolean): void {
    this.workerOn = on;
    if (on) this.worker.kick();
    else void this.worker.handBack('rendering was turned off');
  }

  get operatorEnabled(): boolean {
    return this.workerOn;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    if (this.announceSoon) clearTimeout(this.announceSoon);
    await this.worker.stop();
    await this.stack.stop();
    this.dispatcher.flush();
  }
}
