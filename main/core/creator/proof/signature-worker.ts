/**
 * The signature worker's entry: recovers the signer of signed claims off the main thread.
 * Loaded by signature-pool.ts, never imported.
 */
import { recoverSigner } from '../../net/identity';
import { serveRequests } from '../../workers/worker-serve';
import type { RecoverRequest } from './signature-pool';

serveRequests<RecoverRequest, string>(async (req) => ({ result: recoverSigner(req.message, req.signature) }));
