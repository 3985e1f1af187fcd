import type { CallInput, CallName, CallOutput, EventName, EventPayload } from '../../../shared/api';
import { IpcTransport } from './ipc-transport';
import type { PreloadBridge, Transport } from './transport';
import { WebSocketTransport } from './ws-transport';

/** Said for a refused input that no form placed under one of its fields. */
export const BAD_INPUT_SENTENCE = 'Rayfarm did not accept one of the values sent. Check the fields and try again.';

/** A failed call, with the stable code and the sentence to show. */
export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** The one API client every view uses, whatever the transport. */
export class ApiClient {
  constructor(readonly transport: Transport) {}

  async call<K extends CallName>(name: K, ...input: undefined extends CallInput<K> ? [CallInput<K>?] : [CallInput<K>]): Promise<CallOutput<K>> {
    const r = await this.transport.request(name, input[0]);
    if (!r.ok) {
      // The core's validation text names calls and schema terms; a person gets a sentence,
      // and a form maps `details.fields` to its own words next to each field (forms/field-errors.ts).
      const message = r.error.code === 'API_BAD_INPUT' ? BAD_INPUT_SENTENCE : r.error.message;
      throw new ApiCallError(r.error.code, message, r.error.details);
    }
    return r.value as CallOutput<K>;
  }

  on<K extends EventName>(event: K, listener: (payload: EventPayload<K>) => void): () => void {
    return this.transport.onEvent((e) => {
      if (e.event === event) listener(e.payload as EventPayload<K>);
    });
  }
}

declare global {
  interface Window {
    rayfarm?: PreloadBridge;
  }
}

/** Picks the Electron bridge when present, else the WebSocket of the headless server. */
export function createClient(): ApiClient {
  if (window.rayfarm) return new ApiClient(new IpcTransport(window.rayfarm));
  const params = new URLSearchParams(window.location.search);
  const token = params.get('token') ?? sessionStorage.getItem('rayfarm.token') ?? '';
  if (token) sessionStorage.setItem('rayfarm.token', token);
  const proto = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return new ApiClient(new WebSocketTransport(`${proto}://${window.location.host}/api?token=${encodeURIComponent(token)}`));
}

/** The client for this window. */
export const api = createClient();
