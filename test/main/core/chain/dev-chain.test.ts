import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet, parseEther } from 'ethers';
import { afterEach, describe, expect, it } from 'vitest';
import { anvilBinaryPath, startAnvil } from '../../../../main/core/chain/anvil';
import { devAccount, devAddresses } from '../../../../main/core/chain/deploy';
import { devChainPaths, findRunningDevChain, openDevChain, readDeployment, startDevChain } from '../../../../main/core/chain/dev-chain';
import type { DevChain } from '../../../../main/core/chain/dev-chain';
import { openChain } from '../../../../main/core/chain/chain-service';
import { RayfarmError } from '../../../../main/core/errors';
import { waitFor } from '../../../helpers/wait';

const dirs: string[] = [];
const chains: DevChain[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'rayfarm-devchain-'));
  dirs.push(d);
  return d;
}
async function start(dataDir: string): Promise<DevChain> {
  const c = await startDevChain(dataDir, { port: 0 });
  chains.push(c);
  return c;
}
async function code(c: DevChain, address: string): Promise<string> {
  return c.connection.provider.getCode(address);
}

afterEach(async () => {
  for (const c of chains.splice(0)) await c.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('dev chain', () => {
  it('startDevChain: port 0 takes a free port, deploys both contracts and remembers them', async () => {
    const dataDir = tempDir();
    const c = await start(dataDir);
    expect(c.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(c.rpcUrl).port)).toBeGreaterThan(0);
    expect(c.chainId).toBe(31337);
    expect(c.addresses).toEqual(devAddresses());
    expect(await code(c, c.addresses.token)).not.toBe('0x');
    expect(await code(c, c.addresses.escrow)).not.toBe('0x');
    expect(await c.connection.escrow.token()).toBe(c.addresses.token);
    expect(await c.connection.escrow.treasury()).toBe(devAccount(1));
    expect(readDeployment(dataDir)).toMatchObject({ chainId: 31337, token: c.addresses.token, escrow: c.addresses.escrow });
    expect(await findRunningDevChain(dataDir)).toBe(c.rpcUrl);
  });

  it('startDevChain: two chains on two data folders get different ports', async () => {
    const [a, b] = await Promise.all([start(tempDir()), start(tempDir())]);
    expect(a.rpcUrl).not.toBe(b.rpcUrl);
  });

  it('startDevChain: refuses a second chain on the same folder; openDevChain attaches instead', async () => {
    const dataDir = tempDir();
    const c = await start(dataDir);
    await expect(startDevChain(dataDir)).rejects.toMatchObject({ code: 'CHAIN_ALREADY_RUNNING' });
    const attached = await openDevChain(dataDir);
    expect(attached.rpcUrl).toBe(c.rpcUrl);
    expect(attached.anvil).toBeUndefined();
    await attached.stop(); // leaves the owner's chain running
    expect(await c.connection.provider.getBlockNumber()).toBeGreaterThanOrEqual(0);
  });

  it('stop: dumps the state, so a restart keeps balances and contracts without redeploying', async () => {
    const dataDir = tempDir();
    const who = Wallet.createRandom().address;
    const first = await start(dataDir);
    const signer = await first.connection.provider.getSigner(devAccount(0));
    await first.connection.token.connect(signer).faucet(who, parseEther('42'));
    const block = await first.connection.provider.getBlockNumber();
    await first.stop();
    expect(existsSync(devChainPaths(dataDir).running)).toBe(false);
    expect(await findRunningDevChain(dataDir)).toBeUndefined();

    const second = await start(dataDir);
    expect(await second.connection.token.balanceOf(who)).toBe(parseEther('42'));
    expect(await second.connection.provider.getBlockNumber()).toBe(block);
    expect(second.addresses).toEqual(first.addresses);
  });

  it('state interval: a kill -9 after a dump loses nothing that was dumped', async () => {
    const dataDir = tempDir();
    const who = Wallet.createRandom().address;
    const c = await startDevChain(dataDir, { stateInterval: 1 });
    const signer = await c.connection.provider.getSigner(devAccount(0));
    await c.connection.token.connect(signer).faucet(who, 7n);
    const state = devChainPaths(dataDir).state;
    const after = Date.now();
    await waitFor(() => existsSync(state) && statSync(state).mtimeMs > after && readFileSync(state, 'utf8').includes(who.slice(2).toLowerCase()), 10_000, 'a state dump');
    process.kill(c.anvil!.pid, 'SIGKILL');
    await c.anvil!.exited;
    c.connection.close();

    const again = await start(dataDir); // the stale running.json (dead pid) is ignored
    expect(await again.connection.token.balanceOf(who)).toBe(7n);
  });

  it('ensureDevContracts: redeploys when the code is gone (state wiped), at the same addresses', async () => {
    const dataDir = tempDir();
    const first = await start(dataDir);
    const addresses = first.addresses;
    await first.stop();
    rmSync(devChainPaths(dataDir).state);
    const second = await start(dataDir);
    expect(second.addresses).toEqual(addresses);
    expect(await code(second, addresses.escrow)).not.toBe('0x');
  });

  it('startDevChain: a damaged state file is a clear CHAIN_START_FAILED', async () => {
    const dataDir = tempDir();
    const { state } = devChainPaths(dataDir);
    const first = await start(dataDir);
    await first.stop();
    writeFileSync(state, '{"block": tru');
    const err = await startDevChain(dataDir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RayfarmError);
    expect(err).toMatchObject({ code: 'CHAIN_START_FAILED' });
    expect((err as Error).message).toContain('move it aside');
  });

  it('openChain: with no network configured runs the dev chain; stop ends it', async () => {
    const dataDir = tempDir();
    const opened = await openChain({ dataDir, network: null });
    expect(opened.devChain).toBeDefined();
    expect(opened.connection.isDevChain).toBe(true);
    const pid = opened.devChain!.anvil!.pid;
    await opened.stop();
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('startAnvil: stop() waits for the exit (SIGTERM, then SIGKILL if it hangs)', async () => {
    const a = await startAnvil({});
    await a.stop();
    expect(await a.exited).not.toBeUndefined();
    await a.stop(); // twice is fine
  });

  it('anvilBinaryPath: resolves this platform\'s package, and says so for an unsupported one', () => {
    expect(existsSync(anvilBinaryPath())).toBe(true);
    expect(() => anvilBinaryPath('aix', 'ppc64')).toThrow(expect.objectContaining({ code: 'CHAIN_UNSUPPORTED_PLATFORM' }));
  });
});
