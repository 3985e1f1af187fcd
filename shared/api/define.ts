import { z } from 'zod';

/** One call of the API: a zod schema for its input and one for its output. */
export interface CallDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  /** One sentence for the API reference and error messages. */
  summary: string;
}

/** Declares a call; keeps the literal schema types for inference. */
export function call<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, summary: string): CallDef<I, O> {
  return { input, output, summary };
}

/** Input of a call that takes nothing. */
export const NoInput = z.object({}).strict().optional();

/** The `{code, message}` every failed call returns. */
export const ApiErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** What a transport carries back for one call. */
export type CallResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };
