/**
 * Small helpers of the worker's network side: which failures are worth another try, a
 * delay that an abort ends, and which lease answers mean the lease is gone.
 */
import type { LeaseAnswer, WorkResponse } from '../../net/work/messages';

/** Tries at a scene before its task is given up, and the pause after the first failure (grows linearly). */
export const FETCH_ATTEMPTS = 4;
/** Pause after the first failed fetch of a scene (grows linearly). */
export const FETCH_RETRY_MS = 1000;

/** Errors of the connection, as opposed to a bad or oversized scene. */
export function isTransient(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  if (code === 'NET_BLOB_UNAVAILABLE') return isTransient((err as Error).cause);
  return code === 'NET_UNREACHABLE' || code === 'NET_TIMEOUT' || code === 'NET_TRUNCATED';
}

/** Resolves after `ms`, or rejects when `signal` aborts first. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** True when a lease answer says the creator no longer honours the lease. */
export function isGone(r: LeaseAnswer | WorkResponse): boolean {
  return r.status === 'gone' || r.status === 'denied';
}

/**
 * Fetches until `done()`: a dropped connection (the creator restarting, a flaky LAN) is not
 * the task's fault, so transient failures are tried again a few times, each try resuming
 * where the last stopped; anything else, or the last try, fails the fetch.
 */
export async function fetchWithRetry(fetch: () => Promise<void>, done: () => boolean, signal: AbortSignal, onRetry: (err: unknown) => void): Promise<void> {
  for (let attempt = 1; !done(); attempt++) {
    try {
      await fetch();
    } catch (err) {
      if (attempt >= FETCH_ATTEMPTS || signal.aborted || !isTransient(err)) throw err;
      onRetry(err);
      await abortableDelay(FETCH_RETRY_MS * attempt, signal);
    }
  }
}
