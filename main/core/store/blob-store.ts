import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import type { ReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RayfarmError } from '../errors';

const HASH_RE = /^[0-9a-f]{64}$/;

/** True when `s` looks like a sha256 in lower-case hex. */
export function isBlobHash(s: string): boolean {
  return HASH_RE.test(s);
}

/** sha256 of some bytes, lower-case hex. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function fsyncDir(dir: string): void {
  // Directories cannot be opened for fsync on Windows; the rename is durable enough there.
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function diskError(err: unknown, what: string): RayfarmError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC') return new RayfarmError('DISK_FULL', `The disk is full: could not ${what}. Free some space and try again.`, { cause: err });
  return new RayfarmError('STORE_WRITE_FAILED', `Could not ${what}: ${(err as Error).message}`, { cause: err });
}

/**
 * An incremental write into the blob store. Bytes go to a temp file; `commit()` fsyncs,
 * checks the hash (when one is expected) and renames into place, so a reader never sees
 * a partial blob and a crash leaves only a temp file that the next open removes.
 */
export class BlobWriter {
  private readonly hash = createHash('sha256');
  private fd: number | null;
  private written = 0;

  constructor(
    private readonly store: BlobStore,
    private readonly tmpPath: string,
  ) {
    this.fd = openSync(tmpPath, 'wx');
  }

  /** Bytes written so far. */
  get size(): number {
    return this.written;
  }

  write(chunk: Uint8Array): void {
    if (this.fd === null) throw new Error('BlobWriter already finished');
    try {
      let off = 0;
      while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
    } catch (err) {
      this.abort();
      throw diskError(err, 'write a file into the data folder');
    }
    this.hash.update(chunk);
    this.written += chunk.length;
  }

  /** Makes the blob durable and visible; returns its sha256. */
  commit(expectedHash?: string): string {
    if (this.fd === null) throw new Error('BlobWriter already finished');
    const digest = this.hash.digest('hex');
    try {
      fsyncSync(this.fd);
    } catch (err) {
      this.abort();
      throw diskError(err, 'save a file into the data folder');
    }
    closeSync(this.fd);
    this.fd = null;
    if (expectedHash !== undefined && expectedHash !== digest) {
      rmSync(this.tmpPath, { force: true });
      throw new RayfarmError('BLOB_HASH_MISMATCH', `The data received does not match its hash (expected ${expectedHash}, got ${digest}).`);
    }
    const finalPath = this.store.pathOf(digest);
    if (existsSync(finalPath)) {
      rmSync(this.tmpPath, { force: true });
      return digest;
    }
    mkdirSync(dirname(finalPath), { recursive: true });
    renameSync(this.tmpPath, finalPath);
    fsyncDir(dirname(finalPath));
    return digest;
  }

  /** Drops the partial write. */
  abort(): void {
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // The descriptor is already unusable; the temp file is removed below either way.
      }
      this.fd = null;
    }
    rmSync(this.tmpPath, { force: true });
  }
}

/** Content-addressed files under `<dataDir>/blobs`, named by their sha256. */
export class BlobStore {
  private readonly tmpDir: string;

  constructor(readonly root: string) {
    this.tmpDir = join(root, 'tmp');
    mkdirSync(this.tmpDir, { recursive: true });
    // Leftovers of writes that were interrupted; they were never visible as blobs.
    for (const name of readdirSync(this.tmpDir)) rmSync(join(this.tmpDir, name), { force: true });
  }

  /** Where a blob lives (whether or not it exists). */
  pathOf(hash: string): string {
    if (!isBlobHash(hash)) throw new RayfarmError('BLOB_BAD_HASH', `"${hash}" is not a sha256 hash.`);
    return join(this.root, hash.slice(0, 2), hash.slice(2));
  }

  has(hash: string): boolean {
    return isBlobHash(hash) && existsSync(this.pathOf(hash));
  }

  /** Size in bytes, or undefined when absent. */
  size(hash: string): number | undefined {
    if (!this.has(hash)) return undefined;
    return statSync(this.pathOf(hash)).size;
  }

  /** Starts an incremental write. */
  writer(): BlobWriter {
    return new BlobWriter(this, join(this.tmpDir, `${Date.now()}-${randomBytes(6).toString('hex')}.part`));
  }

  /** Stores bytes and returns their sha256; storing the same bytes twice writes nothing new. */
  put(data: Uint8Array): string {
    const hash = sha256Hex(data);
    if (this.has(hash)) return hash;
    const w = this.writer();
    w.write(data);
    return w.commit(hash);
  }

  /**
   * put, with the writes and fsyncs on libuv's thread pool: as durable, but the event loop
   * keeps serving while the disk works (a creator receiving many results at once).
   */
  async putAsync(data: Uint8Array): Promise<string> {
    const hash = sha256Hex(data);
    if (this.has(hash)) return hash;
    const tmp = join(this.tmpDir, `${Date.now()}-${randomBytes(6).toString('hex')}.part`);
    const finalPath = this.pathOf(hash);
    try {
      const fh = await open(tmp, 'wx');
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await mkdir(dirname(finalPath), { recursive: true });
      await rename(tmp, finalPath);
      if (process.platform !== 'win32') {
        const dir = await open(dirname(finalPath), 'r');
        try {
          await dir.sync();
        } finally {
          await dir.close();
        }
      }
    } catch (err) {
      await rm(tmp, { force: true });
      throw diskError(err, 'save a file into the data folder');
    }
    return hash;
  }

  get(hash: string): Buffer {
    if (!this.has(hash)) throw new RayfarmError('BLOB_NOT_FOUND', `No stored file with hash ${hash}.`);
    return readFileSync(this.pathOf(hash));
  }

  /** Streams a blob, optionally a byte range [start, end). */
  stream(hash: string, start = 0, end?: number): ReadStream {
    if (!this.has(hash)) throw new RayfarmError('BLOB_NOT_FOUND', `No stored file with hash ${hash}.`);
    return createReadStream(this.pathOf(hash), end === undefined ? { start } : { start, end: Math.max(start, end - 1) });
  }

  /** Every stored blob's hash (a walk of the folder: for clean-ups, not hot paths). */
  hashes(): string[] {
    const out: string[] = [];
    for (const dir of readdirSync(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      for (const rest of readdirSync(join(this.root, dir))) if (isBlobHash(dir + rest)) out.push(dir + rest);
    }
    return out;
  }

  delete(hash: string): void {
    if (this.has(hash)) rmSync(this.pathOf(hash), { force: true });
  }
}
