import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CommandIdleSource, findIdleProbe, linuxOnBattery, parseIoregIdle, parseMutterIdle, parseXprintidle } from '../../../../../main/core/operator/policy/idle-source';
import type { IdleProbe } from '../../../../../main/core/operator/policy/idle-source';

function supplies(entries: Record<string, Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), 'rf-power-'));
  for (const [name, files] of Object.entries(entries)) {
    mkdirSync(join(root, name));
    for (const [f, v] of Object.entries(files)) writeFileSync(join(root, name, f), `${v}\n`);
  }
  return root;
}

describe('idle sources', () => {
  it('parses what each OS command prints', () => {
    expect(parseIoregIdle('    | |   "HIDIdleTime" = 12500000000\n')).toBe(12.5);
    expect(parseIoregIdle('no such key')).toBeNull();
    expect(parseXprintidle('4200\n')).toBe(4.2);
    expect(parseXprintidle('')).toBeNull();
    expect(parseXprintidle("couldn't open display")).toBeNull();
    expect(parseMutterIdle('(uint64 65000,)\n')).toBe(65);
    expect(parseMutterIdle('Error: GDBus.Error')).toBeNull();
  });

  it('reads battery state from sysfs: mains online, discharging, or no battery at all', () => {
    expect(linuxOnBattery(supplies({ AC: { type: 'Mains', online: '1' }, BAT0: { type: 'Battery', status: 'Charging' } }))).toBe(false);
    expect(linuxOnBattery(supplies({ AC: { type: 'Mains', online: '0' }, BAT0: { type: 'Battery', status: 'Discharging' } }))).toBe(true);
    expect(linuxOnBattery(supplies({ BAT0: { type: 'Battery', status: 'Full' } }))).toBe(false);
    expect(linuxOnBattery(supplies({}))).toBeNull();
    expect(linuxOnBattery('/nonexistent/power_supply')).toBeNull();
  });

  it('says plainly where idle time cannot be read', async () => {
    expect(await findIdleProbe('win32')).toEqual({ unavailable: expect.stringMatching(/Windows .*native code .*GetLastInputInfo/) });
    expect(await findIdleProbe('linux', {})).toEqual({ unavailable: expect.stringMatching(/No desktop session/) });
    expect(await findIdleProbe('freebsd', {})).toEqual({ unavailable: expect.stringMatching(/not supported on freebsd/) });
  });

  it('keeps the last reading and advances it with the clock between polls', async () => {
    let now = 1000;
    let value: number | null = 30;
    let reads = 0;
    const probe: IdleProbe = { kind: 'test', read: async () => (reads++, value) };
    const src = new CommandIdleSource(probe, { pollMs: 5, now: () => now, battery: () => null });
    const until = async (f: () => boolean) => {
      const end = Date.now() + 5000;
      while (!f()) {
        if (Date.now() > end) throw new Error('deadline');
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    await until(() => src.idleSeconds() !== null);
    expect(src.describe()).toMatchObject({ kind: 'test', available: true });
    now += 2000;
    expect(src.idleSeconds()).toBe(32);
    value = 0; // the person moved the mouse
    const after = reads;
    await until(() => reads > after + 1);
    expect(src.idleSeconds()).toBe(0);
    value = null; // the probe broke: say "unknown", never a stale number
    const again = reads;
    await until(() => reads > again + 1);
    expect(src.idleSeconds()).toBeNull();
    src.close();
    const none = new CommandIdleSource({ unavailable: 'nothing here' }, { battery: () => null });
    expect(none.describe()).toEqual({ kind: 'none', available: false, detail: 'nothing here' });
    expect(none.idleSeconds()).toBeNull();
  });
});
