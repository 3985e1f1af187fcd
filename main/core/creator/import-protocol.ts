/**
 * The messages between the scene import pool (main thread) and its worker. Types only, so
 * both sides agree on the shape without either importing the other.
 */
import type { PreparedScene, PrepareRequest } from './scene-prepare';

/** Main → worker: prepare one scene. */
export interface ImportRequest {
  id: number;
  req: PrepareRequest;
}

/** An error thrown in the worker, as data: a RayfarmError keeps its code and details. */
export interface WorkerErrorInfo {
  code?: string;
  message: string;
  name?: string;
  details?: Record<string, unknown>;
}

/** Worker → main: loaded and listening, one scene prepared, or one scene failed. */
export type ImportReply =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: PreparedScene }
  | { type: 'failed'; id: number; error: WorkerErrorInfo };
