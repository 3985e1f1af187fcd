/**
 * The scene import worker's entry: runs prepareScene for each request off the main thread
 * and hands the packaged GLB back by transfer. Loaded by import-pool.ts, never imported.
 */
import { prepareScene } from './scene-prepare';
import type { PreparedScene, PrepareRequest } from './scene-prepare';
import { ownBuffer, serveRequests } from '../workers/worker-serve';

serveRequests<PrepareRequest, PreparedScene>(async (req) => {
  const result = await prepareScene(req);
  if (!result.ok) return { result };
  const glb = ownBuffer(result.glb);
  return { result: { ...result, glb }, transfer: [glb.buffer as ArrayBuffer] };
});
