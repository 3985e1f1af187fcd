import { useCallback, useState } from 'react';
import { ApiCallError } from '../api/client';

/** A failed action as the UI shows it: the sentence, and the code for field mapping. */
export interface ActionError {
  code: string;
  message: string;
}

/** Runs an async action with a busy flag and a readable error; never leaves a promise unhandled. */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ActionError | null>(null);
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setBusy(true);
      setError(null);
      try {
        return await fn(...args);
      } catch (err) {
        setError(err instanceof ApiCallError ? { code: err.code, message: err.message } : { code: 'ERROR', message: (err as Error).message });
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [fn],
  );
  return { run, busy, error, setError };
}
