/**
 * Weekly render windows: "mon-fri 22:00-07:00; sat,sun 00:00-24:00". Pure: the caller
 * supplies the local weekday and minute, so tests and time zones stay deterministic.
 */
import { RayfarmError } from '../../errors';

/** 0 = Sunday … 6 = Saturday, as Date#getDay. */
export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** One window: it starts on each of `days` at `start` and lasts until `end` (next day when end <= start). */
export interface ScheduleWindow {
  days: ReadonlySet<Weekday>;
  /** Minutes after local midnight, 0..1439. */
  start: number;
  /** Minutes after local midnight, 1..1440. */
  end: number;
}

/** A parsed schedule; no windows means "any time". */
export interface Schedule {
  source: string;
  windows: ScheduleWindow[];
}

/** A local moment: weekday and minutes after midnight. */
export interface LocalTime {
  weekday: Weekday;
  minute: number;
}

const DAY_NAMES: Record<string, Weekday> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const DAY_ALIASES: Record<string, Weekday[]> = {
  daily: [0, 1, 2, 3, 4, 5, 6],
  everyday: [0, 1, 2, 3, 4, 5, 6],
  weekdays: [1, 2, 3, 4, 5],
  weekends: [0, 6],
};

function badSchedule(source: string, why: string): RayfarmError {
  return new RayfarmError('POLICY_BAD_SCHEDULE', `The schedule "${source}" is not valid: ${why}. Example: "mon-fri 22:00-07:00; sat,sun 00:00-24:00".`);
}

function dayOf(name: string, source: string): Weekday {
  const d = DAY_NAMES[name.slice(0, 3)];
  if (d === undefined || !'sunday monday tuesday wednesday thursday friday saturday'.split(' ').some((full) => full.startsWith(name) && name.length >= 3)) {
    throw badSchedule(source, `"${name}" is not a day (use mon, tue, wed, thu, fri, sat, sun)`);
  }
  return d;
}

function parseDays(spec: string, source: string): Set<Weekday> {
  const days = new Set<Weekday>();
  for (const part of spec.split(',')) {
    const p = part.trim();
    if (!p) throw badSchedule(source, 'an empty day in a list');
    const alias = DAY_ALIASES[p];
    if (alias) {
      alias.forEach((d) => days.add(d));
      continue;
    }
    const range = p.split('-');
    if (range.length === 1) days.add(dayOf(p, source));
    else if (range.length === 2) {
      const a = dayOf(range[0]!, source);
      const b = dayOf(range[1]!, source);
      // Ranges wrap around the week: "fri-mon" is fri, sat, sun, mon.
      for (let d = a; ; d = ((d + 1) % 7) as Weekday) {
        days.add(d);
        if (d === b) break;
      }
    } else throw badSchedule(source, `"${p}" is not a day or a range of days`);
  }
  return days;
}

function parseClock(s: string, source: string, allow24: boolean): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s);
  if (!m) throw badSchedule(source, `"${s}" is not a time (use HH:MM, 24-hour)`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && (min !== 0 || !allow24))) throw badSchedule(source, `"${s}" is not a time of day`);
  return h * 60 + min;
}

/**
 * Parses a schedule. Windows are separated by ";" (or new lines); each has optional days
 * (mon-fri, sat,sun, daily, weekdays, weekends; default every day) and one or more time ranges.
 * A range whose end is not after its start crosses midnight into the next day.
 */
export function parseSchedule(source: string): Schedule {
  const windows: ScheduleWindow[] = [];
  const text = source.trim().toLowerCase();
  if (!text || text === 'always' || text === 'any') return { source, windows };
  for (const entry of text.split(/[;\n]+/)) {
    const tokens = entry.trim().split(/\s+/).filter(Boolean);
    if (!tokens.length) continue;
    let days: Set<Weekday> = new Set(DAY_ALIASES.daily);
    if (!/^\d/.test(tokens[0]!)) days = parseDays(tokens.shift()!, source);
    if (!tokens.length) throw badSchedule(source, `"${entry.trim()}" has days but no time range`);
    for (const range of tokens) {
      const parts = range.split('-');
      if (parts.length !== 2) throw badSchedule(source, `"${range}" is not a time range like 22:00-07:00`);
      const start = parseClock(parts[0]!, source, false);
      const end = parseClock(parts[1]!, source, true);
      if (start === end) throw badSchedule(source, `"${range}" is empty (start and end are the same; use 00:00-24:00 for a whole day)`);
      windows.push({ days, start, end });
    }
  }
  return { source, windows };
}

/** True when `t` falls inside one of the windows (always true for an empty schedule). */
export function inSchedule(schedule: Schedule, t: LocalTime): boolean {
  if (!schedule.windows.length) return true;
  const yesterday = ((t.weekday + 6) % 7) as Weekday;
  return schedule.windows.some((w) => {
    if (w.end > w.start) return w.days.has(t.weekday) && t.minute >= w.start && t.minute < w.end;
    // Crosses midnight: the evening part belongs to its start day, the morning part to the day after.
    return (w.days.has(t.weekday) && t.minute >= w.start) || (w.days.has(yesterday) && t.minute < w.end);
  });
}

/** The local weekday and minute of an epoch time, in this process's time zone. */
export function localTimeOf(ms: number): LocalTime {
  const d = new Date(ms);
  return { weekday: d.getDay() as Weekday, minute: d.getHours() * 60 + d.getMinutes() };
}

/**
 * The next time (epoch ms, on a minute boundary) at which being inside the schedule changes,
 * or null when it never does (empty schedule, or windows that cover the whole week).
 */
export function nextScheduleChange(schedule: Schedule, now: number, localTime: (ms: number) => LocalTime = localTimeOf): number | null {
  if (!schedule.windows.length) return null;
  const inside = inSchedule(schedule, localTime(now));
  const start = Math.floor(now / 60_000) * 60_000 + 60_000;
  for (let i = 0; i < 8 * 24 * 60; i++) {
    const t = start + i * 60_000;
    if (inSchedule(schedule, localTime(t)) !== inside) return t;
  }
  return null;
}
