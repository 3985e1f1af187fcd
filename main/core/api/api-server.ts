/**
 * api/ — the ONE implementation of shared/api: ApiServer checks every call's input against its
 * zod schema and turns failures into { code, message }; `<area>-handlers.ts` implement each
 * area on the services app.ts built. Both transports (Electron IPC, the headless WebSocket)
 * call this object.
 */
import { apiCalls, apiEvents, isCallName } from '../../../shared/api';
import type { CallName, CallOutput, CallResult, EventName, EventPayload, ParsedInput } from '../../../shared/api';
import type { EventEnvelope } from '../../../shared/protocol';
import { RayfarmError, toErrorPayload } from '../errors';

/** Who is calling, as established by the transport. */
export interface CallContext {
  transport: 'ipc' | 'websocket' | 'local';
}

/** The implementation of one call. */
export type Handler<K extends CallName> = (input: ParsedInput<K>, ctx: CallContext) => Promise<CallOutput<K>> | CallOutput<K>;

/** Implementations of a subset of the calls (one feature area). */
export type HandlerMap<K extends CallName> = { [P in K]: Handler<P> };

/** Implementations of every call. */
export type Handlers = HandlerMap<CallName>;

type Listener = (event: EventEnvelope) => void;

function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * The one implementation of shared/api behind every transport: it checks the call name,
 * validates input with the call's schema, runs the handler and turns failures into
 * `{code, message}`. Nothing a transport sends can crash it.
 */
export class ApiServer {
  private readonly listeners = new Set<Listener>();

  constructor(private readonly handlers: Handlers) {}

  /** Runs one call from untrusted input. Never throws. */
  async invoke(name: unknown, input: unknown, ctx: CallContext): Promise<CallResult<unknown>> {
    try {
      if (!isCallName(name)) {
        throw new RayfarmError('API_UNKNOWN_CALL', `There is no API call named ${JSON.stringify(String(name)).slice(0, 120)}.`);
      }
      const def = apiCalls[name];
      const parsed = def.input.safeParse(input);
      if (!parsed.success) {
        throw new RayfarmError('API_BAD_INPUT', `Invalid input for ${name}: ${describeIssues(parsed.error)}`, {
          // Each refused field by its path, so a UI can put its own words next to that field.
          details: { call: name, fields: parsed.error.issues.slice(0, 20).map((i) => i.path.map(String).join('.')) },
        });
      }
      const handler = this.handlers[name] as (i: unknown, c: CallContext) => unknown;
      const value = await handler(parsed.data, ctx);
      const out = def.output.safeParse(value);
      if (!out.success) {
        // A bug on our side, not the caller's: say so plainly.
        throw new RayfarmError('API_BAD_OUTPUT', `Internal error: ${name} produced an invalid result (${describeIssues(out.error)}).`);
      }
      return { ok: true, value: out.data };
    } catch (err) {
      return { ok: false, error: toErrorPayload(err) };
    }
  }

  /** Typed call for in-process callers (CLI, tests); throws RayfarmError on failure. */
  async call<K extends CallName>(name: K, input?: unknown): Promise<CallOutput<K>> {
    const r = await this.invoke(name, input, { transport: 'local' });
    if (!r.ok) throw new RayfarmError(r.error.code, r.error.message, r.error.details ? { details: r.error.details } : undefined);
    return r.value as CallOutput<K>;
  }

  /** Sends an event to every connected UI. */
  emit<K extends EventName>(event: K, payload: EventPayload<K>): void {
    const checked = apiEvents[event].parse(payload);
    for (const l of this.listeners) {
      try {
        l({ event, payload: checked });
      } catch {
        // One broken listener (a closed socket) must not stop the others.
      }
    }
  }

  /** Registers a listener for every event; returns the function that removes it. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
