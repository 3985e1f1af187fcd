/**
 * Where the operator learns whether the person is at the machine. Electron supplies
 * powerMonitor (main/electron/idle-source.ts); headless, the OS is asked with a small
 * command where one exists. Every source says plainly when it cannot know.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/** Events an idle source reports. */
export type IdleEvent = 'lock' | 'unlock' | 'suspend' | 'resume' | 'battery' | 'ac';

/** The interface the policy reads. */
export interface IdleSource {
  /** Seconds since the last keyboard or mouse input, or null when this machine cannot say. */
  idleSeconds(): number | null;
  /** True on battery, false on mains, null when unknown. */
  onBattery(): boolean | null;
  /** Subscribes to an event; returns the function that unsubscribes. */
  on(event: IdleEvent, cb: () => void): () => void;
  /** What the source is and whether it works here, for the UI and logs. */
  describe(): { kind: string; available: boolean; detail: string };
  /** Releases timers and child processes. */
  close?(): void;
}

type Listener = () => void;

/** Keeps the listeners of each event; sources extend it. */
export class IdleEvents {
  private readonly listeners = new Map<IdleEvent, Set<Listener>>();

  on(event: IdleEvent, cb: Listener): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(cb);
    return () => set.delete(cb);
  }

  /** Calls every listener of `event`. */
  emit(event: IdleEvent): void {
    for (const cb of [...(this.listeners.get(event) ?? [])]) cb();
  }
}

/**
 * A source driven by hand: for tests (a person moving the mouse is the one thing this
 * machine cannot do) and for a headless box with no way to read idle time.
 */
export class ManualIdleSource extends IdleEvents implements IdleSource {
  private idle: number | null;
  private battery: boolean | null;

  constructor(
    init: { idleSeconds?: number | null; onBattery?: boolean | null } = {},
    private readonly info = { kind: 'manual', available: true, detail: 'Idle time is set by hand.' },
  ) {
    super();
    this.idle = init.idleSeconds === undefined ? null : init.idleSeconds;
    this.battery = init.onBattery === undefined ? null : init.onBattery;
  }

  idleSeconds(): number | null {
    return this.idle;
  }

  onBattery(): boolean | null {
    return this.battery;
  }

  describe() {
    return this.info;
  }

  /** The person has been away for `seconds` (0 = just touched the mouse). */
  setIdle(seconds: number | null): void {
    this.idle = seconds;
  }

  /** Switches between battery and mains, firing the matching event. */
  setBattery(on: boolean | null): void {
    const was = this.battery;
    this.battery = on;
    if (on !== was && on !== null) this.emit(on ? 'battery' : 'ac');
  }
}

/** How a command-backed source reads idle time on this platform, if it can. */
export interface IdleProbe {
  kind: string;
  /** Resolves to idle seconds, or null when the reading failed. */
  read(): Promise<number | null>;
}

function run(cmd: string, args: string[], timeoutMs = 2000): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, windowsHide: true, encoding: 'utf8' }, (err, stdout) => resolve(err ? null : stdout));
  });
}

/** Parses `ioreg -c IOHIDSystem` output: HIDIdleTime is in nanoseconds. */
export function parseIoregIdle(out: string): number | null {
  const m = /"HIDIdleTime"\s*=\s*(\d+)/.exec(out);
  return m ? Number(m[1]) / 1e9 : null;
}

/** Parses `xprintidle` output (milliseconds). */
export function parseXprintidle(out: string): number | null {
  const n = Number(out.trim());
  return out.trim() && Number.isFinite(n) && n >= 0 ? n / 1000 : null;
}

/** Parses `gdbus call … org.gnome.Mutter.IdleMonitor.GetIdletime` output: "(uint64 1234,)" in ms. */
export function parseMutterIdle(out: string): number | null {
  const m = /\(uint64 (\d+),\)/.exec(out);
  return m ? Number(m[1]) / 1000 : null;
}

/** Reads battery state from /sys/class/power_supply (Linux); null when there is no battery. */
export function linuxOnBattery(root = '/sys/class/power_supply'): boolean | null {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return null;
  }
  let sawBattery = false;
  for (const n of names) {
    try {
      const type = readFileSync(`${root}/${n}/type`, 'utf8').trim();
      if (type === 'Mains' && readFileSync(`${root}/${n}/online`, 'utf8').trim() === '1') return false;
      if (type === 'Battery') {
        sawBattery = true;
        if (readFileSync(`${root}/${n}/status`, 'utf8').trim() === 'Discharging') return true;
      }
    } catch {
      // A supply without these files says nothing about the state; look at the others.
    }
  }
  return sawBattery ? false : null;
}

/**
 * Picks the probe this OS offers. Linux: `xprintidle` on an X11 display; macOS: ioreg's
 * HIDIdleTime. Windows needs native code (GetLastInputInfo), which the headless form does
 * not ship: it says so instead of guessing.
 */
export async function findIdleProbe(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): Promise<IdleProbe | { unavailable: string }> {
  if (platform === 'darwin') {
    const probe: IdleProbe = { kind: 'ioreg HIDIdleTime', read: async () => parseIoregIdle((await run('ioreg', ['-c', 'IOHIDSystem', '-d', '4'])) ?? '') };
    return (await probe.read()) === null ? { unavailable: 'ioreg did not report HIDIdleTime.' } : probe;
  }
  if (platform === 'linux') {
    // GNOME (X11 or Wayland) answers on the session bus; other X11 desktops through xprintidle.
    if (env.DBUS_SESSION_BUS_ADDRESS) {
      const mutter: IdleProbe = {
        kind: 'GNOME IdleMonitor',
        read: async () =>
          parseMutterIdle(
            (await run('gdbus', ['call', '--session', '--dest', 'org.gnome.Mutter.IdleMonitor', '--object-path', '/org/gnome/Mutter/IdleMonitor/Core', '--method', 'org.gnome.Mutter.IdleMonitor.GetIdletime'])) ?? '',
          ),
      };
      if ((await mutter.read()) !== null) return mutter;
    }
    if (!env.DISPLAY) return { unavailable: 'No desktop session (no X11 DISPLAY, no GNOME idle monitor), so the system idle time cannot be read headless.' };
    const probe: IdleProbe = { kind: 'xprintidle', read: async () => parseXprintidle((await run('xprintidle', [])) ?? '') };
    return (await probe.read()) === null ? { unavailable: 'xprintidle is not installed or cannot reach the display (install the xprintidle package).' } : probe;
  }
  if (platform === 'win32') return { unavailable: 'Windows reports idle time only to native code (GetLastInputInfo); the headless form cannot read it. Use the desktop app or a schedule.' };
  return { unavailable: `Reading the idle time is not supported on ${platform}.` };
}

/**
 * The headless source: polls a probe in the background (a command must never block the
 * event loop) and keeps the last reading, advanced by the time since it was taken.
 */
export class CommandIdleSource extends IdleEvents implements IdleSource {
  private last: { seconds: number; at: number } | null = null;
  private battery: boolean | null;
  private timer: ReturnType<typeof setInterval> | undefined;
  private reading = false;

  constructor(
    private readonly probe: IdleProbe | { unavailable: string },
    private readonly opts: { pollMs?: number; now?: () => number; battery?: () => boolean | null } = {},
  ) {
    super();
    const readBattery = opts.battery ?? (() => (process.platform === 'linux' ? linuxOnBattery() : null));
    this.battery = readBattery();
    if (!('unavailable' in probe)) {
      const poll = async () => {
        if (this.reading) return;
        this.reading = true;
        try {
          const s = await probe.read();
          this.last = s === null ? null : { seconds: s, at: this.now() };
        } finally {
          this.reading = false;
        }
      };
      void poll();
      this.timer = setInterval(() => {
        void poll();
        const b = readBattery();
        if (b !== this.battery && b !== null) this.emit(b ? 'battery' : 'ac');
        this.battery = b;
      }, opts.pollMs ?? 500);
      this.timer.unref?.();
    }
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  idleSeconds(): number | null {
    if (!this.last) return null;
    return this.last.seconds + (this.now() - this.last.at) / 1000;
  }

  onBattery(): boolean | null {
    return this.battery;
  }

  describe() {
    if ('unavailable' in this.probe) return { kind: 'none', available: false, detail: this.probe.unavailable };
    return { kind: this.probe.kind, available: true, detail: `System idle time from ${this.probe.kind}.` };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** The best idle source the headless form can have on this machine. */
export async function systemIdleSource(opts: { pollMs?: number } = {}): Promise<CommandIdleSource> {
  return new CommandIdleSource(await findIdleProbe(), opts);
}
