/**
 * Public mode through the real command line, shared by the paid CLI tests: `rayfarm` child
 * processes with their output collected line by line, data folders holding a dev account's
 * wallet, and an operator node started against one anvil with the dev contracts.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevContracts } from '../../main/core/chain/deploy';
import { TokenClient } from '../../main/core/chain/contracts';
import { openStore } from '../../main/core/store';
import { WalletService } from '../../main/core/wallet';
import { startTestChain } from '../contracts/fixture';
import type { TestChain } from '../contracts/fixture';
import { ROOT, waitFor } from './net-helpers';

/** The password of every wallet these tests import (the processes read RAYFARM_PASSWORD). */
export const PASSWORD = 'correct horse battery';
/** The escrow's grace period, seconds. */
export const GRACE = 60;

/** A `rayfarm` child process and the lines it printed so far. */
export interface Proc {
  child: ChildProcess;
  out: string[];
  err: string[];
  exited: Promise<number | null>;
}

/** The chain and dev contracts a paid CLI test runs against. */
export interface PaidChain {
  chain: TestChain;
  token: string;
  escrow: string;
}

/** Starts anvil with the dev contracts (grace GRACE) and gives each of `accounts` 1,000 tokens. */
export async function startPaidChain(accounts: number[]): Promise<PaidChain> {
  const chain = await startTestChain();
  const dev = await ensureDevContracts(chain.provider, GRACE);
  for (const i of accounts) await new TokenClient(dev.token, chain.accounts[0]!).faucet(chain.accounts[i]!.address, 10n ** 21n);
  return { chain, token: dev.token, escrow: dev.escrow };
}

/** Collects a stream's output as whole lines. */
function collectLines(stream: NodeJS.ReadableStream, into: string[]): void {
  let partial = '';
  stream.on('data', (d: Buffer) => {
    partial += d.toString();
    const lines = partial.split('\n');
    partial = lines.pop()!;
    into.push(...lines);
  });
}

/** The process helpers of one test file; `paid()` is read when a helper runs (after beforeAll). */
export function paidProcs(paid: () => PaidChain) {
  const procs: ChildProcess[] = [];
  const rayfarm = (args: string[]): Proc => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'rayfarm.mjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, RAYFARM_PASSWORD: PASSWORD, RAYFARM_MDNS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    procs.push(child);
    const out: string[] = [];
    const err: string[] = [];
    collectLines(child.stdout!, out);
    collectLines(child.stderr!, err);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, out, err, exited };
  };
  const chainArgs = () => ['--chain', paid().chain.anvil.rpcUrl, '--token', paid().token, '--escrow', paid().escrow, '--no-mdns'];
  return {
    rayfarm,
    chainArgs,
    /** A data folder with the wallet of dev account `i` imported. */
    async walletDir(i: number): Promise<string> {
      const dir = mkdtempSync(join(tmpdir(), 'rf-cli-pay-'));
      const store = openStore(dir);
      const w = new WalletService({ dataDir: dir, chain: null, db: store.db, scryptN: 1024 });
      await w.import('privateKey', paid().chain.accounts[i]!.privateKey, PASSWORD);
      w.dispose();
      store.close();
      return dir;
    },
    /** `rayfarm node --chain` on loopback, once it printed its addresses. */
    async startOperator(dir: string, bootstrap: string[] = []): Promise<{ p: Proc; addr: string }> {
      const p = rayfarm(['node', '--data-dir', dir, ...chainArgs(), '--listen', '/ip4/127.0.0.1/tcp/0', '--json', '--redeem-threshold', '1000', ...bootstrap.flatMap((b) => ['--bootstrap', b])]);
      const line = await waitFor(() => p.out.find((l) => l.startsWith('{"peerId"')), 60_000, `the node to start: ${p.err.join('\n')}`);
      return { p, addr: (JSON.parse(line) as { listenAddrs: string[] }).listenAddrs[0]! };
    },
    /** Kills whatever the test left running. */
    killAll(): void {
      for (const p of procs.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    },
  };
}
