/**
 * Runs the CPU-heavy half of scene imports (scene-prepare.ts) in one reusable worker thread
 * (worker-pool.ts), so the event loop that serves the API, the libp2p node and the UI keeps
 * turning while a large scene is parsed and packaged.
 *
 * A worker that cannot start is logged once and imports run on the calling thread instead;
 * a worker that dies during an import fails that import with SCENE_IMPORT_CRASHED and the
 * next import starts a fresh worker.
 */
import { RayfarmError } from '../errors';
import { runImportJob } from './scene-prepare';
import type { ImportJob, ImportJobResult, PreparedScene, PrepareRequest } from './scene-prepare';
import type { AttachRequest, AttachResult } from './environment-attach';
import { WorkerPool, workerEntry } from '../workers/worker-pool';
import type { WorkerPoolOptions } from '../workers/worker-pool';

/** Options of the pool; tests pass their own entry. */
export type SceneImportPoolOptions = WorkerPoolOptions;

/** Where the import worker's code is (see workerEntry). */
export function defaultWorkerEntry(): Promise<{ entry: string | URL; tsEntry?: string }> {
  return workerEntry(import.meta.url, './import-worker.ts', () => import('./import-worker?modulePath'));
}

const closed = () => new RayfarmError('SCENE_IMPORT_CLOSED', 'The scene import was stopped because the scene library is shutting down.');

/** One reusable scene import worker, with an in-thread fallback when it cannot start. */
export class SceneImportPool extends WorkerPool<ImportJob, ImportJobResult> {
  constructor(opts: SceneImportPoolOptions = {}) {
    super(
      {
        name: 'rayfarm-scene-import',
        defaultEntry: defaultWorkerEntry,
        inThread: runImportJob,
        closed,
        crashed: (reason) =>
          new RayfarmError('SCENE_IMPORT_CRASHED', `The scene importer stopped unexpectedly (${reason}). The scene may be too large for this machine; try again or simplify it.`),
        unavailable: (reason) => `rayfarm: the scene import worker could not start (${reason}); importing scenes on the main thread`,
        // A scene file from anywhere is parsed here: its memory is bounded apart from the app's.
        resourceLimits: { maxOldGenerationSizeMb: 4096, maxYoungGenerationSizeMb: 64, stackSizeMb: 8 },
      },
      opts,
    );
  }

  /** Prepares a scene in the worker; the packaged GLB comes back by transfer. */
  prepare(req: PrepareRequest): Promise<PreparedScene> {
    return this.run(req) as Promise<PreparedScene>;
  }

  /** Adds an environment map to a scene package in the worker (decoding and re-packaging are heavy). */
  attach(req: AttachRequest): Promise<AttachResult> {
    return this.run({ attach: req }) as Promise<AttachResult>;
  }
}
