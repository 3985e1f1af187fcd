import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autostartFile, launchCommand, linuxStartsAtLogin, setLinuxStartAtLogin } from '../../../../main/core/desktop/autostart';

describe('start at login on Linux (XDG autostart)', () => {
  it('writes and removes its desktop entry', () => {
    const file = autostartFile({ XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'rf-xdg-')) });
    expect(file).toMatch(/autostart\/rayfarm\.desktop$/);
    expect(linuxStartsAtLogin(file)).toBe(false);
    setLinuxStartAtLogin(true, file, '"/opt/Rayfarm/rayfarm" --hidden');
    expect(linuxStartsAtLogin(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(/^Exec="\/opt\/Rayfarm\/rayfarm" --hidden$/m);
    setLinuxStartAtLogin(false, file);
    expect(linuxStartsAtLogin(file)).toBe(false);
  });

  it('launches the AppImage when run from one, quoting the path', () => {
    expect(launchCommand({ APPIMAGE: '/home/a/Apps/Ray "farm".AppImage' }, '/tmp/.mount/rayfarm')).toBe('"/home/a/Apps/Ray \\"farm\\".AppImage" --hidden');
    expect(launchCommand({}, '/usr/lib/rayfarm/rayfarm')).toBe('"/usr/lib/rayfarm/rayfarm" --hidden');
  });
});
