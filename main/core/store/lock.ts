import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { RayfarmError } from '../errors';

/** A held lock on a data folder; release it on shutdown. */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** Folders this process holds (a pid alone cannot tell: after a restart in a container it repeats). */
const held = new Set<string>();

/** Whether a process with this pid exists (EPERM: it does, under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM means the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data folder for this process. A second live process is refused with a clear
 * message; a lock left by a process that died (kill -9, power loss) is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'rayfarm.lock');
  if (held.has(path)) {
    throw new RayfarmError(
      'DATA_DIR_IN_USE',
      `The data folder ${dataDir} is already in use by another Rayfarm process (this one, pid ${process.pid}). Pass a different --data-dir.`,
      { details: { dataDir, pid: process.pid } },
    );
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      fsyncSync(fd);
      closeSync(fd);
      let released = false;
      held.add(path);
      return {
        path,
        release() {
          if (released) return;
          released = true;
          held.delete(path);
          try {
            if (readFileSync(path, 'utf8').trim() === String(process.pid)) rmSync(path, { force: true });
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      } catch {
        // Vanished between open and read: try again.
        continue;
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new RayfarmError(
          'DATA_DIR_IN_USE',
          `The data folder ${dataDir} is already in use by another Rayfarm process (pid ${owner}). ` +
            'Close it first, or pass a different --data-dir.',
          { details: { dataDir, pid: owner } },
        );
      }
      // Stale lock from a process that no longer exists.
      rmSync(path, { force: true });
    }
  }
  throw new RayfarmError('DATA_DIR_IN_USE', `Could not lock the data folder ${dataDir}.`);
}
