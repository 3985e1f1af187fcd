import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HDNodeWallet, Mnemonic, Wallet, decryptKeystoreJson, encryptKeystoreJson, getAddress, isKeystoreJson } from 'ethers';
import type { KeystoreAccount } from 'ethers';
import { writeFileAtomic } from '../store/atomic-write';
import { RayfarmError } from '../errors';

/** scrypt cost of new keystores (ethers' and geth's default: N = 2^17). Tests pass a lower one. */
export const DEFAULT_SCRYPT_N = 1 << 17;

/** The unlocked key: a plain or HD wallet. */
export type WalletKey = Wallet | HDNodeWallet;

/** Where the encrypted key lives in a data folder. */
export function keystorePath(dataDir: string): string {
  return join(dataDir, 'wallet', 'keystore.json');
}

/** Encrypts a key into an ethers/geth-compatible scrypt JSON keystore (mnemonic included if any). */
export async function encryptKey(key: WalletKey, password: string, scryptN = DEFAULT_SCRYPT_N): Promise<string> {
  const account: KeystoreAccount = { address: key.address, privateKey: key.privateKey };
  if (key instanceof HDNodeWallet && key.mnemonic) {
    account.mnemonic = { entropy: key.mnemonic.entropy, path: key.path ?? undefined, locale: 'en' };
  }
  return encryptKeystoreJson(account, password, { scrypt: { N: scryptN } });
}

/**
 * Decrypts a keystore. A wrong password is WALLET_WRONG_PASSWORD; anything that is not a
 * readable keystore is WALLET_CORRUPT_KEYSTORE (never confused with a wrong password).
 */
export async function decryptKey(json: string, password: string): Promise<WalletKey> {
  if (!isKeystoreJson(json)) {
    throw new RayfarmError('WALLET_CORRUPT_KEYSTORE', 'The wallet keystore is damaged or not a keystore file.');
  }
  let account: KeystoreAccount;
  try {
    account = await decryptKeystoreJson(json, password);
  } catch (err) {
    const msg = (err as Error).message ?? '';
    if (/incorrect password/i.test(msg)) throw new RayfarmError('WALLET_WRONG_PASSWORD', 'Wrong wallet password.');
    throw new RayfarmError('WALLET_CORRUPT_KEYSTORE', 'The wallet keystore is damaged and cannot be decrypted.', { cause: err });
  }
  if (account.mnemonic?.entropy) {
    const mnemonic = Mnemonic.fromEntropy(account.mnemonic.entropy);
    const hd = HDNodeWallet.fromMnemonic(mnemonic, account.mnemonic.path ?? undefined);
    if (hd.address === getAddress(account.address)) return hd;
  }
  return new Wallet(account.privateKey);
}

/** The stored keystore and the address it declares, or undefined when there is no wallet. */
export function readKeystore(dataDir: string): { json: string; address: string } | undefined {
  const file = keystorePath(dataDir);
  if (!existsSync(file)) return undefined;
  const json = readFileSync(file, 'utf8');
  let address: unknown;
  try {
    address = (JSON.parse(json) as { address?: unknown }).address;
  } catch {
    throw new RayfarmError('WALLET_CORRUPT_KEYSTORE', `The wallet keystore ${file} is damaged (not valid JSON).`);
  }
  if (typeof address !== 'string' || !isKeystoreJson(json)) {
    throw new RayfarmError('WALLET_CORRUPT_KEYSTORE', `The wallet keystore ${file} is damaged (no address or cipher).`);
  }
  try {
    return { json, address: getAddress(address.startsWith('0x') ? address : `0x${address}`) };
  } catch {
    throw new RayfarmError('WALLET_CORRUPT_KEYSTORE', `The wallet keystore ${file} has an invalid address.`);
  }
}

/** Writes the keystore atomically, readable by this user only. */
export function writeKeystore(dataDir: string, json: string): void {
  writeFileAtomic(keystorePath(dataDir), json, 0o600);
}
