import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RayfarmError } from '../errors';

/** Chain id of the embedded dev chain (anvil's default, and RenderToken's faucet check). */
export const DEV_CHAIN_ID = 31337;

/**
 * The dev chain's mnemonic: anvil's well-known default, so its accounts (and their keys) are
 * the same on every machine. Nothing of value may ever be held by them.
 */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

/** Options for one anvil process. */
export interface AnvilOptions {
  /** State file: loaded on start when it exists, written on exit and every `stateInterval` s. */
  statePath?: string;
  /** TCP port; 0 (the default) lets anvil take a free one. */
  port?: number;
  /** Interface to listen on; 127.0.0.1 unless a LAN devnet asks for more. */
  host?: string;
  /** Seconds between state dumps, so a kill -9 loses little. Default 5. */
  stateInterval?: number;
  /** How long to wait for "Listening on"; default 30 s. */
  startTimeoutMs?: number;
  /** Progress lines (never anvil's banner, which lists the dev keys). */
  log?: (line: string) => void;
}

/** A running anvil. */
export interface AnvilProcess {
  readonly rpcUrl: string;
  readonly port: number;
  readonly pid: number;
  /** Resolves with the exit code (or signal name) when the process ends, for whatever reason. */
  readonly exited: Promise<number | string | null>;
  /** SIGTERM, wait for the state dump, SIGKILL if it hangs. Safe to call twice. */
  stop(timeoutMs?: number): Promise<void>;
}

const PLATFORM_PACKAGES: Record<string, string> = {
  'linux-x64': '@foundry-rs/anvil-linux-amd64',
  'linux-arm64': '@foundry-rs/anvil-linux-arm64',
  'darwin-x64': '@foundry-rs/anvil-darwin-amd64',
  'darwin-arm64': '@foundry-rs/anvil-darwin-arm64',
  'win32-x64': '@foundry-rs/anvil-win32-amd64',
};

/** Path of the anvil binary shipped in this platform's @foundry-rs package. */
export function anvilBinaryPath(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const pkg = PLATFORM_PACKAGES[`${platform}-${arch}`];
  if (!pkg) {
    throw new RayfarmError('CHAIN_UNSUPPORTED_PLATFORM', `The embedded dev chain has no anvil build for ${platform}/${arch}. Configure a network instead.`);
  }
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve(`${pkg}/package.json`));
  } catch (err) {
    throw new RayfarmError('CHAIN_NO_ANVIL', `The package ${pkg} is not installed (run npm ci).`, { cause: err });
  }
  const bin = join(pkgDir, 'bin', platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!existsSync(bin)) throw new RayfarmError('CHAIN_NO_ANVIL', `The anvil binary is missing at ${bin} (run npm ci).`);
  return bin;
}

/** Starts anvil on 127.0.0.1 with the dev chain id and mnemonic; resolves once it listens. */
export function startAnvil(options: AnvilOptions = {}): Promise<AnvilProcess> {
  const host = options.host ?? '127.0.0.1';
  const args = [
    '--host', host,
    '--port', String(options.port ?? 0),
    '--chain-id', String(DEV_CHAIN_ID),
    '--mnemonic', DEV_MNEMONIC,
    '--accounts', '10',
    '--balance', '10000',
  ];
  if (options.statePath) {
    mkdirSync(dirname(options.statePath), { recursive: true });
    args.push('--state', options.statePath, '--state-interval', String(options.stateInterval ?? 5));
  }
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  const exited = new Promise<number | string | null>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal));
    child.once('error', () => resolve(null));
  });
  return new Promise<AnvilProcess>((resolve, reject) => {
    let out = '';
    let errTail = '';
    let settled = false;
    const timer = setTimeout(() => fail(`anvil did not start listening within ${(options.startTimeoutMs ?? 30_000) / 1000} s`), options.startTimeoutMs ?? 30_000);
    function fail(why: string): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      const stateHint = options.statePath && existsSync(options.statePath) ? ` If the state file ${options.statePath} is damaged, move it aside.` : '';
      reject(new RayfarmError('CHAIN_START_FAILED', `The dev chain did not start: ${why}${errTail ? ` (${errTail.trim().slice(-300)})` : ''}.${stateHint}`));
    }
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`anvil exited early (${code ?? signal})`));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      errTail = (errTail + chunk).slice(-2000);
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (settled) return; // keep draining so the pipe never blocks anvil, but hold nothing
      out = (out + chunk).slice(-4096);
      const m = /Listening on ([^\s:]+|\[[^\]]+\]):(\d+)/.exec(out);
      if (!m) return;
      settled = true;
      clearTimeout(timer);
      out = '';
      const port = Number(m[2]);
      const rpcHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      options.log?.(`dev chain: anvil (pid ${child.pid}) listening on ${host}:${port}`);
      resolve(makeHandle(child, `http://${rpcHost}:${port}`, port, exited));
    });
  });
}

function makeHandle(child: ChildProcess, rpcUrl: string, port: number, exited: Promise<number | string | null>): AnvilProcess {
  let stopping: Promise<void> | undefined;
  // If this process exits without stop() (a crash, process.exit), still ask anvil to dump its
  // state and go, rather than leave an orphan holding the port and the state file.
  const onExit = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', onExit);
  void exited.then(() => process.off('exit', onExit));
  return {
    rpcUrl,
    port,
    pid: child.pid!,
    exited,
    stop(timeoutMs = 15_000) {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        // SIGTERM makes anvil dump its state before exiting; only a hang earns a SIGKILL.
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const killed = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, timeoutMs);
        });
        await Promise.race([exited, killed]);
        clearTimeout(timer);
        await exited;
      })();
      return stopping;
    },
  };
}
