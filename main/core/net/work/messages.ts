/**
 * Wire shapes of the work protocol, shared with the dispatcher (which produces leases)
 * and the worker (which consumes them).
 */
import { z } from 'zod';
import { JobSpecSchema, MAX_FRAME_INDEX, MAX_FRAMES, MAX_RESOLUTION, MAX_TILES_PER_AXIS, taskAt } from '../../../../shared/job-spec';
import { MAX_TASKS_PER_REQUEST } from './constants';

const Id = z.string().min(1).max(80).regex(/^[A-Za-z0-9_.:-]+$/);
const Hash = z.string().regex(/^[0-9a-f]{64}$/);
const Reason = z.string().max(300);

/** One task of a job, as the job spec's split defines it. */
export const TaskSchema = z
  .object({
    index: z.number().int().nonnegative().max(MAX_FRAMES * MAX_TILES_PER_AXIS * MAX_TILES_PER_AXIS),
    id: z.string().max(40),
    frame: z.number().int().nonnegative().max(MAX_FRAME_INDEX),
    tileX: z.number().int().nonnegative().max(MAX_TILES_PER_AXIS),
    tileY: z.number().int().nonnegative().max(MAX_TILES_PER_AXIS),
    rect: z
      .object({
        x: z.number().int().nonnegative().max(MAX_RESOLUTION),
        y: z.number().int().nonnegative().max(MAX_RESOLUTION),
        width: z.number().int().positive().max(MAX_RESOLUTION),
        height: z.number().int().positive().max(MAX_RESOLUTION),
      })
      .strict(),
  })
  .strict();

/** What an operator gets: a task to render before `ttlMs` passes (renewable). */
export const LeaseSchema = z
  .object({
    leaseId: Id,
    jobId: Id,
    ttlMs: z.number().int().positive().max(24 * 3600_000),
    task: TaskSchema,
    spec: JobSpecSchema,
    scene: z.object({ hash: Hash, bytes: z.number().int().nonnegative() }).strict(),
    engine: z.string().max(40),
    /** Price of this task, fixed when leased (payments come later; decimal token units per bench-hour). */
    price: z.object({ tier: z.string().max(20), perBenchHour: z.string().max(40), amount: z.string().regex(/^(0|[1-9][0-9]{0,77})$/).optional() }).strict(),
    /**
     * Paid jobs: the escrow job the task's voucher must name, and what the creator has allocated
     * to this operator there on chain (the operator checks it on chain before working).
     */
    pay: z.object({ chainJobId: z.string().regex(/^0x[0-9a-fA-F]{64}$/), allocated: z.string().regex(/^(0|[1-9][0-9]{0,77})$/) }).strict().optional(),
  })
  .strict()
  .check((ctx) => {
    // Operators take limits, not orders: the task must be exactly the one the job spec
    // defines at that index, so a rect outside the frame or a frame outside the range never reaches the engine.
    // Runs even when a field above failed its schema (zod reports every issue): only judge a well-formed lease.
    if (ctx.issues.length > 0) return;
    const { task, spec } = ctx.value;
    const expected = taskAt(spec, task.index);
    const same =
      expected !== undefined &&
      expected.id === task.id &&
      expected.frame === task.frame &&
      expected.tileX === task.tileX &&
      expected.tileY === task.tileY &&
      expected.rect.x === task.rect.x &&
      expected.rect.y === task.rect.y &&
      expected.rect.width === task.rect.width &&
      expected.rect.height === task.rect.height;
    if (!same) ctx.issues.push({ code: 'custom', input: task, path: ['task'], message: `task ${task.index} is not the task the job spec defines at that index` });
  });
export type Lease = z.infer<typeof LeaseSchema>;

/** What an operator can render, sent with each request so the creator can filter. */
export const OperatorOfferSchema = z
  .object({
    engines: z.array(z.string().max(40)).max(8),
    maxSceneBytes: z.number().int().nonnegative(),
  })
  .strict();
export type OperatorOffer = z.infer<typeof OperatorOfferSchema>;

export const WorkRequestSchema = z.discriminatedUnion('type', [
  /** `count`: how many tasks at once (absent: one), at most MAX_TASKS_PER_REQUEST. */
  z.object({ type: z.literal('request'), jobId: Id.optional(), offer: OperatorOfferSchema, count: z.number().int().min(1).max(MAX_TASKS_PER_REQUEST).optional() }).strict(),
  z.object({ type: z.literal('renew'), leaseId: Id }).strict(),
  z.object({ type: z.literal('release'), leaseId: Id, reason: Reason }).strict(),
  z.object({ type: z.literal('fail'), leaseId: Id, reason: Reason }).strict(),
]);
export type WorkRequest = z.infer<typeof WorkRequestSchema>;

/** The creator's answer to a request for work; `more`: the further leases a request with a `count` got (never more than count − 1). */
export type WorkAnswer =
  | { status: 'ok'; lease: Lease; more?: Lease[] }
  | { status: 'none'; retryAfterMs: number; reason: string }
  | { status: 'denied'; reason: string };

/** The answer to renew/release/fail. */
export type LeaseAnswer = { status: 'ok'; ttlMs?: number } | { status: 'gone'; reason: string };

export const WorkResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), lease: LeaseSchema.optional(), more: z.array(LeaseSchema).min(1).max(MAX_TASKS_PER_REQUEST - 1).optional(), ttlMs: z.number().int().positive().optional() }).strict(),
  z.object({ status: z.literal('none'), retryAfterMs: z.number().int().nonnegative().max(600_000), reason: Reason }).strict(),
  z.object({ status: z.literal('denied'), reason: Reason }).strict(),
  z.object({ status: z.literal('gone'), reason: Reason }).strict(),
  z.object({ status: z.literal('busy'), retryAfterMs: z.number().int().nonnegative().max(600_000) }).strict(),
  z.object({ status: z.literal('unbound') }).strict(),
  z.object({ status: z.literal('error'), code: z.string().max(64), message: z.string().max(400) }).strict(),
]);
export type WorkResponse = z.infer<typeof WorkResponseSchema>;

/** Who is asking: the peer and the address it proved. */
export interface OperatorRef {
  peerId: string;
  address: string;
}

/** What the creator side implements (the dispatcher, through the creator service). */
export interface WorkProvider {
  /** `count`: tasks wanted at once (1 when absent); the answer holds at most that many leases. */
  request(op: OperatorRef, jobId: string | undefined, offer: OperatorOffer, count?: number): WorkAnswer | Promise<WorkAnswer>;
  renew(op: OperatorRef, leaseId: string): LeaseAnswer;
  release(op: OperatorRef, leaseId: string, reason: string): LeaseAnswer;
  fail(op: OperatorRef, leaseId: string, reason: string): LeaseAnswer;
}
