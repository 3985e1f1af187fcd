/**
 * Runs Blender headless on a file nobody vouched for. Every run: no user preferences, no
 * auto-run scripts (`--factory-startup --disable-autoexec`), no audio, a clean environment,
 * only our own Python script (which prints one `RAYFARM_RESULT_<secret> {json}` line), a memory
 * limit (prlimit's address-space limit) and a time limit (the whole process group killed).
 * Where bubblewrap exists the process sees only the OS's programs, Blender's own install,
 * the files it was given (read-only) and its one output folder; it has no network and no
 * other process. Where none exists the run says so in its log: Blender then still runs
 * with scripts off, but sees what this user sees.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RayfarmError } from '../errors';

/** The start of the line our scripts print their answer on; a secret per run follows it. */
export const RESULT_MARK = 'RAYFARM_RESULT_';

/** Where a run happened: inside bubblewrap, or with no sandbox (said in the log). */
export type SandboxKind = 'bwrap' | 'none';

/** One headless Blender run. */
export interface BlenderRun {
  /** The Blender executable (absolute). */
  blender: string;
  /** Our Python script's source; it reads its config from the JSON after `--` and the run's secret mark after that. */
  script: string;
  /** Passed to the script as one JSON argument. */
  config: unknown;
  /** A .blend to open before the script runs (with scripts off); must be under `readOnly` or `writable`. */
  blendFile?: string;
  /** Files or folders Blender may read (seen at the same paths inside the sandbox). */
  readOnly: string[];
  /** The one folder Blender may write (seen at the same path). */
  writable: string;
  /** Killed after this long. */
  timeoutMs: number;
  /** Address-space limit in bytes. */
  memoryBytes: number;
  /** `false` turns bubblewrap off even where it exists (the caller's log should say so). */
  sandbox?: boolean;
  signal?: AbortSignal;
  /** Each line Blender prints (stdout and stderr), for progress. */
  onLine?: (line: string) => void;
}

/** What a run returned: the script's JSON answer, the log tail and where it ran. */
export interface BlenderRunResult<T> {
  result: T;
  sandbox: SandboxKind;
  /** The last lines Blender printed. */
  log: string;
  seconds: number;
}

let bwrapPath: string | null | undefined;

/** bubblewrap's path when it is installed and works here, else null (checked once). */
export function findBwrap(): string | null {
  if (bwrapPath !== undefined) return bwrapPath;
  bwrapPath = null;
  for (const p of ['/usr/bin/bwrap', '/usr/local/bin/bwrap', '/bin/bwrap']) {
    if (!existsSync(p)) continue;
    // A bwrap that cannot create namespaces here (a locked-down container) is no sandbox.
    const r = spawnSync(p, ['--ro-bind', '/', '/', '--unshare-all', '--die-with-parent', '/bin/true'], { timeout: 10_000, stdio: 'ignore' });
    if (r.status === 0) bwrapPath = p;
    break;
  }
  return bwrapPath;
}

let prlimitPath: string | null | undefined;
function findPrlimit(): string | null {
  if (prlimitPath === undefined) prlimitPath = ['/usr/bin/prlimit', '/bin/prlimit'].find((p) => existsSync(p)) ?? null;
  return prlimitPath;
}

/** The OS's own folders (programs, libraries): bound read-only, or as the symlinks they are. */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];
/** The few files under /etc that programs need to start (libraries, fonts); no users, no keys. */
const SYSTEM_ETC = ['/etc/ld.so.cache', '/etc/ld.so.conf', '/etc/ld.so.conf.d', '/etc/fonts', '/etc/alternatives', '/etc/localtime'];

/** bubblewrap's arguments for one run. */
function bwrapArgs(run: BlenderRun, scriptDir: string): string[] {
  const a: string[] = ['--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL', '--clearenv', '--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp'];
  for (const d of SYSTEM_DIRS) {
    if (!existsSync(d)) continue;
    const st = lstatSync(d);
    if (st.isSymbolicLink()) a.push('--symlink', readlinkSync(d), d);
    else a.push('--ro-bind', d, d);
  }
  for (const f of SYSTEM_ETC) if (existsSync(f)) a.push('--ro-bind', f, f);
  // A Blender unpacked outside the OS folders (a downloaded release) brings its own libraries.
  const install = dirname(realpathSync(run.blender));
  if (!SYSTEM_DIRS.some((d) => install === d || install.startsWith(`${d}/`))) a.push('--ro-bind', install, install);
  for (const p of [...run.readOnly, scriptDir]) a.push('--ro-bind', p, p);
  a.push('--bind', run.writable, run.writable);
  a.push('--chdir', run.writable);
  return a;
}

/** The environment Blender gets: nothing of ours (a pyenv's PYTHONPATH breaks Debian's Blender; tokens must not leak). */
function cleanEnv(home: string): Record<string, string> {
  return { PATH: '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', TMPDIR: '/tmp' };
}

/** Runs Blender once; rejects with a coded error that says what went wrong in words. */
export async function runBlender<T>(run: BlenderRun): Promise<BlenderRunResult<T>> {
  if (run.signal?.aborted) throw new RayfarmError('BLENDER_CANCELLED', 'The Blender render was cancelled.');
  // Known only to this process and our script: a line the file makes Blender print cannot forge an answer.
  const secret = randomBytes(12).toString('hex');
  const scriptDir = mkdtempSync(join(tmpdir(), 'rayfarm-blender-py-'));
  const script = join(scriptDir, 'rayfarm.py');
  writeFileSync(script, run.script);
  const bwrap = run.sandbox === false ? null : findBwrap();
  // The guards come before the file: Blender reads its arguments in order, and the file is
  // opened where it stands on the command line.
  const blenderArgs = ['-b', '--factory-startup', '--disable-autoexec', '-noaudio', ...(run.blendFile ? [run.blendFile] : []), '--python-exit-code', '3', '--python', script, '--', JSON.stringify(run.config), secret];
  let cmd = run.blender;
  let args = blenderArgs;
  const env = cleanEnv(bwrap ? '/tmp' : run.writable);
  if (bwrap) {
    args = [...bwrapArgs(run, scriptDir), ...Object.entries(env).flatMap(([k, v]) => ['--setenv', k, v]), run.blender, ...blenderArgs];
    cmd = bwrap;
  }
  const prlimit = findPrlimit();
  if (prlimit) {
    args = [`--as=${Math.floor(run.memoryBytes)}`, '--', cmd, ...args];
    cmd = prlimit;
  }
  const started = performance.now();
  const resultMark = `${RESULT_MARK}${secret} `;
  const errorMark = `RAYFARM_ERROR_${secret} `;
  try {
    return await new Promise<BlenderRunResult<T>>((resolve, reject) => {
      const child = spawn(cmd, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], cwd: run.writable });
      const tail: string[] = [];
      let result: string | undefined;
      let stopped: 'timeout' | 'cancel' | undefined;
      const kill = () => {
        // The whole group: bwrap, Blender and anything it started.
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      };
      const timer = setTimeout(() => {
        stopped = 'timeout';
        kill();
      }, run.timeoutMs);
      const onAbort = () => {
        stopped = 'cancel';
        kill();
      };
      run.signal?.addEventListener('abort', onAbort, { once: true });
      const onData = (buf: Buffer, carry: { s: string }) => {
        carry.s += buf.toString('utf8');
        const lines = carry.s.split('\n');
        carry.s = lines.pop() ?? '';
        // A line longer than 1 MiB is not ours: keep the buffer bounded whatever Blender prints.
        if (carry.s.length > 1 << 20) carry.s = '';
        for (const line of lines) {
          if (line.startsWith(resultMark)) result = line.slice(resultMark.length);
          else {
            tail.push(line);
            if (tail.length > 60) tail.shift();
          }
          run.onLine?.(line);
        }
      };
      const out = { s: '' };
      const err = { s: '' };
      child.stdout.on('data', (b: Buffer) => onData(b, out));
      child.stderr.on('data', (b: Buffer) => onData(b, err));
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new RayfarmError('BLENDER_NOT_FOUND', `Blender could not be started (${run.blender}): ${e.message}`, { cause: e }));
      });
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        run.signal?.removeEventListener('abort', onAbort);
        for (const c of [out, err]) if (c.s.startsWith(resultMark)) result = c.s.slice(resultMark.length);
        const log = tail.join('\n');
        const seconds = (performance.now() - started) / 1000;
        if (stopped === 'timeout') return reject(new RayfarmError('BLENDER_TIMEOUT', `Blender ran past its time limit of ${Math.round(run.timeoutMs / 1000)} s and was stopped.`, { details: { timeoutMs: run.timeoutMs } }));
        if (stopped === 'cancel') return reject(new RayfarmError('BLENDER_CANCELLED', 'The Blender render was cancelled.'));
        if (code !== 0 || result === undefined) {
          const why = sig ? `was killed by ${sig}` : `exited with code ${code}`;
          // An address-space limit shows as a failed allocation, a crash or a Python MemoryError.
          const memory = sig === 'SIGSEGV' || sig === 'SIGABRT' || /MemoryError|out of memory|Cannot allocate|bad_alloc|Malloc returns null/i.test(log);
          const hint = memory ? ` It may have run out of its memory limit of ${(run.memoryBytes / 2 ** 30).toFixed(1)} GiB.` : '';
          const scriptError = log.split('\n').find((l) => l.startsWith(errorMark))?.slice(errorMark.length);
          if (scriptError) return reject(new RayfarmError('BLENDER_FAILED', scriptError));
          return reject(new RayfarmError(memory ? 'BLENDER_OUT_OF_MEMORY' : 'BLENDER_FAILED', `Blender ${why}.${hint} Its last lines:\n${log.split('\n').slice(-12).join('\n')}`, { details: { code, signal: sig } }));
        }
        try {
          resolve({ result: JSON.parse(result) as T, sandbox: bwrap ? 'bwrap' : 'none', log, seconds });
        } catch {
          reject(new RayfarmError('BLENDER_FAILED', 'Blender answered with something that is not JSON.'));
        }
      });
    });
  } finally {
    rmSync(scriptDir, { recursive: true, force: true });
  }
}
