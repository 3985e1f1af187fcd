import { Wallet, parseEther } from 'ethers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { renderTokenAbi, renderTokenBytecode } from '../../contracts/generated';
import { TokenClient } from '../../main/core/chain/contracts';
import { deploy, expectRevert, startTestChain } from './fixture';
import type { TestChain } from './fixture';

let chain: TestChain;
let deployer: Wallet, alice: Wallet, bob: Wallet;
let token: string;
let snap: string;

beforeAll(async () => {
  chain = await startTestChain();
  [deployer, alice, bob] = chain.accounts as [Wallet, Wallet, Wallet];
  token = await deploy(deployer, renderTokenAbi, renderTokenBytecode);
});
afterAll(async () => {
  await chain?.stop();
});
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

describe('RenderToken', () => {
  it('metadata: name, symbol, 18 decimals, no supply until the faucet runs', async () => {
    const t = new TokenClient(token, alice);
    expect(await t.symbol()).toBe('RFT');
    expect(await t.decimals()).toBe(18);
    expect(await t.contract.getFunction('totalSupply')()).toBe(0n);
  });

  it('faucet: mints on the dev chain and emits FaucetDripped', async () => {
    const r = await new TokenClient(token, alice).faucet(bob.address, parseEther('10000'));
    expect(await new TokenClient(token, alice).balanceOf(bob.address)).toBe(parseEther('10000'));
    const names = r.receipt.logs.map((l) => new TokenClient(token, alice).contract.interface.parseLog(l)?.name);
    expect(names).toEqual(['Transfer', 'FaucetDripped']);
  });

  it('faucet: rejects more than the limit in one call', async () => {
    await expectRevert(new TokenClient(token, alice).faucet(bob.address, parseEther('10000') + 1n), 'TokenFaucetLimit');
  });

  it('faucet: does not work on any other chain', async () => {
    await chain.provider.send('anvil_setChainId', [1]);
    try {
      // The provider pins chain id 31337; sign against the chain's real id with a fresh signer.
      const data = new TokenClient(token, alice).contract.interface.encodeFunctionData('faucet', [bob.address, 1n]);
      const err = await chain.provider.call({ to: token, data }).catch((e: { data?: string }) => e);
      const parsed = new TokenClient(token, alice).contract.interface.parseError((err as { data: string }).data);
      expect(parsed?.name).toBe('TokenFaucetUnavailable');
      expect(parsed?.args[0]).toBe(1n);
    } finally {
      await chain.provider.send('anvil_setChainId', [31337]);
    }
  });

  it('permit: an ERC-2612 signature sets the allowance', async () => {
    const t = new TokenClient(token, alice);
    const p = await t.signPermit(alice, bob.address, 1234n, 2n ** 40n);
    await (await t.contract.getFunction('permit')(alice.address, bob.address, 1234n, p.deadline, p.v, p.r, p.s)).wait();
    expect(await t.allowance(alice.address, bob.address)).toBe(1234n);
  });

  it('transfer: rejects moving more than the balance', async () => {
    await expectRevert(new TokenClient(token, alice).transfer(bob.address, 1n), 'ERC20InsufficientBalance');
  });
});
