import type { CallResult } from '../../../shared/api';
import type { EventEnvelope, ResponseEnvelope } from '../../../shared/protocol';
import type { ConnectionState, Transport } from './transport';

interface Pending {
  resolve(r: CallResult<unknown>): void;
  timer: ReturnType<typeof setTimeout>;
}

/** How long a call may take before the UI gives up on it. Long work reports through events. */
const CALL_TIMEOUT_MS = 120_000;

/** What to say when the server cannot be reached at all. */
export const SERVER_GONE =
  'Rayfarm is not answering at this address. If you stopped it, start it again (npm run headless) and open the address it prints; this page reconnects by itself when it is back.';

/**
 * Why a WebSocket was refused: a browser hides the HTTP status of a failed upgrade, so the
 * page asks the server's /auth with the same token. A refused token gets the server's own
 * words (what happened and how to get in); no answer at all means the server is gone.
 */
export async function diagnose(origin: string, token: string): Promise<string> {
  try {
    const r = await fetch(`${origin}/auth?token=${encodeURIComponent(token)}`, { cache: 'no-store', signal: AbortSignal.timeout(5000) });
    if (r.status === 401) return ((await r.json()) as { message: string }).message;
    return r.ok ? 'The connection to Rayfarm dropped; reconnecting…' : SERVER_GONE;
  } catch {
    return SERVER_GONE;
  }
}

/**
 * The headless transport: one WebSocket to the server that served this page, with the
 * access token from the page's URL. Reconnects with back-off; calls made while
 * disconnected fail at once with a clear message instead of hanging.
 */
export class WebSocketTransport implements Transport {
  readonly kind = 'websocket' as const;
  private ws: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<(e: EventEnvelope) => void>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private current: ConnectionState = 'connecting';
  private retryMs = 250;
  problem: string | null = null;
  /** The answer to "why did the socket close?", while it is being asked. */
  private diagnosing: Promise<string> | null = null;

  constructor(
    private readonly url: string,
    private readonly token = new URL(url).searchParams.get('token') ?? '',
  ) {
    this.connect();
  }

  get state(): ConnectionState {
    return this.current;
  }

  private setState(s: ConnectionState): void {
    this.current = s;
    for (const l of this.stateListeners) l(s);
  }

  private connect(): void {
    const ws = new WebSocket(this.url);
    this.ws = ws;
    this.setState('connecting');
    ws.onopen = () => {
      this.retryMs = 250;
      this.problem = null;
      this.setState('connected');
    };
    ws.onmessage = (m) => {
      let msg: unknown;
      try {
        msg = JSON.parse(String(m.data));
      } catch {
        return;
      }
      if (msg && typeof msg === 'object' && 'event' in msg) {
        for (const l of this.eventListeners) l(msg as EventEnvelope);
        return;
      }
      const r = msg as ResponseEnvelope;
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      clearTimeout(p.timer);
      p.resolve(r.ok ? { ok: true, value: r.value } : { ok: false, error: r.error });
    };
    ws.onclose = () => {
      this.ws = null;
      this.setState('disconnected');
      const asking = diagnose(window.location.origin, this.token);
      this.diagnosing = asking;
      void asking.then((why) => {
        if (this.diagnosing === asking) this.diagnosing = null;
        if (this.current === 'connected') return;
        this.problem = why;
        this.setState(this.current);
      });
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.resolve({ ok: false, error: { code: 'DISCONNECTED', message: 'Lost the connection to Rayfarm.' } });
        this.pending.delete(id);
      }
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    };
  }

  private async opened(): Promise<boolean> {
    if (this.ws?.readyState === WebSocket.OPEN) return true;
    if (!this.ws || this.ws.readyState !== WebSocket.CONNECTING) return false;
    const ws = this.ws;
    return new Promise((resolve) => {
      ws.addEventListener('open', () => resolve(true), { once: true });
      ws.addEventListener('close', () => resolve(false), { once: true });
    });
  }

  async request(call: string, input: unknown): Promise<CallResult<unknown>> {
    if (!(await this.opened()) || !this.ws) {
      // Answer with the reason once it is known, not a guess made before asking.
      if (this.diagnosing) this.problem = await this.diagnosing;
      return { ok: false, error: { code: 'DISCONNECTED', message: this.problem ?? SERVER_GONE } };
    }
    const id = this.nextId++;
    const ws = this.ws;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, error: { code: 'TIMEOUT', message: `Rayfarm did not answer ${call} in time.` } });
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, { resolve, timer });
      ws.send(JSON.stringify({ id, call, input }));
    });
  }

  onEvent(listener: (e: EventEnvelope) => void) {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onState(listener: (s: ConnectionState) => void) {
    this.stateListeners.add(listener);
    listener(this.current);
    return () => this.stateListeners.delete(listener);
  }
}
