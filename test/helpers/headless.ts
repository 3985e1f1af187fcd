import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** A `rayfarm up` process started by a test. */
export interface HeadlessApp {
  url: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  /** Everything the process printed on stderr so far. */
  stderr: () => string;
  /** SIGTERM, then wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** A fresh temporary data folder. */
export function tempDataDir(prefix = 'rayfarm-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts the headless form on a free port and waits for its URL. */
export async function startHeadless(opts: { dataDir?: string; args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<HeadlessApp> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const proc = spawn(process.execPath, [join(ROOT, 'bin/rayfarm.mjs'), 'up', '--port', '0', '--json', '--data-dir', dataDir, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const lines = createInterface({ input: proc.stdout! });
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const started = await new Promise<{ url: string; port: number }>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`rayfarm up did not start in ${timeoutMs} ms:\n${err}`)), timeoutMs);
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      resolvePromise(JSON.parse(line) as { url: string; port: number });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`rayfarm up exited with ${code} before starting:\n${err}`));
    });
  });
  return {
    ...started,
    dataDir,
    proc,
    stderr: () => err,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}
