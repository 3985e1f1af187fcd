// Start at login on Linux. macOS and Windows use Electron's login item settings; Linux has no such API
// in Electron, so an XDG autostart entry (~/.config/autostart/rayfarm.desktop) does it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Where the XDG autostart entry lives. */
export function autostartFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'autostart', 'rayfarm.desktop');
}

/** The command that starts this app: the AppImage when run from one, else the executable. */
export function launchCommand(env: NodeJS.ProcessEnv = process.env, execPath = process.execPath): string {
  const exe = env.APPIMAGE || execPath;
  return `"${exe.replace(/(["\\`$])/g, '\\$1')}" --hidden`;
}

/** An XDG desktop entry that starts Rayfarm in the tray at login. */
export function autostartEntry(command: string): string {
  return ['[Desktop Entry]', 'Type=Application', 'Name=Rayfarm', 'Comment=Render for the Rayfarm network when idle', `Exec=${command}`, 'X-GNOME-Autostart-enabled=true', 'Terminal=false', ''].join('\n');
}

/** Whether the Linux autostart entry exists and is ours. */
export function linuxStartsAtLogin(file = autostartFile()): boolean {
  return existsSync(file) && /^Name=Rayfarm$/m.test(readFileSync(file, 'utf8'));
}

/** Writes or removes the Linux autostart entry. */
export function setLinuxStartAtLogin(on: boolean, file = autostartFile(), command = launchCommand()): void {
  if (!on) return void rmSync(file, { force: true });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, autostartEntry(command));
}
