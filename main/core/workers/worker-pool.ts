/**
 * workers/ — the generic worker-thread pool (this file), its message protocol (worker-
 * protocol.ts), the serving side (worker-serve.ts) and the tsx boot for running from sources
 * (worker-boot.mjs). Users (scene/, render/) bring their own entry.
 *
 * Runs CPU-heavy work in one reusable worker thread, so the event loop that serves the
 * API, the libp2p node and the UI keeps turning. The worker starts on the first request,
 * is unref'd while idle (it never keeps a process alive) and ends after a quiet spell or
 * on close(). Scene imports (import-pool.ts) and scene frames (frame-pool.ts) use it.
 *
 * A worker that cannot start (missing entry, loader failure) is logged once and requests
 * run on the calling thread instead; a worker that dies during a request fails that
 * request with the pool's "crashed" error (running input that just killed a worker on the
 * main thread could take the whole app down) and the next request starts a fresh worker.
 */
import { Worker } from 'node:worker_threads';
import type { ResourceLimits } from 'node:worker_threads';
import { RayfarmError } from '../errors';
import type { WorkerErrorInfo, WorkerReply, WorkerRequest } from './worker-protocol';

/** Options every pool takes; tests pass their own entry. */
export interface WorkerPoolOptions {
  /** The worker's entry file; by default the pool's own worker (through worker-boot.mjs when running from sources). */
  entry?: () => Promise<string | URL>;
  log?: (line: string) => void;
  /** How long an idle worker lives before it is ended (ms). */
  idleMs?: number;
  /** How long a worker may take to load before it counts as unable to start (ms). */
  startMs?: number;
  /**
   * The worker's heap limits; past them only the worker dies (its requests fail with the
   * pool's "crashed" error), never the app. Defaults to the kind's own.
   */
  resourceLimits?: ResourceLimits;
}

/** What a kind of pool is: its worker, its in-thread fallback and how it words its errors. */
export interface WorkerPoolKind<Req, Res> {
  /** The thread's name (shows in profilers). */
  name: string;
  /** Its worker's entry (workerEntry() of the worker's source and its `?modulePath` import). */
  defaultEntry: () => Promise<{ entry: string | URL; tsEntry?: string }>;
  /** The same work on the calling thread, when no worker can start. */
  inThread: (req: Req) => Promise<Res>;
  closed: () => RayfarmError;
  crashed: (reason: string) => RayfarmError;
  /** The line logged once when the worker cannot start. */
  unavailable: (reason: string) => string;
  /** Heap limits of this kind's worker (a scene from a stranger must not take the app's memory). */
  resourceLimits?: ResourceLimits;
}

interface Pending<Req, Res> {
  req: Req;
  resolve: (r: Res) => void;
  reject: (e: Error) => void;
}

// A variable, not a literal: bundlers must not treat this source-only file as an asset.
const SOURCE_BOOT = './worker-boot.mjs';

/**
 * Where a worker's code is. Running from the TypeScript sources (tsx, vitest: `from`, the
 * caller's import.meta.url, ends in .ts) it is the boot file, which registers tsx and then
 * loads `source` (relative to `from`); in the electron-vite build, the bundle electron-vite
 * emits for the worker's `?modulePath` import (`built`, which only ever runs in the build:
 * each worker's import must be written out literally for the bundler to see it).
 */
export async function workerEntry(from: string, source: string, built: () => Promise<{ default: string }>): Promise<{ entry: string | URL; tsEntry?: string }> {
  if (from.endsWith('.ts')) return { entry: new URL(SOURCE_BOOT, import.meta.url), tsEntry: new URL(source, from).href };
  return { entry: (await built()).default };
}

function toError(info: WorkerErrorInfo): Error {
  if (info.code) return new RayfarmError(info.code, info.message, info.details ? { details: info.details } : undefined);
  const e = new Error(info.message);
  if (info.name) e.name = info.name;
  return e;
}

/** One reusable worker for one kind of request, with an in-thread fallback when it cannot start. */
export class WorkerPool<Req, Res> {
  private worker?: Worker;
  private starting?: Promise<Worker | undefined>;
  private ready = false;
  private unavailableReason?: string;
  private readonly pending = new Map<number, Pending<Req, Res>>();
  private nextId = 1;
  private idleTimer?: NodeJS.Timeout;
  private startTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly kind: WorkerPoolKind<Req, Res>,
    private readonly opts: WorkerPoolOptions = {},
  ) {}

  /** Runs one request in the worker (the request is copied, the result's buffers moved back). */
  protected async run(req: Req): Promise<Res> {
    if (this.closed) throw this.kind.closed();
    const worker = this.unavailableReason ? undefined : await this.start();
    if (this.closed) throw this.kind.closed();
    if (!worker) return this.kind.inThread(req);
    return new Promise<Res>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { req, resolve, reject });
      this.busy(worker);
      worker.postMessage({ id, req } satisfies WorkerRequest<Req>);
    });
  }

  /** Ends the worker; requests still running fail with the pool's "closed" error. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.settleAll((p) => p.reject(this.kind.closed()));
    this.forget();
    if (w) await w.terminate();
  }

  private start(): Promise<Worker | undefined> {
    if (this.worker) return Promise.resolve(this.worker);
    const custom = this.opts.entry;
    this.starting ??= (custom ? custom().then((entry) => ({ entry, tsEntry: undefined as string | undefined })) : this.kind.defaultEntry())
      .then(({ entry: file, tsEntry }) => {
        if (this.closed) return undefined;
        const resourceLimits = this.opts.resourceLimits ?? this.kind.resourceLimits;
        const w = new Worker(file, { name: this.kind.name, workerData: { tsEntry }, ...(resourceLimits ? { resourceLimits } : {}) });
        this.worker = w;
        this.ready = false;
        w.on('message', (m: WorkerReply<Res>) => this.onMessage(w, m));
        w.on('error', (err) => this.onGone(w, err.message));
        w.on('exit', (code) => this.onGone(w, `it exited with code ${code}`));
        this.startTimer = setTimeout(() => this.onGone(w, `it did not load within ${this.opts.startMs ?? 30_000} ms`), this.opts.startMs ?? 30_000);
        this.startTimer.unref();
        return w;
      })
      .catch((err: unknown) => {
        this.giveUp(`its entry could not be found: ${(err as Error).message}`);
        return undefined;
      })
      .finally(() => {
        this.starting = undefined;
      });
    return this.starting;
  }

  private onMessage(w: Worker, m: WorkerReply<Res>): void {
    if (w !== this.worker) return;
    if (m.type === 'ready') {
      this.ready = true;
      clearTimeout(this.startTimer);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.type === 'done') p.resolve(m.result);
    else p.reject(toError(m.error));
    if (this.pending.size === 0) this.idle(w);
  }

  /** The worker failed or exited: before it loaded, requests move to this thread; after, they fail. */
  private onGone(w: Worker, reason: string): void {
    if (w !== this.worker) return;
    const loaded = this.ready;
    this.forget();
    void w.terminate();
    if (!loaded) {
      this.giveUp(reason);
      this.settleAll((p) => this.kind.inThread(p.req).then(p.resolve, p.reject));
    } else {
      this.settleAll((p) => p.reject(this.kind.crashed(reason)));
    }
  }

  private giveUp(reason: string): void {
    this.unavailableReason = reason;
    this.opts.log?.(this.kind.unavailable(reason));
  }

  private settleAll(f: (p: Pending<Req, Res>) => void): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) f(p);
  }

  private forget(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.startTimer);
    this.worker = undefined;
    this.ready = false;
  }

  private busy(w: Worker): void {
    clearTimeout(this.idleTimer);
    w.ref();
  }

  /** An idle worker never holds the process open, and ends after a quiet spell. */
  private idle(w: Worker): void {
    w.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.worker !== w || this.pending.size > 0) return;
      this.forget();
      void w.terminate();
    }, this.opts.idleMs ?? 30_000);
    this.idleTimer.unref();
  }
}
