/**
 * The messages between a worker pool (main thread, worker-pool.ts) and its worker
 * (worker-serve.ts). Types only, so both sides agree on the shape without either
 * importing the other.
 */

/** Main → worker: run one request. */
export interface WorkerRequest<Req> {
  id: number;
  req: Req;
}

/** An error thrown in the worker, as data: a RayfarmError keeps its code and details. */
export interface WorkerErrorInfo {
  code?: string;
  message: string;
  name?: string;
  details?: Record<string, unknown>;
}

/** Worker → main: loaded and listening, one request done, or one request failed. */
export type WorkerReply<Res> =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: Res }
  | { type: 'failed'; id: number; error: WorkerErrorInfo };
