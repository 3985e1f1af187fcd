/**
 * The scene import worker's entry: runs each import job (prepare a scene, attach an environment map) off the main thread
 * and hands the packaged GLB back by transfer. Loaded by import-pool.ts, never imported.
 */
import { runImportJob } from './scene-prepare';
import type { ImportJob, ImportJobResult } from './scene-prepare';
import { ownBuffer, serveRequests } from '../workers/worker-serve';

serveRequests<ImportJob, ImportJobResult>(async (req) => {
  const result = await runImportJob(req);
  if (!result.ok) return { result };
  const glb = ownBuffer(result.glb);
  return { result: { ...result, glb }, transfer: [glb.buffer as ArrayBuffer] };
});
