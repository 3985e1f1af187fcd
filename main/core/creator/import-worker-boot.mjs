// Starts the scene import worker from the TypeScript sources (the headless form and the
// tests run without a build): registers tsx's loader in this worker thread, then loads
// the real entry. The Electron build never uses this file; it bundles import-worker.ts.
import { register } from 'tsx/esm/api';

register();
await import('./import-worker.ts');
