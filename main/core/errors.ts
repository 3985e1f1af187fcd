/**
 * Errors that cross a boundary (API, CLI, network) carry a stable `code` so callers can
 * react to the kind of failure and people see a sentence, never a stack.
 */
export class RayfarmError extends Error {
  /** A stable, SCREAMING_SNAKE identifier such as `WALLET_LOCKED`. */
  readonly code: string;
  /** Extra machine-readable facts (a field name, a file name); never secrets. */
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RayfarmError';
    this.code = code;
    if (options?.details) this.details = options.details;
  }
}

/** The `{code, message}` shape errors take at the API boundary. */
export interface ErrorPayload {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Turns anything thrown into an API error payload without leaking stacks. */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof RayfarmError) {
    return err.details ? { code: err.code, message: err.message, details: err.details } : { code: err.code, message: err.message };
  }
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    const e = err as { code: string; message?: string };
    if (/^[A-Z][A-Z0-9_]+$/.test(e.code)) return { code: e.code, message: e.message ?? e.code };
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
