/**
 * The envelope both transports use. The WebSocket sends these as JSON text frames;
 * Electron IPC passes the same objects through `invoke` and `send`.
 */
import { z } from 'zod';

/** Limits on what one message may be, checked before parsing. */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;

export const RequestEnvelopeSchema = z.object({
  id: z.number().int().nonnegative(),
  call: z.string().max(100),
  input: z.unknown().optional(),
});
export type RequestEnvelope = z.infer<typeof RequestEnvelopeSchema>;

export type ResponseEnvelope =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { code: string; message: string; details?: Record<string, unknown> } };

export interface EventEnvelope {
  event: string;
  payload: unknown;
}

export { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from './ipc-channels';
