/**
 * JSON messages on the wire: encoded as UTF-8 JSON, decoded with a size check first and a
 * zod schema after, so a malformed message never reaches protocol logic.
 */
import type { z } from 'zod';
import { NetError } from './errors';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 JSON bytes of a message. */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/**
 * Parses and validates a message; throws NET_BAD_MESSAGE with the reason otherwise. `quick`:
 * a cheaper check of the most frequent shapes that accepts only what `schema` accepts
 * (undefined: not sure, the schema decides).
 */
export function decodeJson<S extends z.ZodType>(bytes: Uint8Array, schema: S, maxBytes: number, quick?: (raw: unknown) => z.output<S> | undefined): z.output<S> {
  if (bytes.byteLength > maxBytes) throw new NetError('NET_TOO_LARGE', `Message of ${bytes.byteLength} bytes exceeds ${maxBytes}.`);
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch {
    throw new NetError('NET_BAD_MESSAGE', 'The message is not valid UTF-8 JSON.');
  }
  const known = quick?.(raw);
  if (known !== undefined) return known;
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new NetError('NET_BAD_MESSAGE', `The message does not match its schema (${issue ? `${issue.path.join('.') || 'message'}: ${issue.message}` : 'invalid'}).`);
  }
  return r.data;
}
