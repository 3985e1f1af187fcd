import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from './net-helpers';

/** A `rayfarm …` child process with its output collected. */
export interface Proc {
  proc: ChildProcess;
  out: string[];
  err: () => string;
  exited: Promise<number | null>;
  /** Resolves with the first stdout line matching, or rejects at the deadline or exit. */
  line(re: RegExp, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `node bin/rayfarm.mjs ARGS`, after `prefix` when given (e.g. `ip netns exec NS`). */
export function rayfarm(args: string[], prefix: string[] = []): Proc {
  const [cmd, ...pre] = [...prefix, process.execPath];
  const proc = spawn(cmd!, [...pre, join(ROOT, 'bin/rayfarm.mjs'), ...args], { cwd: ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  let err = '';
  const waiters = new Set<() => void>();
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    out.push(l);
    for (const w of waiters) w();
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  void exited.then(() => {
    for (const w of waiters) w();
  });
  return {
    proc,
    out,
    err: () => err,
    exited,
    line(re, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = out.find((l) => re.test(l));
          if (hit !== undefined) {
            done();
            resolve(hit);
          } else if (proc.exitCode !== null || proc.signalCode !== null) {
            done();
            reject(new Error(`rayfarm ${args[0]} exited (${proc.exitCode ?? proc.signalCode}) before printing ${re}:\n${err.slice(-3000)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`rayfarm ${args[0]} did not print ${re} in ${timeoutMs} ms:\n${err.slice(-3000)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async kill(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
  };
}
