import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rayfarm } from '../../../../integration/cli-procs';
import type { Proc } from '../../../../integration/cli-procs';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const NET = ['--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', '--json'];
let procs: Proc[] = [];
afterEach(async () => {
  await Promise.all(procs.map((p) => p.kill()));
  procs = [];
});

/** Runs `rayfarm node` with policy flags; the environment has no X display, as on a render box. */
function node(args: string[]): Proc {
  const p = rayfarm(['node', '--data-dir', tmp('rf-polnode-'), ...NET, ...args]);
  procs.push(p);
  return p;
}

async function errLine(p: Proc, re: RegExp, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!re.test(p.err())) {
    if (Date.now() > end) throw new Error(`no ${re} in:\n${p.err()}`);
    if (p.proc.exitCode !== null) throw new Error(`exited ${p.proc.exitCode}:\n${p.err()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('rayfarm node with the render policy', () => {
  it('refuses a bad schedule or config file before starting, with the reason', async () => {
    const bad = node(['--schedule', 'mon-fri 25:00-07:00']);
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toMatch(/--schedule: .*not a time of day/);
    const file = join(tmp('rf-polcfg-'), 'farm.toml');
    writeFileSync(file, 'idle-minuets = 5\n');
    const cfg = node(['--config', file]);
    expect(await cfg.exited).toBe(1);
    expect(cfg.err()).toMatch(/unknown key idle-minuets/);
  });

  it('renders always by default on a headless box, and says when --idle-only cannot work', async () => {
    const env = process.env.DISPLAY;
    const bus = process.env.DBUS_SESSION_BUS_ADDRESS;
    delete process.env.DISPLAY;
    delete process.env.DBUS_SESSION_BUS_ADDRESS;
    try {
      const always = node([]);
      await always.line(/^\{/, 90_000);
      await errLine(always, /Rendering allowed: always on/);
      const idle = node(['--idle-only', '--idle-minutes', '2']);
      await idle.line(/^\{/, 90_000);
      await errLine(idle, /--idle-only cannot work here: No desktop session/);
      await errLine(idle, /cannot report how long it has been idle/);
    } finally {
      if (env !== undefined) process.env.DISPLAY = env;
      if (bus !== undefined) process.env.DBUS_SESSION_BUS_ADDRESS = bus;
    }
  });

  it('takes a schedule from a config file', async () => {
    const file = join(tmp('rf-polcfg-'), 'farm.json');
    // A window that is never now: rendering waits and the node says until when.
    const now = new Date();
    const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][(now.getDay() + 3) % 7];
    writeFileSync(file, JSON.stringify({ schedule: `${day} 10:00-11:00` }));
    const p = node(['--config', file]);
    await p.line(/^\{/, 90_000);
    await errLine(p, new RegExp(`Outside the schedule \\(${day} 10:00-11:00\\); next window at 10:00`));
  });
});
