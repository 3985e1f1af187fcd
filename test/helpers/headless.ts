import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
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

/** `npm run headless` as the README shows it, started by a test. */
export interface NpmHeadless extends HeadlessApp {
  /** The `rayfarm up` node under npm (npm's own pid is `proc.pid`). */
  nodePid: number;
  tokenFile: string;
}

/**
 * Starts the headless form the way a person does (`npm run headless -- …`), so a test can
 * send its signals to npm itself and check what is left running.
 */
export async function startHeadlessViaNpm(opts: { dataDir?: string; args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<NpmHeadless> {
  const dataDir = opts.dataDir ?? tempDataDir();
  const proc = spawn('npm', ['run', '--silent', 'headless', '--', '--port', '0', '--json', '--data-dir', dataDir, ...(opts.args ?? [])], {
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
  const started = await new Promise<{ url: string; port: number; pid: number; tokenFile: string }>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm run headless did not start in ${timeoutMs} ms:\n${err}`)), timeoutMs);
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      resolvePromise(JSON.parse(line) as { url: string; port: number; pid: number; tokenFile: string });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm run headless exited with ${code} before starting:\n${err}`));
    });
  });
  return {
    url: started.url,
    port: started.port,
    nodePid: started.pid,
    tokenFile: started.tokenFile,
    dataDir,
    proc,
    stderr: () => err,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** A process's state letter and parent from /proc (Linux), or null when it is gone. */
function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    // "pid (comm) S ppid …": comm may hold spaces, so read after its closing parenthesis.
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state = '', ppid = '0'] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/** Whether a process is still running (a zombie nobody reaped has stopped running). */
export function alive(pid: number): boolean {
  const s = procStat(pid);
  return s !== null && s.state !== 'Z' && s.state !== 'X';
}

/** The processes whose parent is `pid` (the anvil chain a node started, say). */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((p) => procStat(p)?.ppid === pid);
}
