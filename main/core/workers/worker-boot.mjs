// Starts a worker from the TypeScript sources (the headless form and the tests run without
// a build): registers tsx's loader in this worker thread, then loads the real entry, whose
// URL the pool passes as workerData.tsEntry. The Electron build never uses this file; it
// bundles each worker entry itself.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.tsEntry);
