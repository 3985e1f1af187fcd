import { useCallback, useState } from 'react';
import { ApiCallError } from '../api/client';

/** A failed action as the UI shows it: the sentence, and the code for field mapping. */
export interface ActionError {
  code: string;
  message: string;
}

/** Where a form keeps a failed action's errors by field (forms/field-errors.ts). */
export interface ErrorSink {
  report(err: unknown): void;
  clear(): void;
}

/**
 * Runs an async action with a busy flag and a readable error; never leaves a promise
 * unhandled. With `sink`, each failure also goes to the form's fields.
 */
export function useAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>, sink?: ErrorSink) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ActionError | null>(null);
  const run = useCallback(
    async (...args: A): Promise<R | undefined> => {
      setBusy(true);
      setError(null);
      sink?.clear();
      try {
        return await fn(...args);
      } catch (err) {
        setError(err instanceof ApiCallError ? { code: err.code, message: err.message } : { code: 'ERROR', message: (err as Error).message });
        sink?.report(err);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [fn, sink],
  );
  return { run, busy, error, setError };
}
