/**
 * The one contract between the UI and the core: every call with the zod schemas of its
 * input and output, and every event. Both transports (Electron IPC and the headless
 * WebSocket) carry exactly this map; `main/core/api` implements it once.
 *
 * Each feature area declares its calls in `shared/api/<area>.ts`; this file joins them.
 */
import type { z } from 'zod';
import { appCalls, appEvents } from './api/app';
import { operatorCalls, operatorEvents } from './api/operator';
import { jobOutputCalls } from './api/job-output';
import { mediaCalls } from './api/media';
import { sampleCalls } from './api/samples';
import { walletCalls, walletEvents } from './api/wallet';
import { sceneCalls, sceneEvents } from './api/scenes';
import { networkCalls, networkEvents } from './api/network';
import { jobCalls, jobEvents } from './api/jobs';
import { chainCalls } from './api/chain';
import type { CallDef } from './api/define';

export const apiCalls = {
  ...appCalls,
  ...mediaCalls,
  ...sampleCalls,
  ...jobOutputCalls,
  ...walletCalls,
  ...operatorCalls,
  ...sceneCalls,
  ...networkCalls,
  ...jobCalls,
  ...chainCalls,
} satisfies Record<string, CallDef>;

export const apiEvents = {
  ...appEvents,
  ...walletEvents,
  ...operatorEvents,
  ...sceneEvents,
  ...networkEvents,
  ...jobEvents,
} satisfies Record<string, z.ZodType>;

export type ApiCalls = typeof apiCalls;
export type CallName = keyof ApiCalls;
/** What a caller passes (before defaults are applied). */
export type CallInput<K extends CallName> = z.input<ApiCalls[K]['input']>;
/** What a handler receives (validated, defaults applied). */
export type ParsedInput<K extends CallName> = z.output<ApiCalls[K]['input']>;
export type CallOutput<K extends CallName> = z.output<ApiCalls[K]['output']>;

export type ApiEvents = typeof apiEvents;
export type EventName = keyof ApiEvents;
export type EventPayload<K extends EventName> = z.output<ApiEvents[K]>;

/** True when `name` is a call of the API (for untrusted input from a transport). */
export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiCalls, name);
}

export { ApiErrorSchema } from './api/define';
export type { ApiError, CallResult } from './api/define';
export * from './api/app';
export * from './api/operator';
export * from './api/wallet';
export * from './api/media';
export * from './api/scenes';
export * from './api/network';
export * from './api/jobs';
export * from './api/job-output';
export * from './api/samples';
export * from './api/chain';
