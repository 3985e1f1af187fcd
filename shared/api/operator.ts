import { z } from 'zod';
import { call, NoInput } from './define';

/** Token amounts cross the API as decimal strings of the smallest unit (bigint-safe). */
const Units = z.string().regex(/^\d+$/, 'an amount in the smallest token unit');

/** One GPU as the OS reports it (systeminformation), with what is known about it. */
export const GpuInfoSchema = z.object({
  vendor: z.string(),
  model: z.string(),
  /** Video memory in MiB, null when the OS does not say. */
  vramMB: z.number().nullable(),
  driver: z.string().nullable(),
  /** True when the render engine can use it (a CUDA device it lists). */
  usable: z.boolean(),
});
export type GpuInfo = z.infer<typeof GpuInfoSchema>;

/** A device the render engine itself can render on. */
export const EngineDeviceSchema = z.object({
  backend: z.enum(['cpu', 'cuda']),
  name: z.string(),
  memoryBytes: z.number().nullable(),
  threads: z.number().int().nullable(),
});
export type EngineDevice = z.infer<typeof EngineDeviceSchema>;

/** What this machine has to offer, for the Operator view's hardware card. */
/** The Blender this operator renders .blend jobs with. */
export const BlenderCardSchema = z.object({
  version: z.string(),
  path: z.string(),
  /** The engine id of the jobs it takes, e.g. blender-cycles/3.4. */
  engine: z.string(),
  /** Cycles devices: CPU, CUDA, OPTIX, HIP, … */
  devices: z.array(z.object({ type: z.string(), name: z.string() })),
  /** Whether .blend files render inside a sandbox (bubblewrap) here. */
  sandboxed: z.boolean(),
  /**
   * The Cycles benchmark on the CPU (100 = 1 M path samples/s, as the native score), which
   * prices this node's Blender work; null while it runs or when it failed (see cyclesNote).
   */
  cycles: z.object({ score: z.number(), samplesPerSecond: z.number(), device: z.string(), threads: z.number().int(), at: z.number() }).nullable().optional(),
  /** What the Cycles benchmark measured and what it did not (GPU backends), in words. */
  cyclesNote: z.string().optional(),
});
export type BlenderCard = z.infer<typeof BlenderCardSchema>;

export const HardwareInfoSchema = z.object({
  cpu: z.object({ brand: z.string(), cores: z.number().int(), physicalCores: z.number().int(), speedGHz: z.number().nullable() }),
  memoryBytes: z.number(),
  os: z.string(),
  gpus: z.array(GpuInfoSchema),
  engineDevices: z.array(EngineDeviceSchema),
  /** Null when the engine could not be loaded (the reason is in `notes`). */
  engineAvailable: z.boolean(),
  usableGpu: z.boolean(),
  /** Sentences for the person: no usable GPU, engine missing, and so on. */
  notes: z.array(z.string()),
  /** This machine's Blender (null: none found, so no Blender jobs); absent until it was looked for. */
  blender: BlenderCardSchema.nullable().optional(),
});
export type HardwareInfo = z.infer<typeof HardwareInfoSchema>;

/** One finished benchmark run. */
export const BenchmarkResultSchema = z.object({
  id: z.number().int(),
  at: z.number(),
  score: z.number(),
  samplesPerSecond: z.number(),
  backend: z.string(),
  device: z.string(),
  threads: z.number().int(),
  durationMs: z.number(),
});
export type BenchmarkResult = z.infer<typeof BenchmarkResultSchema>;

/** Progress of the benchmark that is running. */
export const BenchmarkProgressSchema = z.object({
  running: z.boolean(),
  /** 0..1 */
  fraction: z.number().min(0).max(1),
  step: z.number().int(),
  steps: z.number().int(),
  message: z.string(),
});
export type BenchmarkProgress = z.infer<typeof BenchmarkProgressSchema>;

/** When this machine renders for the network. Stored in settings; also set by flags or a config file. */
export const OperatorPolicySchema = z.object({
  /** Master switch: lend this machine at all. */
  enabled: z.boolean(),
  /** Render only after the user has been away for `idleMinutes`. */
  idleOnly: z.boolean(),
  idleMinutes: z.number().int().min(0).max(24 * 60),
  /** Weekday windows, e.g. "mon-fri 22:00-07:00; sat,sun 00:00-24:00"; empty = any time. */
  schedule: z.string().max(500),
  /** Render while the machine runs on battery. */
  onBattery: z.boolean(),
  /** Most CPU threads a task may use; null = all. */
  maxThreads: z.number().int().min(1).max(1024).nullable(),
  /** Share of the GPU's time to use, in percent. */
  gpuShare: z.number().int().min(10).max(100),
  /** No rendering before this time (epoch ms); null = not paused. */
  pausedUntil: z.number().nullable(),
});
export type OperatorPolicy = z.infer<typeof OperatorPolicySchema>;

/** Why the policy allows rendering now, or why not. */
export const PolicyReasonSchema = z.enum(['ok', 'disabled', 'paused', 'suspended', 'on-battery', 'outside-schedule', 'user-active', 'idle-unknown']);
export type PolicyReason = z.infer<typeof PolicyReasonSchema>;

/** The policy's answer at one moment. */
export const PolicyDecisionSchema = z.object({
  allowed: z.boolean(),
  reason: PolicyReasonSchema,
  message: z.string(),
  /** When the answer is expected to change, when known (epoch ms). */
  until: z.number().nullable(),
});
export type PolicyDecision = z.infer<typeof PolicyDecisionSchema>;

/** Where the idle time comes from and whether it works on this machine. */
export const IdleSourceInfoSchema = z.object({
  kind: z.string(),
  available: z.boolean(),
  detail: z.string(),
  idleSeconds: z.number().nullable(),
  onBattery: z.boolean().nullable(),
});
export type IdleSourceInfo = z.infer<typeof IdleSourceInfoSchema>;

export const OperatorStateSchema = z.enum(['idle', 'rendering', 'paused', 'error']);
export type OperatorState = z.infer<typeof OperatorStateSchema>;

/** The task being rendered now. */
export const CurrentTaskSchema = z.object({
  taskId: z.string(),
  jobId: z.string(),
  jobName: z.string(),
  frame: z.number().int(),
  startedAt: z.number(),
  /** 0..1 when known. */
  progress: z.number().nullable(),
});
export type CurrentTask = z.infer<typeof CurrentTaskSchema>;

/** Everything the status card and the tray show. */
export const OperatorStatusSchema = z.object({
  state: OperatorStateSchema,
  headline: z.string(),
  decision: PolicyDecisionSchema,
  policy: OperatorPolicySchema,
  /** Policy keys set by command-line flags or a config file; the UI cannot change them. */
  forced: z.array(z.string()),
  idle: IdleSourceInfoSchema,
  currentTask: CurrentTaskSchema.nullable(),
  /** Whether a worker is attached to render tasks (the network part is running). */
  workerAttached: z.boolean(),
  error: z.string().nullable(),
  /** Why new paid tasks are not taken now (the wallet is locked), or null. Tasks already held go on. */
  paidPause: z.string().nullable(),
  todayEarned: Units,
  latestScore: z.number().nullable(),
  /** Creators this operator stopped working for because they did not pay as promised (a missing, short or foreign voucher, a lease on someone else's escrow job). */
  paymentStops: z.array(z.object({ creator: z.string(), reason: z.string(), at: z.number() })),
  /** The most unpaid work carried on one job at a time, in RFT as set (null: one task's pay). */
  maxUnpaid: z.string().nullable(),
  /** Whether a command-line flag set the limit (the app cannot change it then). */
  maxUnpaidForced: z.boolean(),
});
export type OperatorStatus = z.infer<typeof OperatorStatusSchema>;

export const TaskVerdictSchema = z.enum(['rendering', 'submitted', 'verified', 'rejected', 'handed-back', 'failed']);
export type TaskVerdict = z.infer<typeof TaskVerdictSchema>;

/** One task this machine rendered (or started to). */
export const HistoryEntrySchema = z.object({
  taskId: z.string(),
  jobId: z.string(),
  jobName: z.string(),
  frame: z.number().int(),
  tile: z.number().int().nullable(),
  creator: z.string().nullable(),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  price: Units,
  verdict: TaskVerdictSchema,
  reason: z.string().nullable(),
  voucher: z.string().nullable(),
  voucherAmount: Units.nullable(),
  redemptionTx: z.string().nullable(),
  redeemedAt: z.number().nullable(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** Filters for the history table and its CSV. */
export const HistoryFilterSchema = z
  .object({
    jobId: z.string().max(200).optional(),
    verdict: TaskVerdictSchema.optional(),
    /** Inclusive bounds on the start time (epoch ms). */
    from: z.number().optional(),
    to: z.number().optional(),
    limit: z.number().int().min(1).max(5000).default(500),
  })
  .strict();
export type HistoryFilter = z.input<typeof HistoryFilterSchema>;

/** Earnings of one day or week. */
export const EarningsBucketSchema = z.object({
  /** Local date of the day, or of the Monday that starts the week (YYYY-MM-DD). */
  period: z.string(),
  start: z.number(),
  tasks: z.number().int(),
  verified: z.number().int(),
  rejected: z.number().int(),
  earned: Units,
  redeemed: Units,
  renderMs: z.number(),
});
export type EarningsBucket = z.infer<typeof EarningsBucketSchema>;

export const EarningsSchema = z.object({
  days: z.array(EarningsBucketSchema),
  weeks: z.array(EarningsBucketSchema),
  total: Units,
  today: Units,
});
export type Earnings = z.infer<typeof EarningsSchema>;

/** A notification for the person (desktop notification, toast in the browser). */
export const OperatorNoticeSchema = z.object({
  kind: z.enum(['task-verified', 'payment-redeemed', 'result-rejected', 'wallet-locked']),
  title: z.string(),
  body: z.string(),
  at: z.number(),
});
export type OperatorNotice = z.infer<typeof OperatorNoticeSchema>;

const PolicyPatchSchema = OperatorPolicySchema.partial().strict();

/** A token amount as a person types it: digits, at most one dot, at most 18 decimals. */
const TokenText = z.string().max(40).regex(/^\d+(\.\d{1,18})?$/);

export const operatorCalls = {
  'operator.hardware': call(z.object({ refresh: z.boolean().optional() }).strict().optional(), HardwareInfoSchema, 'The CPU, GPUs and render devices of this machine.'),
  'operator.benchmark.run': call(NoInput, BenchmarkResultSchema, 'Runs the built-in benchmark (progress arrives as events) and stores its score.'),
  'operator.benchmark.history': call(NoInput, z.array(BenchmarkResultSchema), 'Every stored benchmark result, oldest first.'),
  'operator.status': call(NoInput, OperatorStatusSchema, 'What the operator is doing and why.'),
  'operator.policy.get': call(NoInput, OperatorPolicySchema, 'When this machine renders for the network.'),
  'operator.policy.set': call(PolicyPatchSchema, OperatorPolicySchema, 'Changes some of the policy and returns all of it.'),
  'operator.pause': call(z.object({ for: z.enum(['1h', 'tomorrow', 'resume']) }).strict(), OperatorPolicySchema, 'Pauses rendering for an hour or until tomorrow, or resumes.'),
  'operator.payments.resume': call(
    z.object({ creator: z.string().min(1).max(200) }).strict(),
    OperatorStatusSchema,
    'Works again for a creator this operator stopped working for (it did not pay as promised); returns the status.',
  ),
  'operator.payments.maxUnpaid': call(
    z.object({ maxUnpaid: TokenText.nullable() }).strict(),
    OperatorStatusSchema,
    "Sets the most unpaid work (RFT) carried on one job at a time; null for one task's pay. Returns the status.",
  ),
  'operator.blender.set': call(
    z.object({ path: z.string().trim().min(1).max(4096).nullable() }).strict(),
    HardwareInfoSchema,
    'Sets the Blender program this machine renders .blend jobs with (null: blender on the PATH), after checking that it is a Blender that works; returns the hardware card.',
  ),
  'operator.history': call(HistoryFilterSchema.optional(), z.array(HistoryEntrySchema), 'Rendered tasks, newest first.'),
  'operator.earnings': call(z.object({ days: z.number().int().min(1).max(366).default(14), utcOffsetMinutes: z.number().int().min(-900).max(900).default(0) }).strict().optional(), EarningsSchema, 'Earnings per day and week.'),
  'operator.history.csv': call(HistoryFilterSchema.optional(), z.object({ filename: z.string(), csv: z.string() }), 'The filtered history as CSV text.'),
};

export const operatorEvents = {
  'operator.benchmark.progress': BenchmarkProgressSchema,
  'operator.status': OperatorStatusSchema,
  'operator.history.changed': z.object({ taskId: z.string() }),
  'operator.notice': OperatorNoticeSchema,
};
