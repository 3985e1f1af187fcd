/**
 * The worker's contracts: how it reaches a creator, what it renders with, what its policy
 * says, what it reports, and what it is built from (worker.ts implements the loop).
 */
import type { Database } from 'better-sqlite3';
import type { BlobStore } from '../../store';
import type { Lease, LeaseAnswer, OperatorOffer, WorkResponse } from '../../net/work/messages';
import type { Verdict } from '../../net/result/messages';
import type { JobSpec, Task } from '../../../../shared/job-spec';
import type { SceneCache } from './scene-cache';
import type { OpenJob } from './job-picker';

/** How the worker talks to one creator (over the network, or in-process for our own jobs). */
export interface CreatorLink {
  /** Asks for a task of the job, or up to `count` at once (the work protocol's MAX_TASKS_PER_REQUEST at most). */
  request(jobId: string, offer: OperatorOffer, count?: number): Promise<WorkResponse>;
  renew(leaseId: string): Promise<LeaseAnswer | WorkResponse>;
  release(leaseId: string, reason: string): Promise<unknown>;
  fail(leaseId: string, reason: string): Promise<unknown>;
  deliver(result: { leaseId: string; jobId: string; taskIndex: number; width: number; height: number; renderMs: number }, pixels: Uint8Array): Promise<Verdict>;
  /** Makes sure the scene is in the local blob store. */
  fetchScene(hash: string, bytes: number, maxBytes: number, signal: AbortSignal): Promise<void>;
}

/** Renders one task; the engine in production. */
export interface TaskRenderer {
  render(input: { spec: JobSpec; task: Task; sceneHash: string; threads?: number; signal: AbortSignal; onProgress: (f: number) => void }): Promise<Float32Array>;
}

/** What the worker's policy decides. */
export interface WorkerPolicy {
  enabled: boolean;
  engines: string[];
  maxSceneBytes: number;
  /** Used once payments exist: tasks priced below this are not taken. */
  minPricePerBenchHour: string;
}

/** Something the worker did, for logs and the task history. */
export type WorkerEvent =
  | { type: 'leased'; lease: Lease; creator: string }
  | { type: 'started'; lease: Lease; creator: string; at: number }
  | { type: 'rendered'; lease: Lease; creator: string; renderMs: number }
  | { type: 'verdict'; lease: Lease; creator: string; verdict: Verdict }
  | { type: 'waiting'; lease: Lease; creator: string; reason: string }
  | { type: 'failed'; lease: Lease; creator: string; reason: string }
  | { type: 'released'; lease: Lease; creator: string; reason: string };

/** Settings of a worker. */
export interface WorkerOptions {
  db: Database;
  /**
   * Where results wait for their verdict: a store the worker alone writes and deletes from
   * (never the node's shared blob store, whose blobs a dispatcher of the same node may still
   * need for assembling tiles).
   */
  results: BlobStore;
  cache: SceneCache;
  renderer: TaskRenderer;
  jobs: () => OpenJob[];
  link: (creator: string) => CreatorLink;
  policy: () => WorkerPolicy;
  /** The idle/schedule policy's hook: may a task of this creator run now? */
  shouldWork?: (creator: string) => boolean;
  threads?: () => number | undefined;
  /** Leases held at once (one rendering, the rest queued). */
  depth?: number;
  now?: () => number;
  log?: (line: string) => void;
  onEvent?: (e: WorkerEvent) => void;
  /** Ranks creators when choosing whom to ask (higher first); by default this operator's own history of them. */
  reputation?: (creator: string) => number;
  /** Payments: stores the voucher a verdict carries before the result is forgotten (throwing keeps the result and delivers it again later). */
  onVerdict?: (lease: Lease, creator: string, verdict: Verdict) => void | Promise<void>;
  /** Payments: may the worker ask for a task of this job now, given the leases it holds? */
  mayAsk?: (job: OpenJob, held: readonly Lease[]) => boolean;
  /** Payments: a reason not to work on a lease just received (it is handed back), or undefined. */
  admitLease?: (lease: Lease, job: OpenJob, held: readonly Lease[]) => Promise<string | undefined>;
  /**
   * Why no new paid task of this creator may be taken now (the wallet is locked), or
   * undefined. A paid lease (one with a task price) taken meanwhile is handed straight back;
   * held tasks go on.
   */
  paidPause?: (creator: string) => string | undefined;
  /** First pause before a waiting result is delivered again (doubles up to WAIT_MAX_MS). */
  waitRetryMs?: number;
}
