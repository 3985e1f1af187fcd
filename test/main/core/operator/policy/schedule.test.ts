import { describe, expect, it } from 'vitest';
import { inSchedule, nextScheduleChange, parseSchedule } from '../../../../../main/core/operator/policy/schedule';
import type { Weekday } from '../../../../../main/core/operator/policy/schedule';

const at = (weekday: Weekday, hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return { weekday, minute: h! * 60 + m! };
};
const MON = 1, TUE = 2, FRI = 5, SAT = 6, SUN = 0;

describe('schedule', () => {
  it('parses "mon-fri 22:00-07:00" as a window that crosses midnight', () => {
    const s = parseSchedule('mon-fri 22:00-07:00');
    expect(s.windows).toHaveLength(1);
    expect([...s.windows[0]!.days].sort()).toEqual([1, 2, 3, 4, 5]);
    expect(inSchedule(s, at(MON, '22:00'))).toBe(true);
    expect(inSchedule(s, at(TUE, '06:59'))).toBe(true); // Monday night's window
    expect(inSchedule(s, at(TUE, '07:00'))).toBe(false);
    expect(inSchedule(s, at(MON, '21:59'))).toBe(false);
    expect(inSchedule(s, at(MON, '03:00'))).toBe(false); // Sunday night is not in mon-fri
    expect(inSchedule(s, at(SAT, '03:00'))).toBe(true); // Friday night runs into Saturday
    expect(inSchedule(s, at(SAT, '22:30'))).toBe(false);
  });

  it('takes several windows, aliases, lists, wrapping ranges and 24:00', () => {
    const s = parseSchedule('weekdays 12:00-13:00 22:00-24:00; sat,sun 00:00-24:00');
    expect(inSchedule(s, at(TUE, '12:30'))).toBe(true);
    expect(inSchedule(s, at(TUE, '14:00'))).toBe(false);
    expect(inSchedule(s, at(TUE, '23:59'))).toBe(true);
    expect(inSchedule(s, at(SUN, '09:00'))).toBe(true);
    const wrap = parseSchedule('fri-mon 09:00-17:00');
    expect([...wrap.windows[0]!.days].sort()).toEqual([0, 1, 5, 6]);
    const daily = parseSchedule('01:00-02:00');
    expect(inSchedule(daily, at(SAT, '01:30'))).toBe(true);
    expect(inSchedule(parseSchedule('Monday 08:00-09:00'), at(MON, '08:15'))).toBe(true);
  });

  it('treats an empty schedule as any time', () => {
    expect(inSchedule(parseSchedule(''), at(FRI, '12:00'))).toBe(true);
    expect(nextScheduleChange(parseSchedule(''), Date.now())).toBeNull();
  });

  it.each([
    ['mon-fri', /no time range/],
    ['mon-fri 22-07', /not a time range|not a time/],
    ['mon-fri 25:00-07:00', /not a time of day/],
    ['funday 10:00-11:00', /"funday" is not a day/],
    ['mon 10:00-10:00', /empty/],
    ['mon 10:00-11:00-12:00', /not a time range/],
  ])('rejects %j with a clear message', (text, msg) => {
    expect(() => parseSchedule(text)).toThrow(msg);
    try {
      parseSchedule(text);
    } catch (err) {
      expect((err as { code: string }).code).toBe('POLICY_BAD_SCHEDULE');
    }
  });

  it('finds the next change of state', () => {
    const s = parseSchedule('mon-fri 22:00-07:00');
    const mon2100 = new Date(2026, 10, 23, 21, 0).getTime(); // Monday 23 Nov 2026
    expect(new Date(2026, 10, 23).getDay()).toBe(1);
    expect(nextScheduleChange(s, mon2100)).toBe(new Date(2026, 10, 23, 22, 0).getTime());
    expect(nextScheduleChange(s, new Date(2026, 10, 23, 23, 0).getTime())).toBe(new Date(2026, 10, 24, 7, 0).getTime());
  });
});
