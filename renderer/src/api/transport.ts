import type { CallResult } from '../../../shared/api';
import type { EventEnvelope } from '../../../shared/protocol';

/** Where the UI is connected, shown in the status bar. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

/** What a transport must do; the Electron bridge and the WebSocket each implement it. */
export interface Transport {
  readonly kind: 'ipc' | 'websocket';
  request(call: string, input: unknown): Promise<CallResult<unknown>>;
  onEvent(listener: (e: EventEnvelope) => void): () => void;
  onState(listener: (s: ConnectionState) => void): () => void;
  readonly state: ConnectionState;
  /** Why the link is down, in words, once known (a refused token, a stopped server); null otherwise. */
  readonly problem?: string | null;
}

/** The object the Electron preload exposes as `window.rayfarm`. */
export interface PreloadBridge {
  call(call: string, input: unknown): Promise<CallResult<unknown>>;
  onEvent(listener: (e: EventEnvelope) => void): () => void;
  /** Path of a dropped file (Electron only; webUtils.getPathForFile). */
  pathForFile?(file: File): string;
}
