import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobEscrowAbi, jobEscrowBytecode, renderTokenAbi, renderTokenBytecode } from '../../../../contracts/generated';
import { CHAIN_PRESETS } from '../../../../shared/api/chain';
import { chainHandlers } from '../../../../main/core/api/chain-handlers';
import { checkNetworkPreset } from '../../../../main/cli/commands/paid';
import { readChainChoice, resolveChainChoice, writeChainChoice } from '../../../../main/core/chain/presets';
import { SettingsKeys } from '../../../../main/core/settings-keys';
import { openStore } from '../../../../main/core/store';
import type { Store } from '../../../../main/core/store';
import { deploy, startTestChain } from '../../../contracts/fixture';
import type { TestChain } from '../../../contracts/fixture';

let chain: TestChain;
let token: string;
let escrow: string;
let store: Store;

beforeAll(async () => {
  chain = await startTestChain();
  const d = chain.accounts[0]!;
  token = await deploy(d, renderTokenAbi, renderTokenBytecode);
  escrow = await deploy(d, jobEscrowAbi, jobEscrowBytecode, token, chain.accounts[1]!.address, 60);
  store = openStore(mkdtempSync(join(tmpdir(), 'rf-presets-')));
});
afterAll(async () => {
  store?.close();
  await chain?.stop();
});

describe('chain presets', () => {
  it('every public preset is a real chain with no made-up addresses, and is marked not deployed', () => {
    for (const p of CHAIN_PRESETS.filter((p) => p.id !== 'dev' && p.id !== 'custom')) {
      expect(p.deployed).toBe(false);
      expect(p.token).toBeNull();
      expect(p.escrow).toBeNull();
      expect(p.chainId).toBeGreaterThan(0);
    }
  });

  it('resolveChainChoice: dev is the embedded chain, custom its values, a preset without contracts is refused in words', () => {
    expect(resolveChainChoice({ preset: 'dev' })).toBeNull();
    const network = { rpcUrl: 'http://127.0.0.1:8545', chainId: 5, token: '0x' + '1'.repeat(40), escrow: '0x' + '2'.repeat(40) };
    expect(resolveChainChoice({ preset: 'custom', network })).toEqual(network);
    expect(() => resolveChainChoice({ preset: 'base-sepolia' })).toThrow(expect.objectContaining({ code: 'CHAIN_NOT_DEPLOYED', message: expect.stringContaining('not deployed on Base Sepolia') }));
    expect(() => resolveChainChoice({ preset: 'base' })).toThrow(expect.objectContaining({ code: 'CHAIN_NOT_DEPLOYED' }));
  });

  it('settings: nothing saved is dev; a network saved alone (older versions) is custom; a choice round-trips', () => {
    expect(readChainChoice(store.settings)).toEqual({ preset: 'dev' });
    store.settings.set(SettingsKeys.chainNetwork, { rpcUrl: chain.anvil.rpcUrl, chainId: 31337, token, escrow });
    expect(readChainChoice(store.settings)).toMatchObject({ preset: 'custom', network: { chainId: 31337, token } });
    writeChainChoice(store.settings, { preset: 'dev' });
    expect(readChainChoice(store.settings)).toEqual({ preset: 'dev' });
  });

  it('chain.settings.set: refuses a wrong chain id, a missing contract and an undeployed preset, and saves nothing then', async () => {
    const h = chainHandlers({ settings: store.settings, startedWith: { preset: 'dev' } });
    const ctx = {} as never;
    const custom = (o: Partial<{ chainId: number; token: string }>) => ({ preset: 'custom' as const, network: { rpcUrl: chain.anvil.rpcUrl, chainId: 31337, token, escrow, ...o } });
    await expect(h['chain.settings.set'](custom({ chainId: 8453 }), ctx)).rejects.toMatchObject({ code: 'CHAIN_WRONG_ID', message: expect.stringContaining('is chain 31337, but the settings say chain 8453') });
    await expect(h['chain.settings.set'](custom({ token: '0x' + '3'.repeat(40) }), ctx)).rejects.toMatchObject({ code: 'CHAIN_NO_CONTRACT', message: expect.stringContaining('no token contract') });
    await expect(h['chain.settings.set']({ preset: 'base' }, ctx)).rejects.toMatchObject({ code: 'CHAIN_NOT_DEPLOYED' });
    expect(readChainChoice(store.settings)).toEqual({ preset: 'dev' });
    const ok = await h['chain.settings.set'](custom({}), ctx);
    expect(ok.choice).toMatchObject({ preset: 'custom', network: { escrow } });
    expect(ok.restartNeeded).toBe(true);
    expect((await h['chain.settings.get'](undefined, ctx)).choice.preset).toBe('custom');
  });

  it('the CLI: --network refuses an undeployed preset in the same words, and an unknown name', () => {
    const args = (o: Record<string, string>) => ({ positionals: [], str: (n: string) => o[n], strs: () => [], bool: () => false });
    expect(() => checkNetworkPreset(args({ network: 'base', chain: 'http://127.0.0.1:8545' }))).toThrow(expect.objectContaining({ code: 'CHAIN_NOT_DEPLOYED', message: expect.stringContaining('not deployed on Base (chain 8453)') }));
    expect(() => checkNetworkPreset(args({ network: 'mainnet' }))).toThrow(expect.objectContaining({ code: 'CLI_BAD_ARGS', message: expect.stringContaining('--network takes dev, base-sepolia, base or custom') }));
    expect(() => checkNetworkPreset(args({ network: 'dev' }))).toThrow(expect.objectContaining({ code: 'CLI_BAD_ARGS', message: expect.stringContaining('needs --chain URL') }));
    expect(() => checkNetworkPreset(args({ network: 'dev', chain: 'http://127.0.0.1:8545' }))).not.toThrow();
  });
});
