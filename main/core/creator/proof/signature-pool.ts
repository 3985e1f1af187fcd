/**
 * Recovers the signers of signed claims (EIP-191 personal messages) in one reusable worker
 * thread (workers/worker-pool.ts). One recovery is a few milliseconds of elliptic-curve
 * arithmetic in JavaScript; a creator receiving the results of hundreds of operators checks
 * dozens a second, and on the event loop that answers leases they showed as its largest
 * item in bench:scale's profile. A worker that cannot start is logged once and recoveries
 * run on the calling thread; a malformed signature fails with NET_BAD_SIGNATURE either way.
 */
import { RayfarmError } from '../../errors';
import { WorkerPool, workerEntry } from '../../workers/worker-pool';
import type { WorkerPoolOptions } from '../../workers/worker-pool';
import { recoverSigner } from '../../net/identity';

/** A claim and its signature. */
export interface RecoverRequest {
  message: string;
  signature: string;
}

/** Where the signature worker's code is (see workerEntry). */
export function defaultSignatureWorkerEntry(): Promise<{ entry: string | URL; tsEntry?: string }> {
  return workerEntry(import.meta.url, './signature-worker.ts', () => import('./signature-worker?modulePath'));
}

/** One reusable signature worker, with an in-thread fallback when it cannot start. */
export class SignaturePool extends WorkerPool<RecoverRequest, string> {
  constructor(opts: WorkerPoolOptions = {}) {
    super(
      {
        name: 'rayfarm-signatures',
        defaultEntry: defaultSignatureWorkerEntry,
        inThread: (req) => Promise.resolve(recoverSigner(req.message, req.signature)),
        closed: () => new RayfarmError('NET_SIGNATURES_CLOSED', 'The signature could not be checked because the node is shutting down.'),
        crashed: (reason) => new RayfarmError('NET_SIGNATURES_CRASHED', `Checking a signature stopped unexpectedly (${reason}).`),
        unavailable: (reason) => `rayfarm: the signature worker could not start (${reason}); checking signatures on the main thread`,
        resourceLimits: { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
      },
      { idleMs: 60_000, ...opts },
    );
  }

  /** The lowercase address that signed `message` (NET_BAD_SIGNATURE when the signature is malformed). */
  recover(message: string, signature: string): Promise<string> {
    return this.run({ message, signature });
  }
}

let shared: SignaturePool | undefined;

/** The process's signature pool (its idle worker never holds the process open). */
export function sharedSignaturePool(): SignaturePool {
  shared ??= new SignaturePool({ log: (line) => console.warn(line) });
  return shared;
}

/** Ends the process's signature pool (on exit); a later check starts a new one. */
export async function closeSharedSignaturePool(): Promise<void> {
  const p = shared;
  shared = undefined;
  await p?.close();
}
