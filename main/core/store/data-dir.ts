import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where the app keeps its data when nothing says otherwise (the OS app-data convention). */
export function defaultDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Rayfarm');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Rayfarm');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Rayfarm');
}

/** `--data-dir` wins, then `RAYFARM_DATA_DIR`, then the OS default. */
export function resolveDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return resolve(explicit);
  if (env.RAYFARM_DATA_DIR) return resolve(env.RAYFARM_DATA_DIR);
  return defaultDataDir(process.platform, env);
}
