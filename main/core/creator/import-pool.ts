/**
 * Runs the CPU-heavy half of scene imports (scene-prepare.ts) in one reusable worker thread,
 * so the event loop that serves the API, the libp2p node and the UI keeps turning while a
 * large scene is parsed and packaged. The worker starts on the first import, is unref'd
 * while idle (it never keeps a process alive) and ends after a quiet spell or on close().
 *
 * A worker that cannot start (missing entry, loader failure) is logged once and imports
 * run on the calling thread instead; a worker that dies during an import fails that import
 * with SCENE_IMPORT_CRASHED (running a scene that just killed a worker on the main thread
 * could take the whole app down) and the next import starts a fresh worker.
 */
import { Worker } from 'node:worker_threads';
import { RayfarmError } from '../errors';
import type { ImportReply, ImportRequest, WorkerErrorInfo } from './import-protocol';
import { prepareScene } from './scene-prepare';
import type { PreparedScene, PrepareRequest } from './scene-prepare';

/** Options of the pool; tests pass their own entry. */
export interface SceneImportPoolOptions {
  /** The worker's entry file; by default import-worker.ts (through a tsx boot file when running from sources). */
  entry?: () => Promise<string | URL>;
  log?: (line: string) => void;
  /** How long an idle worker lives before it is ended (ms). */
  idleMs?: number;
  /** How long a worker may take to load before it counts as unable to start (ms). */
  startMs?: number;
}

interface Pending {
  req: PrepareRequest;
  resolve: (r: PreparedScene) => void;
  reject: (e: Error) => void;
}

// A variable, not a literal: bundlers must not treat this source-only file as an asset.
const SOURCE_BOOT = './import-worker-boot.mjs';

/**
 * Where the worker's code is: from the TypeScript sources (tsx, vitest) a boot file that
 * registers tsx first; in the electron-vite build, the bundle electron-vite emits for
 * `?modulePath` (that import only ever runs in the build).
 */
export async function defaultWorkerEntry(): Promise<string | URL> {
  if (import.meta.url.endsWith('.ts')) return new URL(SOURCE_BOOT, import.meta.url);
  return (await import('./import-worker?modulePath')).default;
}

function toError(info: WorkerErrorInfo): Error {
  if (info.code) return new RayfarmError(info.code, info.message, info.details ? { details: info.details } : undefined);
  const e = new Error(info.message);
  if (info.name) e.name = info.name;
  return e;
}

/** One reusable scene import worker, with an in-thread fallback when it cannot start. */
export class SceneImportPool {
  private worker?: Worker;
  private starting?: Promise<Worker | undefined>;
  private ready = false;
  private unavailable?: string;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer?: NodeJS.Timeout;
  private startTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: SceneImportPoolOptions = {}) {}

  /** Prepares a scene in the worker; the packaged GLB comes back by transfer. */
  async prepare(req: PrepareRequest): Promise<PreparedScene> {
    const closed = () => new RayfarmError('SCENE_IMPORT_CLOSED', 'The scene import was stopped because the scene library is shutting down.');
    if (this.closed) throw closed();
    const worker = this.unavailable ? undefined : await this.start();
    if (this.closed) throw closed();
    if (!worker) return prepareScene(req);
    return new Promise<PreparedScene>((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { req, resolve, reject });
      this.busy(worker);
      worker.postMessage({ id, req } satisfies ImportRequest);
    });
  }

  /** Ends the worker; imports still running fail with SCENE_IMPORT_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.settleAll((p) => p.reject(new RayfarmError('SCENE_IMPORT_CLOSED', 'The scene import was stopped because the scene library is shutting down.')));
    this.forget();
    if (w) await w.terminate();
  }

  private start(): Promise<Worker | undefined> {
    if (this.worker) return Promise.resolve(this.worker);
    this.starting ??= (this.opts.entry ?? defaultWorkerEntry)()
      .then((entry) => {
        if (this.closed) return undefined;
        const w = new Worker(entry, { name: 'rayfarm-scene-import' });
        this.worker = w;
        this.ready = false;
        w.on('message', (m: ImportReply) => this.onMessage(w, m));
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

  private onMessage(w: Worker, m: ImportReply): void {
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

  /** The worker failed or exited: before it loaded, imports move to this thread; after, they fail. */
  private onGone(w: Worker, reason: string): void {
    if (w !== this.worker) return;
    const loaded = this.ready;
    this.forget();
    void w.terminate();
    if (!loaded) {
      this.giveUp(reason);
      this.settleAll((p) => prepareScene(p.req).then(p.resolve, p.reject));
    } else {
      this.settleAll((p) =>
        p.reject(new RayfarmError('SCENE_IMPORT_CRASHED', `The scene importer stopped unexpectedly (${reason}). The scene may be too large for this machine; try again or simplify it.`)),
      );
    }
  }

  private giveUp(reason: string): void {
    this.unavailable = reason;
    this.opts.log?.(`rayfarm: the scene import worker could not start (${reason}); importing scenes on the main thread`);
  }

  private settleAll(f: (p: Pending) => void): void {
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
