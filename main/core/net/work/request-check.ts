/**
 * The work protocol's two most frequent messages (a request for tasks, a renewal) checked
 * without zod: every operator sends one of them each few seconds, and at a job's start a
 * thousand at once, where zod's general walk cost more than the rest of the answer.
 *
 * It only ever ACCEPTS what WorkRequestSchema accepts, never more: anything it is not sure of
 * (another message type, an unknown key, a wrong type, a value out of range) it leaves to the
 * schema, which accepts or refuses it with its own message. test/main/core/net/work-request-check
 * holds it to that on hostile variants.
 */
import { MAX_TASKS_PER_REQUEST } from './constants';
import type { WorkRequest } from './messages';

const ID = /^[A-Za-z0-9_.:-]+$/;

function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= 80 && ID.test(v);
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function isCount(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max;
}

function isOffer(v: unknown): boolean {
  if (!isPlain(v)) return false;
  let n = 0;
  for (const k in v) {
    if (!Object.hasOwn(v, k)) return false;
    if (k !== 'engines' && k !== 'maxSceneBytes') return false;
    n++;
  }
  if (n !== 2 || !isCount(v.maxSceneBytes, 0, Number.MAX_SAFE_INTEGER)) return false;
  const e = v.engines;
  if (!Array.isArray(e) || e.length > 8) return false;
  for (const x of e) if (typeof x !== 'string' || x.length > 40) return false;
  return true;
}

/** `raw` as a WorkRequest when it is a well-formed request or renewal; undefined: let WorkRequestSchema judge it. */
export function quickWorkRequest(raw: unknown): WorkRequest | undefined {
  if (!isPlain(raw)) return undefined;
  for (const k in raw) if (!Object.hasOwn(raw, k)) return undefined;
  const keys = Object.keys(raw);
  if (raw.type === 'renew') return keys.length === 2 && isId(raw.leaseId) ? (raw as WorkRequest) : undefined;
  if (raw.type !== 'request') return undefined;
  for (const k of keys) if (k !== 'type' && k !== 'jobId' && k !== 'offer' && k !== 'count') return undefined;
  if ('jobId' in raw && !isId(raw.jobId)) return undefined;
  if ('count' in raw && !isCount(raw.count, 1, MAX_TASKS_PER_REQUEST)) return undefined;
  return isOffer(raw.offer) ? (raw as WorkRequest) : undefined;
}
