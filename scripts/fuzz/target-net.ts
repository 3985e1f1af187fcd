/**
 * Fuzz target: every protocol message decoder. Valid samples of each message are mutated
 * (as JSON and as bytes) and decoded with the size limit and schema the protocol uses;
 * anything but a NetError with a code is a crash. Decoded announcements and bindings also
 * go through their signature checks, which must refuse with a NetError too.
 */
import type { z } from 'zod';
import { AnnouncementSchema, MAX_ANNOUNCEMENT_BYTES } from '../../main/core/net/announce';
import { BLOB_LIMITS } from '../../main/core/net/blob';
import { RangeRequestSchema, RangeResponseSchema } from '../../main/core/net/blob/blob';
import { decodeJson, encodeJson } from '../../main/core/net/codec';
import { NetError } from '../../main/core/net/errors';
import { HELLO_LIMITS } from '../../main/core/net/hello';
import { HelloRequestSchema, HelloResponseSchema } from '../../main/core/net/hello/hello';
import { BindingSchema, recoverSigner, verifyBinding } from '../../main/core/net/identity';
import { ResultHeaderSchema, ResultResponseSchema } from '../../main/core/net/result/messages';
import { RESULT_LIMITS } from '../../main/core/net/result/constants';
import { LeaseSchema, WorkRequestSchema, WorkResponseSchema } from '../../main/core/net/work/messages';
import { WORK_LIMITS } from '../../main/core/net/work/constants';
import type { FuzzTarget } from './fuzz-run';
import { mutateBytes, mutateJson, randomJson } from './rng';
import type { Rng } from './rng';

const SIG = `0x${'1b'.repeat(65)}`;
const HASH = 'ab'.repeat(32);
const binding = { v: 1, peerId: '12D3KooWJx', address: `0x${'12'.repeat(20)}`, mode: 'public', issuedAt: 1_700_000_000_000, signature: SIG };
const spec = { sceneId: HASH, width: 64, height: 48, spp: 4, tiles: { x: 2, y: 1 }, frames: { start: 0, end: 1, step: 1 } };
const lease = {
  leaseId: 'l-1',
  jobId: 'j-1',
  ttlMs: 60_000,
  task: { index: 1, id: 'f0000-t1x0', frame: 0, tileX: 1, tileY: 0, rect: { x: 32, y: 0, width: 32, height: 48 } },
  spec,
  scene: { hash: HASH, bytes: 1000 },
  engine: 'rayfarm-pt/2',
  price: { tier: 'economy', perBenchHour: '1.5', amount: '100' },
};
const announcement = {
  v: 1,
  jobId: 'job-1',
  seq: 3,
  state: 'open',
  creator: binding,
  addrs: ['/ip4/127.0.0.1/tcp/4001'],
  scene: { hash: HASH, bytes: 100 },
  engine: 'rayfarm-pt/2',
  tier: 'economy',
  perBenchHour: '0',
  width: 32,
  height: 32,
  spp: 2,
  frames: 1,
  tasks: 1,
  tasksLeft: 1,
  createdAt: 1_700_000_000_000,
  expiresAt: 1_700_000_060_000,
  signature: SIG,
};

interface Decoder {
  name: string;
  schema: z.ZodType;
  max: number;
  samples: unknown[];
  after?: (v: never) => void;
}

const DECODERS: Decoder[] = [
  {
    name: 'announce',
    schema: AnnouncementSchema,
    max: MAX_ANNOUNCEMENT_BYTES,
    samples: [announcement],
    after: (a: z.infer<typeof AnnouncementSchema>) => {
      verifyBinding(a.creator, a.creator.peerId);
      recoverSigner('x', a.signature);
    },
  },
  { name: 'hello-request', schema: HelloRequestSchema, max: HELLO_LIMITS.maxMessageBytes, samples: [{ binding, roles: ['creator'] }], after: (h: { binding: z.infer<typeof BindingSchema> }) => void verifyBinding(h.binding, h.binding.peerId) },
  { name: 'hello-response', schema: HelloResponseSchema, max: HELLO_LIMITS.maxMessageBytes, samples: [{ status: 'ok', binding, roles: ['operator'] }, { status: 'busy', retryAfterMs: 100 }] },
  { name: 'blob-request', schema: RangeRequestSchema, max: BLOB_LIMITS.maxMessageBytes, samples: [{ hash: HASH, offset: 0, length: 1024 }] },
  { name: 'blob-response', schema: RangeResponseSchema, max: BLOB_LIMITS.maxMessageBytes, samples: [{ status: 'ok', size: 10, offset: 0, length: 10 }, { status: 'not-found' }] },
  { name: 'work-request', schema: WorkRequestSchema, max: WORK_LIMITS.maxMessageBytes, samples: [{ type: 'request', jobId: 'j-1', offer: { engines: ['rayfarm-pt/2'], maxSceneBytes: 1e9 } }, { type: 'renew', leaseId: 'l-1' }] },
  { name: 'work-response', schema: WorkResponseSchema, max: WORK_LIMITS.maxMessageBytes, samples: [{ status: 'ok', lease }, { status: 'none', retryAfterMs: 100, reason: 'no tasks' }] },
  { name: 'lease', schema: LeaseSchema, max: WORK_LIMITS.maxMessageBytes, samples: [lease] },
  {
    name: 'result-header',
    schema: ResultHeaderSchema,
    max: RESULT_LIMITS.maxMessageBytes,
    samples: [{ leaseId: 'l-1', jobId: 'j-1', taskIndex: 1, width: 32, height: 48, format: 'rgba32f', bytes: 32 * 48 * 16, sha256: HASH, renderMs: 10, signature: SIG }],
  },
  { name: 'result-response', schema: ResultResponseSchema, max: RESULT_LIMITS.maxMessageBytes, samples: [{ status: 'ok', verdict: 'accepted' }] },
];

interface NetInput {
  decoder: string;
  /** The message as UTF-8 text (most inputs) or base64 bytes. */
  text?: string;
  base64?: string;
}

function generate(rng: Rng): NetInput {
  const d = rng.pick(DECODERS);
  const sample = rng.pick(d.samples);
  const mode = rng.int(10);
  if (mode < 6) return { decoder: d.name, text: JSON.stringify(mutateJson(rng, sample)) };
  if (mode < 7) return { decoder: d.name, text: JSON.stringify(randomJson(rng, 4)) };
  return { decoder: d.name, base64: Buffer.from(mutateBytes(rng, encodeJson(sample))).toString('base64') };
}

function run(raw: unknown): void {
  const input = raw as NetInput;
  const d = DECODERS.find((x) => x.name === input.decoder);
  if (!d) throw new Error(`unknown decoder ${input.decoder}`);
  const bytes = input.base64 !== undefined ? new Uint8Array(Buffer.from(input.base64, 'base64')) : new TextEncoder().encode(input.text ?? '');
  try {
    const v = decodeJson(bytes, d.schema, d.max) as never;
    d.after?.(v);
  } catch (err) {
    if (err instanceof NetError && /^NET_[A-Z_]+$/.test(err.code)) return;
    throw err;
  }
}

/** The protocol decoders as one fuzz target. */
export const netTarget: FuzzTarget = { name: 'net', weight: 3, generate, run };
