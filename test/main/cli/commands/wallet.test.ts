import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Wallet, parseEther } from 'ethers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { devnetCommand } from '../../../../main/cli/commands/devnet';
import { walletCommand } from '../../../../main/cli/commands/wallet';
import { startDevChain } from '../../../../main/core/chain/dev-chain';
import type { DevChain } from '../../../../main/core/chain/dev-chain';

let chainDir: string;
let chain: DevChain;
let dataDir: string;
let passwordFile: string;

/** Runs the command in-process; returns its exit code and what it printed. */
async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    lines.push(a.join(' '));
  });
  try {
    return { code: await walletCommand(argv), out: lines.join('\n') };
  } finally {
    spy.mockRestore();
  }
}
function common(): string[] {
  return ['--data-dir', dataDir, '--password-file', passwordFile, '--chain', chain.rpcUrl];
}

beforeAll(async () => {
  chainDir = mkdtempSync(join(tmpdir(), 'rayfarm-cli-chain-'));
  chain = await startDevChain(chainDir);
});
afterAll(async () => {
  await chain?.stop();
  rmSync(chainDir, { recursive: true, force: true });
});
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'rayfarm-cli-'));
  passwordFile = join(dataDir, 'pw.txt');
  writeFileSync(passwordFile, 'cli password 1\n');
});
afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

describe('rayfarm wallet', () => {
  it('create, address, faucet, balance --json and send work without prompts', async () => {
    const created = await run(['create', '--json', ...common()]);
    expect(created.code).toBe(0);
    const { address, mnemonic } = JSON.parse(created.out) as { address: string; mnemonic: string };
    expect(mnemonic.split(' ')).toHaveLength(12);
    expect((await run(['address', '--data-dir', dataDir])).out).toBe(address);
    expect((await run(['faucet', '--json', ...common()])).code).toBe(0);
    const to = Wallet.createRandom().address;
    const sent = await run(['send', to, '1.5', '--json', ...common()]);
    expect(JSON.parse(sent.out)).toMatchObject({ to, amount: parseEther('1.5').toString() });
    const raw = await run(['send', to, '500', '--raw', '--json', ...common()]);
    expect(JSON.parse(raw.out)).toMatchObject({ amount: '500' });
    const balance = JSON.parse((await run(['balance', '--json', ...common()])).out) as Record<string, string>;
    expect(balance).toEqual({ address, native: expect.stringMatching(/^\d+$/), token: (parseEther('998.5') - 500n).toString() });
    const history = JSON.parse((await run(['history', '--json', ...common()])).out) as { kind: string }[];
    expect(history.map((h) => h.kind)).toEqual(['sent', 'sent', 'received']);
  });

  it('import reads the secret from a file', async () => {
    const source = Wallet.createRandom();
    const file = join(dataDir, 'key.txt');
    writeFileSync(file, `${source.privateKey}\n`);
    const r = await run(['import', 'private-key', '--file', file, '--json', '--data-dir', dataDir, '--password-file', passwordFile]);
    expect(JSON.parse(r.out)).toEqual({ address: source.address });
  });

  it('errors carry their codes: wrong password, no password, bad arguments', async () => {
    await run(['create', ...common()]);
    writeFileSync(passwordFile, 'not the password');
    await expect(run(['send', Wallet.createRandom().address, '1', ...common()])).rejects.toMatchObject({ code: 'WALLET_WRONG_PASSWORD' });
    const env = process.env.RAYFARM_PASSWORD;
    delete process.env.RAYFARM_PASSWORD;
    try {
      // vitest's stdin is not a terminal, so nothing can be asked
      await expect(run(['send', Wallet.createRandom().address, '1', '--data-dir', dataDir, '--chain', chain.rpcUrl])).rejects.toMatchObject({ code: 'CLI_PASSWORD_REQUIRED' });
    } finally {
      if (env !== undefined) process.env.RAYFARM_PASSWORD = env;
    }
    await expect(run(['frobnicate', '--data-dir', dataDir])).rejects.toMatchObject({ code: 'CLI_BAD_ARGS' });
    await expect(run(['import', 'seed', '--data-dir', dataDir])).rejects.toMatchObject({ code: 'CLI_BAD_ARGS' });
    await expect(run(['balance', '--chain', 'http://127.0.0.1:1', '--data-dir', dataDir])).rejects.toMatchObject({ code: 'CHAIN_UNREACHABLE' });
  });

  it('without --chain it starts the data folder\'s own dev chain for the command and stops it', async () => {
    await run(['create', '--data-dir', dataDir, '--password-file', passwordFile]);
    expect((await run(['faucet', '--data-dir', dataDir])).code).toBe(0);
    const b = JSON.parse((await run(['balance', '--json', '--data-dir', dataDir])).out) as { token: string };
    expect(b.token).toBe(parseEther('1000').toString()); // the state file kept the faucet's drip
    expect(existsSync(join(dataDir, 'chain', 'state.json'))).toBe(true);
    expect(existsSync(join(dataDir, 'chain', 'running.json'))).toBe(false);
  });
});

describe('rayfarm devnet', () => {
  it('prints the RPC URL and addresses, serves wallets, and stops on SIGTERM with its state saved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rayfarm-devnet-'));
    try {
      const child = spawn(process.execPath, ['bin/rayfarm.mjs', 'devnet', '--port', '0', '--host', '127.0.0.1', '--json', '--data-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', () => reject(new Error('devnet exited early')));
      });
      const info = JSON.parse(first) as { rpcUrl: string; chainId: number; token: string; escrow: string };
      expect(info).toMatchObject({ chainId: 31337, token: chain.addresses.token, escrow: chain.addresses.escrow });
      expect(info.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await run(['create', '--data-dir', dataDir, '--password-file', passwordFile]);
      expect((await run(['faucet', '--data-dir', dataDir, '--chain', info.rpcUrl])).code).toBe(0);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(existsSync(join(dir, 'chain', 'state.json'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--help prints the usage', async () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await devnetCommand(['--help'])).toBe(0);
      expect(String(spy.mock.calls[0]?.[0])).toContain('rayfarm devnet');
    } finally {
      spy.mockRestore();
    }
  });
});
