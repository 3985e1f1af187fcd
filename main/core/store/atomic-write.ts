import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { RayfarmError } from '../errors';

/**
 * Writes a file (a keystore, a deployment record, a rendered frame) so that a reader (or a crash) sees either the old content or the new,
 * never a mix: temp file in the same folder, fsync, rename, fsync the folder.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC') throw new RayfarmError('DISK_FULL', `The disk is full: could not write ${path}.`, { cause: err });
    throw new RayfarmError('STORE_WRITE_FAILED', `Could not write ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (process.platform !== 'win32') {
    // Directories cannot be opened for fsync on Windows; elsewhere this makes the rename durable.
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
