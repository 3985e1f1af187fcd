/**
 * The scene import worker's entry: runs prepareScene for each request off the main thread
 * and hands the packaged GLB back by transfer. Loaded by import-pool.ts, never imported.
 */
import { parentPort } from 'node:worker_threads';
import { RayfarmError } from '../errors';
import type { ImportReply, ImportRequest, WorkerErrorInfo } from './import-protocol';
import { prepareScene } from './scene-prepare';

function errorInfo(err: unknown): WorkerErrorInfo {
  if (err instanceof RayfarmError) return { code: err.code, message: err.message, ...(err.details && { details: err.details }) };
  return { message: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' };
}

/** The GLB's own buffer when it spans it, else a copy that does: only a whole buffer may be transferred. */
function ownBuffer(glb: Uint8Array): Uint8Array<ArrayBuffer> {
  const whole = glb.byteOffset === 0 && glb.byteLength === glb.buffer.byteLength && glb.buffer instanceof ArrayBuffer;
  return whole ? (glb as Uint8Array<ArrayBuffer>) : new Uint8Array(glb);
}

const port = parentPort;
if (port) {
  port.on('message', (msg: ImportRequest) => {
    prepareScene(msg.req).then(
      (result) => {
        if (!result.ok) return port.postMessage({ type: 'done', id: msg.id, result } satisfies ImportReply);
        const glb = ownBuffer(result.glb);
        port.postMessage({ type: 'done', id: msg.id, result: { ...result, glb } } satisfies ImportReply, [glb.buffer]);
      },
      (err: unknown) => port.postMessage({ type: 'failed', id: msg.id, error: errorInfo(err) } satisfies ImportReply),
    );
  });
  port.postMessage({ type: 'ready' } satisfies ImportReply);
}
