import { ContractFactory, HDNodeWallet, Wallet } from 'ethers';
import type { InterfaceAbi, JsonRpcProvider } from 'ethers';
import { expect } from 'vitest';
import { DEV_MNEMONIC, startAnvil } from '../../main/core/chain/anvil';
import type { AnvilProcess } from '../../main/core/chain/anvil';
import { makeProvider } from '../../main/core/chain/network';
import { RayfarmError } from '../../main/core/errors';

/** One anvil for one test file (port 0: a free port), with its dev accounts as local wallets. */
export interface TestChain {
  anvil: AnvilProcess;
  provider: JsonRpcProvider;
  /** Dev accounts 0..9 (10 000 ETH each), connected to the provider. */
  accounts: Wallet[];
  stop(): Promise<void>;
  snapshot(): Promise<string>;
  revert(id: string): Promise<void>;
  increaseTime(seconds: number): Promise<void>;
}

/** Starts a throwaway anvil (no state file). */
export async function startTestChain(): Promise<TestChain> {
  const anvil = await startAnvil({});
  const provider = makeProvider(anvil.rpcUrl, 31337);
  const root = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0");
  const accounts = Array.from({ length: 10 }, (_, i) => new Wallet(root.deriveChild(i).privateKey, provider));
  return {
    anvil,
    provider,
    accounts,
    async stop() {
      provider.destroy();
      await anvil.stop();
    },
    snapshot: () => provider.send('evm_snapshot', []) as Promise<string>,
    async revert(id) {
      const ok = (await provider.send('evm_revert', [id])) as boolean;
      if (!ok) throw new Error(`evm_revert ${id} failed`);
    },
    async increaseTime(seconds) {
      await provider.send('evm_increaseTime', [seconds]);
      await provider.send('evm_mine', []);
    },
  };
}

/** Deploys a contract from generated ABI + bytecode; returns its address. */
export async function deploy(signer: Wallet, abi: InterfaceAbi, bytecode: string, ...args: unknown[]): Promise<string> {
  const factory = new ContractFactory(abi, bytecode, signer);
  const contract = await factory.deploy(...args);
  await contract.waitForDeployment();
  return contract.getAddress();
}

/** Asserts that `promise` fails with TX_REVERTED carrying the custom error `name`. */
export async function expectRevert(promise: Promise<unknown>, name: string): Promise<RayfarmError> {
  let error: unknown;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  expect(error, `expected a revert with ${name}`).toBeInstanceOf(RayfarmError);
  const e = error as RayfarmError;
  expect({ code: e.code, errorName: e.details?.errorName }).toEqual({ code: 'TX_REVERTED', errorName: name });
  return e;
}
