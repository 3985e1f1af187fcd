/**
 * Public jobs (paid through the escrow): a draft with its price, funding with a progress
 * event per transaction, running, pause/resume, top-up, cancel and close; each job with
 * its tasks' verdicts (the patches re-rendered and the error found) and the vouchers
 * signed. Reputation of the operators seen. Amounts are smallest-unit decimal strings.
 */
import { z } from 'zod';
import { JobSpecSchema } from '../job-spec';
import { call, NoInput } from './define';

const JobId = z.string().min(1).max(80);
const Amount = z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'expected a non-negative integer amount in the smallest unit');

/** The states of a public job. */
export const PublicJobStateSchema = z.enum(['draft', 'funded', 'running', 'paused', 'complete', 'cancelled', 'closed']);
export type PublicJobState = z.infer<typeof PublicJobStateSchema>;

/** Why a job is paused: its escrow cannot pay the next task, or its creator paused it. */
export const PauseReasonSchema = z.enum(['escrow-low', 'creator']);
export type PauseReason = z.infer<typeof PauseReasonSchema>;

/** A public job with its money. */
export const PublicJobSchema = z.object({
  id: z.string(),
  /** The scene it renders, for the job list's name and thumbnail. */
  sceneId: z.string(),
  chainJobId: z.string(),
  state: PublicJobStateSchema,
  tier: z.enum(['economy', 'priority', 'trusted']),
  feeBps: z.number(),
  tasks: z.number(),
  taskPrice: Amount,
  /** What the escrow was asked to hold (task price × tasks). */
  budget: Amount,
  /** What it holds in all (budget + top-ups) once funded. */
  funded: Amount,
  benchHours: z.number(),
  /** What the signed vouchers add up to, fee included. */
  paid: Amount,
  fee: Amount,
  refund: Amount.nullable(),
  accepted: z.number(),
  rejected: z.number(),
  done: z.number(),
  leased: z.number(),
  /** Unix seconds from which the escrow may be closed. */
  closableAt: z.number().nullable(),
  note: z.string().nullable(),
  /** Set while paused: why. */
  pausedFor: PauseReasonSchema.nullable(),
  outDir: z.string().nullable(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type PublicJob = z.infer<typeof PublicJobSchema>;

/** One verdict of the verifier. */
export const JobTaskVerdictSchema = z.object({
  taskIndex: z.number(),
  operator: z.string(),
  resultHash: z.string(),
  /** forfeited: accepted without a re-render, then a later re-render of the same operator failed; never paid. */
  verdict: z.enum(['accepted', 'rejected', 'forfeited']),
  /** Accepted without a re-render: its pay waits for a later result of the operator to pass one. */
  held: z.boolean().optional(),
  code: z.string().optional(),
  reason: z.string().optional(),
  price: Amount,
  pixelsChecked: z.number(),
  maxError: z.number(),
  patches: z.array(z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number(), maxError: z.number() })),
  verifyMs: z.number(),
  at: z.number(),
});
export type JobTaskVerdict = z.infer<typeof JobTaskVerdictSchema>;

/** A job in full: verdicts, the latest voucher per operator, its transitions. */
export const PublicJobDetailSchema = z.object({
  job: PublicJobSchema,
  spec: JobSpecSchema,
  verdicts: z.array(JobTaskVerdictSchema),
  vouchers: z.array(z.object({ operator: z.string(), tasks: z.number(), cumulativeAmount: Amount, resultsRoot: z.string(), at: z.number() })),
  events: z.array(z.object({ at: z.number(), from: z.string().nullable(), to: z.string(), note: z.string().nullable() })),
});
export type PublicJobDetail = z.infer<typeof PublicJobDetailSchema>;

/** One operator's reputation as this creator saw it. */
export const ReputationSchema = z.object({
  address: z.string(),
  verified: z.number(),
  rejected: z.number(),
  timedOut: z.number(),
  score: z.number(),
  updatedAt: z.number(),
});
export type ReputationInfo = z.infer<typeof ReputationSchema>;

/** The reputation formula, for the UI to show as it is applied. */
export const REPUTATION_FORMULA = 'score = (verified + 1) / (verified + 4 × rejected + timed out + 2); trusted jobs need ≥ 5 verified and a score ≥ 0.8; priority jobs go first to operators scoring ≥ 0.5';

export const jobCalls = {
  'jobs.create': call(
    z.object({ spec: JobSpecSchema, benchHours: z.number().positive().max(1e9), outDir: z.string().max(4096).optional(), maxPrice: Amount.optional() }).strict(),
    PublicJobSchema,
    'Prices a job as a draft (nothing on chain yet).',
  ),
  'jobs.fund': call(z.object({ jobId: JobId, amount: Amount.optional() }).strict(), PublicJobSchema, 'Locks the budget (or `amount` of it) in escrow (approve, openJob); emits job.fundStep per transaction.'),
  'jobs.start': call(z.object({ jobId: JobId }).strict(), PublicJobSchema, 'Offers a funded job to the network.'),
  'jobs.pause': call(z.object({ jobId: JobId }).strict(), PublicJobSchema, 'Stops leasing new tasks.'),
  'jobs.resume': call(z.object({ jobId: JobId }).strict(), PublicJobSchema, 'Leases again.'),
  'jobs.topUp': call(z.object({ jobId: JobId, amount: Amount }).strict(), PublicJobSchema, 'Adds to the escrow; a job paused for lack of it resumes.'),
  'jobs.cancel': call(z.object({ jobId: JobId }).strict(), PublicJobSchema, 'Cancels and requests the close (operators may redeem during the grace period).'),
  'jobs.close': call(z.object({ jobId: JobId }).strict(), PublicJobSchema, 'Closes an ended job after its grace period, taking back the rest.'),
  'jobs.list': call(NoInput, z.array(PublicJobSchema), 'Every public job, newest first.'),
  'jobs.get': call(z.object({ jobId: JobId }).strict(), PublicJobDetailSchema, 'A job with its verdicts, vouchers and transitions.'),
  'jobs.reputation': call(NoInput, z.object({ formula: z.string(), operators: z.array(ReputationSchema) }), 'Operators seen, best first, and the formula.'),
};

export const jobEvents = {
  /** A job changed (state, progress, money). */
  'job.updated': PublicJobSchema,
  /** A task got a verdict. */
  'job.task': z.object({ jobId: z.string(), verdict: JobTaskVerdictSchema }),
  /** A funding transaction moved. */
  'job.fundStep': z.object({ jobId: z.string(), step: z.string(), status: z.enum(['sending', 'sent', 'mined']), txHash: z.string().optional() }),
};
