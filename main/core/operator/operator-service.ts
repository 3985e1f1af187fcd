/**
 * operator/ — this machine as a render node: the service below (policy, history, benchmark,
 * hardware, status, notices.ts), the worker loop that takes and renders tasks (work/), when it
 * may render (policy/) and how it gets paid (pay/: vouchers kept, redeemed on chain). It never
 * imports creator/: what both roles need lives in render/, scene/ and net/.
 *
 * The operator side as one service: the policy (stored in settings, watched by a
 * PolicyController), the task history, the benchmark, the hardware and the status the
 * UI and the tray show. A network worker attaches to it: it asks `shouldWork()` before
 * taking a task, records tasks in `history`, and is told to hand its task back the
 * moment the policy says stop.
 */
import { blenderEngineId } from '../blender';
import type { BlenderInstall, CyclesBenchmark } from '../blender';
import type { BenchmarkProgress, BlenderCard, CurrentTask, HardwareInfo, HistoryEntry, OperatorNotice, OperatorPolicy, OperatorStatus, PolicyDecision } from '../../../shared/api';
import { OperatorPolicySchema } from '../../../shared/api';
import type { Store } from '../store';
import { BenchmarkService, latestBenchmarkScore } from './benchmark';
import type { EngineLoader } from './hardware';
import { readHardware } from './hardware';
import { OperatorHistory } from './history';
import type { IdleSource } from './policy/idle-source';
import { DEFAULT_POLICY, PolicyController, startOfTomorrow, threadLimit } from './policy/policy';
import { parseSchedule } from './policy/schedule';
import { mergeNotices, noticeFor } from './notices';
import type { LocalTime } from './policy/schedule';
import { formatTokens } from '../../../shared/pricing';
import { SettingsKeys } from '../settings-keys';

/** What the operator service needs from a network worker. */
export interface OperatorWorkerHandle {
  /**
   * Cancels the running task (if any) and hands it back to its creator as "not done by
   * me", which the creator re-queues without counting it as a failure.
   */
  handBack(reason: string): Promise<void>;
  /** Progress of the running task, 0..1, when known. */
  progress?(): number | null;
  /** Whether the policy governs tasks of this creator (a node's own jobs may be exempt); default yes. */
  policyCovers?(creator: string): boolean;
  /** Creators the operator's payments stopped working for, and why. */
  paymentStops?(): { creator: string; reason: string; at: number }[];
  /** The unpaid-work limit in force when a flag set it (the app's setting does not apply then); null otherwise. */
  forcedUnpaidLimit?(): bigint | null;
}

/** Dependencies; the composition root fills them in. */
export interface OperatorServiceDeps {
  store: Store;
  idle: IdleSource;
  engine: EngineLoader;
  /** Policy values forced by flags or a config file; they win over stored settings. */
  overrides?: Partial<OperatorPolicy>;
  now?: () => number;
  localTime?: (ms: number) => LocalTime;
  pollMs?: number;
  /** Benchmark size (tests shorten it); default 4 runs of the engine's standard 16 spp. */
  benchmark?: { steps?: number; spp?: number };
  log?: (line: string) => void;
}

type StatusListener = (s: OperatorStatus) => void;
type NoticeListener = (n: OperatorNotice) => void;

/** The operator's policy, history, benchmark and status. */
export class OperatorService {
  readonly history: OperatorHistory;
  readonly benchmark: BenchmarkService;
  readonly controller: PolicyController;
  private worker: OperatorWorkerHandle | null = null;
  private error: string | null = null;
  private paidPause: string | null = null;
  private hardware: Promise<HardwareInfo> | null = null;
  private blender: BlenderCard | null | undefined;
  private cycles: CyclesBenchmark | null = null;
  private readonly statusListeners = new Set<StatusListener>();
  private readonly noticeListeners = new Set<NoticeListener>();
  private readonly progressListeners = new Set<(p: BenchmarkProgress) => void>();
  private lastStatusJson = '';
  private handingBack: Promise<void> | null = null;
  private restUntil = 0;
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: OperatorServiceDeps) {
    this.history = new OperatorHistory(deps.store.db);
    this.history.recoverInterrupted((deps.now ?? Date.now)());
    this.benchmark = new BenchmarkService({
      db: deps.store.db,
      settings: deps.store.settings,
      engine: deps.engine,
      threads: () => this.policy().maxThreads ?? undefined,
      onProgress: (p) => this.progressListeners.forEach((l) => l(p)),
      now: deps.now,
      ...deps.benchmark,
    });
    this.controller = new PolicyController({
      idle: deps.idle,
      policy: () => this.policy(),
      now: deps.now,
      localTime: deps.localTime,
      pollMs: deps.pollMs,
      onError: (err) => deps.log?.(`rayfarm operator: policy check failed: ${err.message}`),
    });
    this.controller.onChange((next, prev) => {
      if (prev.allowed && !next.allowed) void this.stopRendering(next);
      this.publish();
    });
    // Remember each task as it was, so a change can be turned into a notification.
    const seen = new Map<string, HistoryEntry>();
    this.history.onChange((taskId) => {
      const after = this.history.get(taskId);
      if (!after) return;
      const before = seen.get(taskId);
      const n = noticeFor({ type: 'task-changed', before, after }, this.now());
      seen.set(taskId, after);
      if (before?.verdict === 'rendering' && after.verdict !== 'rendering') this.restAfter(after.durationMs ?? 0);
      if (seen.size > 1000) seen.delete(seen.keys().next().value!);
      if (n) this.notify(n);
      this.publish();
    });
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Starts watching idle time and the clock. */
  start(): void {
    const idle = this.deps.idle.describe();
    if (!idle.available) this.deps.log?.(`rayfarm operator: ${idle.detail} "Render when idle" cannot start here; schedules and --always still work.`);
    this.controller.start();
    // The running task's progress moves without any other change: show it once a second.
    // Redemptions the redeemer mined are picked up on the same beat (every 5 s).
    let beat = 0;
    this.ticker = setInterval(() => {
      try {
        if (this.worker && this.currentTask()) this.publish();
        if (beat++ % 5 === 0) this.syncRedemptions();
      } catch (err) {
        this.deps.log?.(`rayfarm operator: ${(err as Error).message}`);
      }
    }, 1000);
    this.ticker.unref?.();
  }

  /** Stops the watchers. */
  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.controller.stop();
    this.deps.idle.close?.();
  }

  /** The policy in force: defaults, then stored settings, then flags / config file. */
  policy(): OperatorPolicy {
    const stored = this.deps.store.settings.get<Partial<OperatorPolicy>>(SettingsKeys.operatorPolicy, {});
    const merged = { ...DEFAULT_POLICY, ...stored, ...this.deps.overrides };
    const parsed = OperatorPolicySchema.safeParse(merged);
    return parsed.success ? parsed.data : { ...DEFAULT_POLICY, ...this.deps.overrides };
  }

  /** Changes the stored policy (validated; a bad schedule is refused with its reason). */
  setPolicy(patch: Partial<OperatorPolicy>): OperatorPolicy {
    if (patch.schedule !== undefined) parseSchedule(patch.schedule);
    const stored = this.deps.store.settings.get<Partial<OperatorPolicy>>(SettingsKeys.operatorPolicy, {});
    const next = OperatorPolicySchema.parse({ ...DEFAULT_POLICY, ...stored, ...patch });
    this.deps.store.settings.set(SettingsKeys.operatorPolicy, next);
    this.controller.check();
    this.publish();
    return this.policy();
  }

  /** Pauses for an hour or until tomorrow, or resumes. */
  pause(what: '1h' | 'tomorrow' | 'resume'): OperatorPolicy {
    const now = this.now();
    const until = what === '1h' ? now + 3600_000 : what === 'tomorrow' ? startOfTomorrow(now) : null;
    return this.setPolicy({ pausedUntil: until });
  }

  /** The worker's hook: may it take (or keep) a task now? */
  shouldWork(): boolean {
    return this.controller.shouldWork() && this.now() >= this.restUntil;
  }

  /**
   * The GPU share as a duty cycle: after a task that ran for T, the device rests
   * T × (100 / share − 1) before the next one (the engine cannot throttle a kernel itself).
   */
  private restAfter(renderMs: number): void {
    const share = this.policy().gpuShare;
    this.restUntil = share >= 100 ? 0 : this.now() + Math.round(renderMs * (100 / share - 1));
  }

  /** The latest benchmark score (what announcements carry), or null before the first run. */
  latestScore(): number | null {
    return latestBenchmarkScore(this.deps.store.settings);
  }

  /** Threads a task may use on a machine with `available` threads. */
  threads(available: number): number {
    return threadLimit(this.policy(), available);
  }

  /** Connects the network worker; returns the function that detaches it. */
  attachWorker(worker: OperatorWorkerHandle): () => void {
    this.worker = worker;
    this.publish();
    return () => {
      if (this.worker === worker) this.worker = null;
      this.publish();
    };
  }

  /** Records a failure to show in the status and the tray (null clears it). */
  setError(message: string | null): void {
    this.error = message;
    this.publish();
  }

  /** Why new paid leases are paused (a locked wallet), or null: shown in the status. */
  setPaidPause(reason: string | null): void {
    this.paidPause = reason;
    this.publish();
  }

  /** Raised by the worker when jobs wait but the wallet is locked. */
  reportWalletLocked(waitingJobs: number): void {
    const n = noticeFor({ type: 'wallet-locked', waitingJobs }, this.now());
    if (n) this.notify(n);
  }

  /** The policy said stop: hand the running task back, once. */
  private async stopRendering(decision: PolicyDecision): Promise<void> {
    const task = this.currentTask();
    if (!this.worker || !task) return;
    const creator = this.history.get(task.taskId)?.creator;
    if (creator && this.worker.policyCovers && !this.worker.policyCovers(creator)) return;
    this.handingBack ??= this.worker
      .handBack(decision.message)
      .catch((err: unknown) => this.deps.log?.(`rayfarm operator: could not hand the task back: ${(err as Error).message}`))
      .finally(() => {
        this.handingBack = null;
      });
    await this.handingBack;
  }

  /** The task being rendered, from the history (started and not yet finished). */
  currentTask(): CurrentTask | null {
    const e = this.history.list({ verdict: 'rendering', limit: 1 })[0];
    if (!e) return null;
    return { taskId: e.taskId, jobId: e.jobId, jobName: e.jobName, frame: e.frame, startedAt: e.startedAt, progress: this.worker?.progress?.() ?? null };
  }

  /** Everything the status card and the tray need. */
  status(): OperatorStatus {
    const decision = this.controller.decision();
    const policy = this.policy();
    const currentTask = this.currentTask();
    const idleInfo = this.deps.idle.describe();
    let state: OperatorStatus['state'];
    let headline: string;
    if (this.error) {
      state = 'error';
      headline = this.error;
    } else if (currentTask) {
      state = 'rendering';
      headline = `Rendering ${currentTask.jobName}, frame ${currentTask.frame}.`;
    } else if (decision.reason === 'disabled' || decision.reason === 'paused') {
      state = 'paused';
      headline = decision.message;
    } else {
      state = 'idle';
      headline = decision.allowed ? (this.worker ? (this.paidPause ?? 'Ready: waiting for a task from the network.') : 'Ready to render; the network worker is not running.') : decision.message;
    }
    return {
      state,
      headline,
      decision,
      policy,
      forced: Object.keys(this.deps.overrides ?? {}),
      idle: { ...idleInfo, idleSeconds: this.deps.idle.idleSeconds(), onBattery: this.deps.idle.onBattery() },
      currentTask,
      workerAttached: this.worker !== null,
      error: this.error,
      paidPause: this.paidPause,
      todayEarned: this.history.earnedToday(-new Date(this.now()).getTimezoneOffset(), this.now()),
      latestScore: this.latestScore(),
      paymentStops: this.worker?.paymentStops?.() ?? [],
      ...this.unpaidLimit(),
    };
  }

  private unpaidLimit(): { maxUnpaid: string | null; maxUnpaidForced: boolean } {
    const forced = this.worker?.forcedUnpaidLimit?.() ?? null;
    if (forced !== null) return { maxUnpaid: formatTokens(forced), maxUnpaidForced: true };
    return { maxUnpaid: this.deps.store.settings.get<string | null>(SettingsKeys.operatorMaxUnpaid, null), maxUnpaidForced: false };
  }

  /** The hardware (read once, then cached unless `refresh`). */
  async readHardware(refresh = false): Promise<HardwareInfo> {
    if (refresh || !this.hardware) this.hardware = readHardware(this.deps.engine);
    const hw = await this.hardware;
    return this.blender === undefined ? hw : { ...hw, blender: this.blender };
  }

  /** The Blender found for this node (node/ probes it after start); shown on the hardware card. */
  setBlender(install: BlenderInstall | null): void {
    this.blender = install && { version: install.version, path: install.path, engine: blenderEngineId(install.majorMinor), devices: install.devices, sandboxed: install.sandbox === 'bwrap' };
    this.cycles = null;
  }

  /** The Cycles benchmark of this node's Blender (node/ runs it once per Blender version), or why there is none; shown on the hardware card. */
  setCyclesBenchmark(b: CyclesBenchmark | null, note: string): void {
    this.cycles = b;
    if (this.blender) this.blender = { ...this.blender, cycles: b && { score: b.score, samplesPerSecond: b.samplesPerSecond, device: b.device, threads: b.threads, at: b.at }, cyclesNote: note };
  }

  /** The Cycles score that prices this node's Blender work, or null before it was measured. */
  cyclesScore(): number | null {
    return this.cycles?.score ?? null;
  }

  private publish(): void {
    if (!this.statusListeners.size) return;
    const s = this.status();
    // The idle counter changes every tick; only real changes are worth an event.
    const json = JSON.stringify({ ...s, idle: { ...s.idle, idleSeconds: null } });
    if (json === this.lastStatusJson) return;
    this.lastStatusJson = json;
    this.statusListeners.forEach((l) => l(s));
  }

  private pendingNotices: OperatorNotice[] = [];

  /** Notices of one burst (a redemption pays many tasks at once) go out merged. */
  private notify(n: OperatorNotice): void {
    this.pendingNotices.push(n);
    if (this.pendingNotices.length > 1) return;
    queueMicrotask(() => {
      const batch = mergeNotices(this.pendingNotices.splice(0));
      for (const m of batch) this.noticeListeners.forEach((l) => l(m));
    });
  }

  /** Marks the tasks paid by redemptions mined since the last look; never throws. */
  syncRedemptions(): number {
    try {
      return this.history.syncRedemptions();
    } catch (err) {
      this.deps.log?.(`rayfarm operator: reading redemptions: ${(err as Error).message}`);
      return 0;
    }
  }

  /** Hears status changes. */
  onStatus(l: StatusListener): () => void {
    this.statusListeners.add(l);
    return () => this.statusListeners.delete(l);
  }

  /** Hears notifications (task verified, payment redeemed, result rejected, wallet locked). */
  onNotice(l: NoticeListener): () => void {
    this.noticeListeners.add(l);
    return () => this.noticeListeners.delete(l);
  }

  /** Hears benchmark progress. */
  onBenchmarkProgress(l: (p: BenchmarkProgress) => void): () => void {
    this.progressListeners.add(l);
    return () => this.progressListeners.delete(l);
  }
}
