/**
 * The worker side of worker-pool.ts: answers each request with its result, handing the
 * buffers the handler names back by transfer, or with the error as data.
 */
import { parentPort } from 'node:worker_threads';
import { RayfarmError } from '../errors';
import type { WorkerErrorInfo, WorkerReply, WorkerRequest } from './worker-protocol';

function errorInfo(err: unknown): WorkerErrorInfo {
  if (err instanceof RayfarmError) return { code: err.code, message: err.message, ...(err.details && { details: err.details }) };
  return { message: err instanceof Error ? err.message : String(err), name: err instanceof Error ? err.name : 'Error' };
}

/** A handler's answer: the result and the buffers in it to move (not copy) to the main thread. */
export interface Served<Res> {
  result: Res;
  transfer?: ArrayBuffer[];
}

/** Serves requests on this worker's parent port (does nothing on the main thread). */
export function serveRequests<Req, Res>(handle: (req: Req) => Promise<Served<Res>>): void {
  const port = parentPort;
  if (!port) return;
  port.on('message', (msg: WorkerRequest<Req>) => {
    handle(msg.req).then(
      ({ result, transfer }) => port.postMessage({ type: 'done', id: msg.id, result } satisfies WorkerReply<Res>, transfer ?? []),
      (err: unknown) => port.postMessage({ type: 'failed', id: msg.id, error: errorInfo(err) } satisfies WorkerReply<Res>),
    );
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply<Res>);
}

/** The array's own buffer when it spans it, else a copy that does: only a whole buffer may be transferred. */
export function ownBuffer<T extends Uint8Array | Float32Array | Uint32Array>(a: T): T {
  const whole = a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer;
  return whole ? a : (a.slice() as T);
}
