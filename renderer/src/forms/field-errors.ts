import { useCallback, useState } from 'react';
import { ApiCallError, BAD_INPUT_SENTENCE } from '../api/client';

/**
 * How one form names its fields to the API, so that whatever the API refuses lands under
 * the field it concerns, in the form's own words. The API's validation text names calls and
 * schema terms ("Too small: expected number to be >=0") and is never shown as it is.
 */
export interface FieldMap<F extends string> {
  /**
   * The call's input paths (dot-joined, as `details.fields` gives them) → the form's field.
   * A path also matches a longer one below it (`spec.frames` takes `spec.frames.start` when
   * that has no entry of its own); the longest entry wins.
   */
  paths: Partial<Record<string, F>>;
  /**
   * Error codes that concern one field: the core's sentence (already in words) goes under it,
   * or the field's rule where the core's sentence names something internal (`{ field, rule: true }`).
   */
  codes?: Partial<Record<string, F | { field: F; rule: true }>>;
  /** What each field accepts, in words, shown when the API refused that field's value. */
  rules: Record<F, string>;
}

/** A refusal split by field; `general` is what concerns no single field, in words. */
export interface FieldErrors<F extends string> {
  fields: Partial<Record<F, string>>;
  general: string | null;
}

/** No errors. */
export const NO_FIELD_ERRORS: FieldErrors<never> = { fields: {}, general: null };

function fieldOfPath<F extends string>(path: string, paths: FieldMap<F>['paths']): F | undefined {
  let best: { len: number; field: F } | undefined;
  for (const [key, field] of Object.entries(paths) as [string, F][]) {
    const hit = path === key || path.startsWith(`${key}.`) || key === '';
    if (hit && (!best || key.length > best.len)) best = { len: key.length, field };
  }
  return best?.field;
}

/** Splits a failed call into each field's words and a general sentence. */
export function mapApiError<F extends string>(err: unknown, map: FieldMap<F>): FieldErrors<F> {
  if (err === null || err === undefined) return NO_FIELD_ERRORS;
  if (!(err instanceof ApiCallError)) return { fields: {}, general: (err as Error).message ?? String(err) };
  if (err.code === 'API_BAD_INPUT') {
    const paths = Array.isArray(err.details?.fields) ? (err.details.fields as unknown[]).filter((p): p is string => typeof p === 'string') : [];
    const fields: Partial<Record<F, string>> = {};
    let unplaced = paths.length === 0;
    for (const p of paths) {
      const f = fieldOfPath(p, map.paths);
      if (f) fields[f] = map.rules[f];
      else unplaced = true;
    }
    return { fields, general: unplaced ? BAD_INPUT_SENTENCE : null };
  }
  const c = map.codes?.[err.code];
  if (c === undefined) return { fields: {}, general: err.message };
  const [field, text] = typeof c === 'object' ? [c.field, map.rules[c.field]] : [c, err.message];
  return { fields: { [field]: text } as Partial<Record<F, string>>, general: null };
}

/**
 * For forms that save one field at a time (the operator's policy): a save of `saved` forgets
 * only those fields' old errors and adds the new refusal's, so no field's error replaces
 * another's.
 */
export function mergeFieldErrors<F extends string>(old: FieldErrors<F>, saved: readonly F[], next: FieldErrors<F>): FieldErrors<F> {
  const fields = { ...old.fields };
  for (const f of saved) delete fields[f];
  return { fields: { ...fields, ...next.fields }, general: next.general };
}

/** What a form holds of the API's last refusal, one slot per field. */
export interface FieldErrorState<F extends string> {
  /** A field's error: the form's own check first (it is about what is typed now), else the API's. */
  of(field: F, local?: string | null | false): string | null;
  /** What concerns no field, or null. */
  general: string | null;
  /** Records a failed call's errors (each field in its own slot; no field's error replaces another's). */
  report(err: unknown): void;
  /** Forgets the API's error for one field (it was edited) or for all (a new attempt). */
  clear(field?: F): void;
}

/** Holds a form's API errors by field (see FieldMap). */
export function useFieldErrors<F extends string>(map: FieldMap<F>): FieldErrorState<F> {
  const [state, setState] = useState<FieldErrors<F>>(NO_FIELD_ERRORS);
  const report = useCallback((err: unknown) => setState(mapApiError(err, map)), [map]);
  const clear = useCallback((field?: F) => {
    setState((old) => {
      if (field === undefined) return NO_FIELD_ERRORS;
      if (!(field in old.fields)) return old;
      const fields = { ...old.fields };
      delete fields[field];
      return { ...old, fields };
    });
  }, []);
  return {
    of: (field, local) => (local ? local : (state.fields[field] ?? null)),
    general: state.general,
    report,
    clear,
  };
}
