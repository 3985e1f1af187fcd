import { describe, expect, it } from 'vitest';
import type { OperatorPolicy } from '../../../../../shared/api';
import { ManualIdleSource } from '../../../../../main/core/operator/policy/idle-source';
import { DEFAULT_POLICY, evaluatePolicy, PolicyController, startOfTomorrow, threadLimit } from '../../../../../main/core/operator/policy/policy';

// Monday 23 November 2026, local time.
const MON = (h: number, m = 0) => new Date(2026, 10, 23, h, m).getTime();
const world = (over: Partial<Parameters<typeof evaluatePolicy>[1]> = {}) => ({ now: MON(12), idleSeconds: 0, onBattery: false, locked: false, suspended: false, ...over });
const policy = (over: Partial<OperatorPolicy> = {}): OperatorPolicy => ({ ...DEFAULT_POLICY, ...over });

/** A scripted world: a clock we move and an idle source we drive. */
function scripted(p: OperatorPolicy, start = MON(12)) {
  let now = start;
  let current = p;
  const idle = new ManualIdleSource({ idleSeconds: 0, onBattery: false });
  const ctl = new PolicyController({ idle, policy: () => current, now: () => now });
  const changes: string[] = [];
  ctl.onChange((next) => changes.push(`${next.allowed ? 'run' : 'stop'}:${next.reason}`));
  return {
    idle,
    ctl,
    changes,
    /** Advances the clock; the idle counter advances with it unless the person acts. */
    advance(seconds: number) {
      now += seconds * 1000;
      const s = idle.idleSeconds();
      if (s !== null) idle.setIdle(s + seconds);
      return ctl.check();
    },
    setPolicy(next: Partial<OperatorPolicy>) {
      current = { ...current, ...next };
      return ctl.check();
    },
    get now() {
      return now;
    },
  };
}

describe('evaluatePolicy', () => {
  it('renders always when idle-only is off and nothing else forbids it', () => {
    expect(evaluatePolicy(policy({ idleOnly: false }), world())).toMatchObject({ allowed: true, reason: 'ok' });
  });

  it('waits for N idle minutes and says how long is left', () => {
    const p = policy({ idleMinutes: 10 });
    const d = evaluatePolicy(p, world({ idleSeconds: 240 }));
    expect(d).toMatchObject({ allowed: false, reason: 'user-active' });
    expect(d.message).toMatch(/6 to go/);
    expect(d.until).toBe(MON(12) + 360_000);
    expect(evaluatePolicy(p, world({ idleSeconds: 600 })).allowed).toBe(true);
    expect(evaluatePolicy(p, world({ idleSeconds: 0, locked: true })).allowed).toBe(true); // a locked screen means away
  });

  it('says plainly when idle time cannot be read', () => {
    const d = evaluatePolicy(policy(), world({ idleSeconds: null }));
    expect(d).toMatchObject({ allowed: false, reason: 'idle-unknown' });
    expect(d.message).toMatch(/cannot report how long it has been idle/);
    expect(evaluatePolicy(policy({ idleOnly: false }), world({ idleSeconds: null })).allowed).toBe(true);
  });

  it('never renders on battery unless allowed, and not while suspending', () => {
    const p = policy({ idleOnly: false });
    expect(evaluatePolicy(p, world({ onBattery: true })).reason).toBe('on-battery');
    expect(evaluatePolicy({ ...p, onBattery: true }, world({ onBattery: true })).allowed).toBe(true);
    expect(evaluatePolicy(p, world({ onBattery: null })).allowed).toBe(true); // a desktop with no battery
    expect(evaluatePolicy(p, world({ suspended: true })).reason).toBe('suspended');
  });

  it('honours the schedule and names the next window', () => {
    const p = policy({ idleOnly: false, schedule: 'mon-fri 22:00-07:00' });
    const d = evaluatePolicy(p, world({ now: MON(21, 30) }));
    expect(d).toMatchObject({ allowed: false, reason: 'outside-schedule', until: MON(22) });
    expect(d.message).toMatch(/next window at 22:00/);
    expect(evaluatePolicy(p, world({ now: MON(23) }))).toMatchObject({ allowed: true, until: new Date(2026, 10, 24, 7).getTime() });
  });

  it('pauses until a time, and is off when disabled', () => {
    const p = policy({ idleOnly: false, pausedUntil: MON(13) });
    expect(evaluatePolicy(p, world())).toMatchObject({ allowed: false, reason: 'paused', until: MON(13) });
    expect(evaluatePolicy(p, world({ now: MON(13) })).allowed).toBe(true);
    expect(evaluatePolicy(policy({ enabled: false, idleOnly: false }), world()).reason).toBe('disabled');
    expect(startOfTomorrow(MON(23, 59))).toBe(new Date(2026, 10, 24, 0, 0).getTime());
  });

  it('caps threads', () => {
    expect(threadLimit(policy({ maxThreads: 4 }), 16)).toBe(4);
    expect(threadLimit(policy({ maxThreads: 64 }), 16)).toBe(16);
    expect(threadLimit(policy(), 8)).toBe(8);
  });
});

describe('PolicyController over scripted sequences', () => {
  it('starts after the idle minutes and stops the moment the person returns', () => {
    const s = scripted(policy({ idleMinutes: 5 }));
    expect(s.ctl.decision().allowed).toBe(false);
    expect(s.advance(240).allowed).toBe(false);
    expect(s.advance(60).allowed).toBe(true);
    s.idle.setIdle(0); // the mouse moves
    expect(s.advance(0.25)).toMatchObject({ allowed: false, reason: 'user-active' });
    expect(s.changes.slice(-2)).toEqual(['run:ok', 'stop:user-active']);
  });

  it('stops on unlock even before the idle counter resets, and starts on lock', () => {
    const s = scripted(policy({ idleMinutes: 5 }));
    s.idle.emit('lock');
    expect(s.ctl.decision().allowed).toBe(true);
    s.advance(1800);
    s.idle.emit('unlock'); // the idle counter may lag; unlock alone means the person is back
    expect(s.ctl.decision()).toMatchObject({ allowed: false, reason: 'user-active' });
    expect(s.advance(299).allowed).toBe(false);
    expect(s.advance(2).allowed).toBe(true);
  });

  it('follows battery, suspend and resume events', () => {
    const s = scripted(policy({ idleOnly: false }));
    expect(s.ctl.decision().allowed).toBe(true);
    s.idle.setBattery(true);
    expect(s.ctl.decision().reason).toBe('on-battery');
    s.idle.setBattery(false);
    expect(s.ctl.decision().allowed).toBe(true);
    s.idle.emit('suspend');
    expect(s.ctl.decision().reason).toBe('suspended');
    s.idle.emit('resume');
    expect(s.ctl.decision().allowed).toBe(true);
    expect(s.changes).toEqual(['stop:on-battery', 'run:ok', 'stop:suspended', 'run:ok']);
  });

  it('enters and leaves schedule windows as the clock moves across midnight', () => {
    const s = scripted(policy({ idleOnly: false, schedule: 'mon-fri 22:00-07:00' }), MON(21, 58));
    expect(s.ctl.decision().reason).toBe('outside-schedule');
    expect(s.advance(120).allowed).toBe(true); // 22:00
    expect(s.advance(9 * 3600 - 60).allowed).toBe(true); // Tue 06:59
    expect(s.advance(60).reason).toBe('outside-schedule'); // Tue 07:00
  });

  it('renders nothing under a schedule it cannot read, and says why', () => {
    const s = scripted(policy({ idleOnly: false, schedule: 'mon-fri 25:00-07:00' }));
    expect(s.ctl.decision()).toMatchObject({ allowed: false, reason: 'outside-schedule', message: expect.stringMatching(/not a time of day/) });
    expect(s.setPolicy({ schedule: '' }).allowed).toBe(true);
  });

  it('resumes by itself when a pause runs out, and picks up policy edits', () => {
    const s = scripted(policy({ idleOnly: false }));
    expect(s.setPolicy({ pausedUntil: s.now + 3600_000 }).reason).toBe('paused');
    expect(s.advance(3599).allowed).toBe(false);
    expect(s.advance(1).allowed).toBe(true);
    expect(s.setPolicy({ schedule: 'sat 10:00-11:00' }).reason).toBe('outside-schedule');
    expect(s.setPolicy({ enabled: false }).reason).toBe('disabled');
  });
});
