import { AbiCoder, HDNodeWallet, concat, getCreate2Address, id, keccak256 } from 'ethers';
import type { JsonRpcProvider } from 'ethers';
import { jobEscrowBytecode, renderTokenBytecode } from '../../../contracts/generated';
import { RayfarmError } from '../errors';
import { DEV_MNEMONIC } from './anvil';
import { sendTx } from './tx';

/**
 * The deterministic CREATE2 deployer (Arachnid's), which anvil puts in every fresh chain. Its
 * runtime code is here so it can be restored on a chain started without it.
 */
export const CREATE2_DEPLOYER = '0x4e59b44847b379578588920ca78fbf26c0b4956c';
const CREATE2_DEPLOYER_CODE =
  '0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3';

/** Salt of every Rayfarm dev deployment; bump it to move all dev addresses at once. */
export const DEV_SALT = id('rayfarm.dev.v1');

/** Seconds between requestClose and close on the dev chain. */
export const DEV_GRACE_PERIOD = 3600;

/** Address of dev account `index` of DEV_MNEMONIC (anvil unlocks these for eth_sendTransaction). */
export function devAccount(index: number): string {
  // Deriving from a phrase runs PBKDF2; the answer never changes, so derive once.
  let address = devAccountCache.get(index);
  if (!address) {
    address = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).address;
    devAccountCache.set(index, address);
  }
  return address;
}
const devAccountCache = new Map<number, string>();

/** Addresses of the contracts on a dev chain. */
export interface DevAddresses {
  token: string;
  escrow: string;
  treasury: string;
  /** Dev account that sends deployments and faucet drips. */
  deployer: string;
}

function initCodes(treasury: string, gracePeriod: number): { token: string; escrow: string; tokenAddress: string } {
  const tokenAddress = getCreate2Address(CREATE2_DEPLOYER, DEV_SALT, keccak256(renderTokenBytecode));
  const args = AbiCoder.defaultAbiCoder().encode(['address', 'address', 'uint64'], [tokenAddress, treasury, gracePeriod]);
  return { token: renderTokenBytecode, escrow: concat([jobEscrowBytecode, args]), tokenAddress };
}

/**
 * Where the dev contracts live on any dev chain: CREATE2 addresses depend only on the code,
 * so every machine on a LAN devnet (and every restart) computes the same ones.
 */
export function devAddresses(gracePeriod = DEV_GRACE_PERIOD): DevAddresses {
  const treasury = devAccount(1);
  const codes = initCodes(treasury, gracePeriod);
  return {
    token: codes.tokenAddress,
    escrow: getCreate2Address(CREATE2_DEPLOYER, DEV_SALT, keccak256(codes.escrow)),
    treasury,
    deployer: devAccount(0),
  };
}

async function hasCode(provider: JsonRpcProvider, address: string): Promise<boolean> {
  return (await provider.getCode(address)) !== '0x';
}

/**
 * Deploys RenderToken and JobEscrow on a dev chain unless their code is already at the
 * expected addresses (a restarted chain keeps them; a wiped or new one gets them again).
 * Returns the addresses and whether anything was deployed.
 */
export async function ensureDevContracts(provider: JsonRpcProvider, gracePeriod = DEV_GRACE_PERIOD): Promise<DevAddresses & { deployed: boolean }> {
  const addresses = devAddresses(gracePeriod);
  const codes = initCodes(addresses.treasury, gracePeriod);
  if (!(await hasCode(provider, CREATE2_DEPLOYER))) {
    await provider.send('anvil_setCode', [CREATE2_DEPLOYER, CREATE2_DEPLOYER_CODE]);
  }
  const signer = await provider.getSigner(addresses.deployer);
  let deployed = false;
  for (const [address, code] of [
    [addresses.token, codes.token],
    [addresses.escrow, codes.escrow],
  ] as const) {
    if (await hasCode(provider, address)) continue;
    await sendTx(provider, () => signer.sendTransaction({ to: CREATE2_DEPLOYER, data: concat([DEV_SALT, code]) }));
    if (!(await hasCode(provider, address))) {
      throw new RayfarmError('CHAIN_DEPLOY_FAILED', `Deploying a dev contract did not leave code at ${address}.`);
    }
    deployed = true;
  }
  return { ...addresses, deployed };
}
