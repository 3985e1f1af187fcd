/**
 * operator/policy/ — when this machine renders: the policy and its controller (this file),
 * weekly windows (schedule.ts), where idle time comes from (idle-source.ts) and the policy
 * from flags and farm config files (policy-flags.ts).
 *
 * When this machine renders for the network. `evaluatePolicy` is pure (a policy and a
 * snapshot of the world in, a decision out); `PolicyController` re-evaluates it on a
 * clock and on idle-source events and tells its listeners the moment the answer changes,
 * so a running task can be handed back within a second of the person returning.
 */
import type { OperatorPolicy, PolicyDecision } from '../../../../shared/api';
import type { IdleEvent, IdleSource } from './idle-source';
import { inSchedule, localTimeOf, nextScheduleChange, parseSchedule } from './schedule';
import type { LocalTime, Schedule } from './schedule';

/** The policy a fresh install starts with: lend the machine only when the person is away. */
export const DEFAULT_POLICY: OperatorPolicy = {
  enabled: true,
  idleOnly: true,
  idleMinutes: 5,
  schedule: '',
  onBattery: false,
  maxThreads: null,
  gpuShare: 100,
  pausedUntil: null,
};

/** What the policy looks at, at one instant. */
export interface WorldSnapshot {
  now: number;
  /** Seconds since the last input; null when the machine cannot tell. */
  idleSeconds: number | null;
  onBattery: boolean | null;
  /** The screen is locked: the person is away whatever the idle counter says. */
  locked: boolean;
  /** The machine is going to sleep. */
  suspended: boolean;
  /** Local weekday/minute of a time; defaults to this process's time zone. */
  localTime?: (ms: number) => LocalTime;
}

function clock(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Decides whether to render now; `schedule` may be passed pre-parsed to avoid re-parsing. */
export function evaluatePolicy(policy: OperatorPolicy, world: WorldSnapshot, schedule: Schedule = parseSchedule(policy.schedule)): PolicyDecision {
  const lt = world.localTime ?? localTimeOf;
  const no = (reason: PolicyDecision['reason'], message: string, until: number | null = null): PolicyDecision => ({ allowed: false, reason, message, until });
  if (!policy.enabled) return no('disabled', 'Rendering for the network is turned off.');
  if (policy.pausedUntil !== null && world.now < policy.pausedUntil) return no('paused', `Paused until ${clock(policy.pausedUntil)}.`, policy.pausedUntil);
  if (world.suspended) return no('suspended', 'The machine is going to sleep.');
  if (!policy.onBattery && world.onBattery === true) return no('on-battery', 'On battery: rendering waits for mains power.');
  if (!inSchedule(schedule, lt(world.now))) {
    const next = nextScheduleChange(schedule, world.now, lt);
    return no('outside-schedule', `Outside the schedule (${policy.schedule.trim()})${next ? `; next window at ${clock(next)}` : ''}.`, next);
  }
  if (policy.idleOnly && !world.locked) {
    const need = policy.idleMinutes * 60;
    if (world.idleSeconds === null) return no('idle-unknown', 'This machine cannot report how long it has been idle, so "render when idle" cannot start. Use a schedule or render always.');
    if (world.idleSeconds < need) {
      const left = Math.ceil((need - world.idleSeconds) / 60);
      return no('user-active', `You are using this machine; rendering starts after ${policy.idleMinutes} idle minute${policy.idleMinutes === 1 ? '' : 's'} (${left} to go).`, world.now + (need - world.idleSeconds) * 1000);
    }
  }
  const until = schedule.windows.length ? nextScheduleChange(schedule, world.now, lt) : null;
  const why = policy.idleOnly ? (world.locked ? 'the screen is locked' : 'you are away') : schedule.windows.length ? 'inside the schedule' : 'always on';
  return { allowed: true, reason: 'ok', message: `Rendering allowed: ${why}.`, until };
}

/** The start of the next local day (for "pause until tomorrow"). */
export function startOfTomorrow(now: number): number {
  const d = new Date(now);
  d.setHours(24, 0, 0, 0);
  return d.getTime();
}

/** The threads a task may use under the policy, given the machine's count. */
export function threadLimit(policy: OperatorPolicy, available: number): number {
  return Math.max(1, Math.min(available, policy.maxThreads ?? available));
}

/** Dependencies of the controller; all injectable for scripted tests. */
export interface PolicyControllerDeps {
  idle: IdleSource;
  policy: () => OperatorPolicy;
  now?: () => number;
  localTime?: (ms: number) => LocalTime;
  /** How often to re-check (ms). 250 keeps "stop within a second" with room to spare. */
  pollMs?: number;
  /** Hears a failed re-check (a store that went away); the timer keeps running. */
  onError?: (err: Error) => void;
}

type ChangeListener = (next: PolicyDecision, prev: PolicyDecision) => void;

/**
 * Watches the idle source and the clock. Listeners hear every change of decision; when
 * `allowed` turns false they must stop the running task (the operator service hands it
 * back to its creator).
 */
export class PolicyController {
  private current: PolicyDecision;
  private locked = false;
  private suspended = false;
  /** The person came back (unlock, resume) at this time; idle counts from here. */
  private activeAt: number | null = null;
  private schedule: Schedule = { source: '', windows: [] };
  private scheduleSource: string | null = null;
  private scheduleError: string | null = null;
  private readonly listeners = new Set<ChangeListener>();
  private readonly unsubs: (() => void)[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly deps: PolicyControllerDeps) {
    this.current = this.compute();
    const on = (e: IdleEvent, f: () => void) => this.unsubs.push(deps.idle.on(e, () => (f(), this.check())));
    on('lock', () => (this.locked = true));
    on('unlock', () => ((this.locked = false), (this.activeAt = this.now())));
    on('suspend', () => (this.suspended = true));
    on('resume', () => ((this.suspended = false), (this.activeAt = this.now())));
    on('battery', () => {});
    on('ac', () => {});
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  private compute(): PolicyDecision {
    const policy = this.deps.policy();
    if (policy.schedule !== this.scheduleSource) {
      this.scheduleSource = policy.schedule;
      try {
        this.schedule = parseSchedule(policy.schedule);
        this.scheduleError = null;
      } catch (err) {
        // A schedule that cannot be read never means "any time": nothing renders until it is fixed.
        this.scheduleError = (err as Error).message;
      }
    }
    if (this.scheduleError) return { allowed: false, reason: 'outside-schedule', message: this.scheduleError, until: null };
    const now = this.now();
    let idle = this.deps.idle.idleSeconds();
    if (this.activeAt !== null) {
      const since = Math.max(0, (now - this.activeAt) / 1000);
      idle = idle === null ? null : Math.min(idle, since);
    }
    return evaluatePolicy(
      policy,
      { now, idleSeconds: idle, onBattery: this.deps.idle.onBattery(), locked: this.locked, suspended: this.suspended, localTime: this.deps.localTime },
      this.schedule,
    );
  }

  /** The last decision. */
  decision(): PolicyDecision {
    return this.current;
  }

  /** True when rendering may run now (the worker's `shouldWork` hook). */
  shouldWork(): boolean {
    return this.check().allowed;
  }

  /** Re-evaluates now and notifies listeners when the decision changed. */
  check(): PolicyDecision {
    const next = this.compute();
    const prev = this.current;
    this.current = next;
    if (next.allowed !== prev.allowed || next.reason !== prev.reason || next.message !== prev.message) {
      for (const l of [...this.listeners]) l(next, prev);
    }
    return next;
  }

  /** Subscribes to decision changes; returns the unsubscribe function. */
  onChange(l: ChangeListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Starts re-checking on a timer. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.check();
      } catch (err) {
        // A timer must never take the process down; the next tick tries again.
        this.deps.onError?.(err as Error);
      }
    }, this.deps.pollMs ?? 250);
    this.timer.unref?.();
  }

  /** Stops the timer and the event subscriptions. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unsubs.splice(0).forEach((u) => u());
  }
}
