// The desktop idle source: Electron's powerMonitor behind the core's IdleSource interface.
import { powerMonitor } from 'electron';
import { IdleEvents } from '../core/operator/policy/idle-source';
import type { IdleSource } from '../core/operator/policy/idle-source';

/** powerMonitor as an IdleSource: idle time, lock/unlock, suspend/resume, battery/AC. */
export function electronIdleSource(): IdleSource {
  const events = new IdleEvents();
  type PowerEvent = 'lock-screen' | 'unlock-screen' | 'suspend' | 'resume' | 'on-battery' | 'on-ac';
  const forward: [PowerEvent, Parameters<IdleEvents['emit']>[0]][] = [
    ['lock-screen', 'lock'],
    ['unlock-screen', 'unlock'],
    ['suspend', 'suspend'],
    ['resume', 'resume'],
    ['on-battery', 'battery'],
    ['on-ac', 'ac'],
  ];
  const handlers = forward.map(([from, to]) => {
    const h = () => events.emit(to);
    powerMonitor.on(from as 'suspend', h);
    return () => powerMonitor.removeListener(from as 'suspend', h);
  });
  return {
    idleSeconds: () => powerMonitor.getSystemIdleTime(),
    onBattery: () => powerMonitor.isOnBatteryPower(),
    on: (event, cb) => events.on(event, cb),
    describe: () => ({ kind: 'powerMonitor', available: true, detail: 'System idle time, screen lock and power state from the desktop.' }),
    close: () => handlers.forEach((off) => off()),
  };
}
