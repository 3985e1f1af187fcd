import { RayfarmError } from '../errors';

/** A network failure with a stable code: NET_TIMEOUT, NET_TOO_LARGE, NET_CLOSED, NET_BAD_MESSAGE, … */
export class NetError extends RayfarmError {
  constructor(code: string, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(code, message, options);
    this.name = 'NetError';
  }
}
