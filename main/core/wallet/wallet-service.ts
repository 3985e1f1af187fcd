import { existsSync } from 'node:fs';
import { HDNodeWallet, Mnemonic, Wallet, parseEther, toBeHex } from 'ethers';
import type { Database } from 'better-sqlite3';
import { devAccount } from '../chain/deploy';
import type { ChainConnection } from '../chain/network';
import { RayfarmError } from '../errors';
import { formatTokenAmount, parseRecipient, parseTokenAmount } from './amounts';
import { walletHistory } from './history';
import type { HistoryEntry } from './history';
import { DEFAULT_SCRYPT_N, decryptKey, encryptKey, keystorePath, readKeystore, writeKeystore } from './keystore';
import type { WalletKey } from './keystore';
import { SentTxStore } from './tx-records';

/** Time source and timers, injected so tests can move time by hand. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock; its timers never keep the process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** How a wallet is imported. */
export type ImportKind = 'mnemonic' | 'privateKey' | 'keystore';

/** What the UI may know about the wallet (never the key). */
export interface WalletStatus {
  exists: boolean;
  address: string | null;
  unlocked: boolean;
  /** Unix ms at which an idle wallet locks itself; null when locked. */
  autoLockAt: number | null;
  chainId: number | null;
  /** Faucet available (dev chain). */
  faucet: boolean;
}

/** Balances in the smallest unit, as decimal strings. */
export interface WalletBalances {
  address: string;
  native: string;
  token: string;
  tokenSymbol: string;
  tokenDecimals: number;
}

/** The result of a token transfer. */
export interface SendResult {
  hash: string;
  to: string;
  amount: string;
  blockNumber: number;
}

/** What the dev faucet gave. */
export interface FaucetResult {
  native: string;
  token: string;
  tokenTx: string;
}

/** Dependencies of the wallet service. */
export interface WalletServiceDeps {
  dataDir: string;
  /** The chain; null until it is open (create/import/unlock work without it). */
  chain: ChainConnection | null;
  /** The store's database (wallet_txs table). */
  db: Database;
  clock?: Clock;
  /** Idle time before the wallet locks itself. Default 15 minutes. */
  autoLockMs?: number;
  /** scrypt N for new keystores; tests lower it. */
  scryptN?: number;
  /** Receipt wait for sends. Default 120 s. */
  txTimeoutMs?: number;
}

/** Minimum password length for a new keystore. */
export const MIN_PASSWORD_LENGTH = 8;
/** What one faucet call gives on the dev chain. */
export const FAUCET_NATIVE = parseEther('1');
/** Tokens one faucet call gives on the dev chain. */
export const FAUCET_TOKENS = parseEther('1000');

/**
 * The node's wallet: one key in an scrypt keystore in the data folder. The key is held in
 * memory only while unlocked and only inside this object; nothing it returns contains it.
 */
export class WalletService {
  private key: WalletKey | null = null;
  private lastUsed = 0;
  private timer: unknown = null;
  private chain: ChainConnection | null;
  private readonly clock: Clock;
  private readonly autoLockMs: number;
  private readonly records: SentTxStore;
  private readonly listeners = new Set<(s: WalletStatus) => void>();
  private sending: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: WalletServiceDeps) {
    this.chain = deps.chain;
    this.clock = deps.clock ?? systemClock;
    this.autoLockMs = deps.autoLockMs ?? 15 * 60_000;
    this.records = new SentTxStore(deps.db);
  }

  /** Switches to another chain (the network setting changed). */
  setChain(chain: ChainConnection | null): void {
    this.chain = chain;
    this.emit();
  }

  /** Subscribes to status changes (lock, unlock, create); returns the unsubscribe. */
  onChange(listener: (s: WalletStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a wallet exists, its address, and whether it is unlocked. */
  status(): WalletStatus {
    this.expireIfIdle();
    const stored = this.stored();
    return {
      exists: stored !== undefined,
      address: stored?.address ?? null,
      unlocked: this.key !== null,
      autoLockAt: this.key ? this.lastUsed + this.autoLockMs : null,
      chainId: this.chain?.chainId ?? null,
      faucet: this.chain?.isDevChain ?? false,
    };
  }

  /** Creates a new HD wallet; the mnemonic is returned this once and never again. */
  async create(password: string): Promise<{ address: string; mnemonic: string }> {
    this.requireNoWallet();
    checkPassword(password);
    const key = HDNodeWallet.createRandom();
    await this.save(key, password);
    return { address: key.address, mnemonic: key.mnemonic!.phrase };
  }

  /**
   * Imports a wallet from a mnemonic, a private key, or a JSON keystore (whose password is
   * `password`, which then also protects the stored copy). Leaves it unlocked.
   */
  async import(kind: ImportKind, secret: string, password: string): Promise<{ address: string }> {
    this.requireNoWallet();
    let key: WalletKey;
    if (kind === 'keystore') {
      key = await decryptKey(secret.trim(), password);
    } else if (kind === 'mnemonic') {
      const phrase = secret.trim().toLowerCase().split(/\s+/).join(' ');
      if (!Mnemonic.isValidMnemonic(phrase)) throw new RayfarmError('WALLET_BAD_SECRET', 'That is not a valid BIP-39 recovery phrase (check the words and their order).');
      key = HDNodeWallet.fromPhrase(phrase);
    } else if (kind === 'privateKey') {
      const hex = secret.trim().startsWith('0x') ? secret.trim() : `0x${secret.trim()}`;
      if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new RayfarmError('WALLET_BAD_SECRET', 'A private key is 64 hex digits.');
      try {
        key = new Wallet(hex);
      } catch {
        throw new RayfarmError('WALLET_BAD_SECRET', 'That private key is out of range.');
      }
    } else {
      throw new RayfarmError('WALLET_BAD_SECRET', `Unknown import kind "${String(kind)}".`);
    }
    // A keystore keeps the password it was made with (its owner chose it elsewhere); a new
    // secret gets a password that meets ours.
    if (kind !== 'keystore') checkPassword(password);
    await this.save(key, password);
    return { address: key.address };
  }

  /** Decrypts the keystore into memory until lock() or the idle timeout. */
  async unlock(password: string): Promise<{ address: string }> {
    const stored = this.stored();
    if (!stored) throw noWallet();
    const key = await decryptKey(stored.json, password);
    if (key.address !== stored.address) {
      throw new RayfarmError('WALLET_CORRUPT_KEYSTORE', 'The keystore decrypts to a different address than it declares.');
    }
    this.setKey(key);
    return { address: key.address };
  }

  /** Forgets the key. */
  lock(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const was = this.key !== null;
    this.key = null;
    if (was) this.emit();
  }

  /** Native and token balances of the wallet (works while locked). */
  async balances(): Promise<WalletBalances> {
    const address = this.address();
    const chain = this.requireChain();
    const [native, token, tokenSymbol, tokenDecimals] = await Promise.all([
      chain.provider.getBalance(address),
      chain.token.balanceOf(address),
      chain.token.symbol(),
      chain.token.decimals(),
    ]);
    return { address, native: native.toString(), token: token.toString(), tokenSymbol, tokenDecimals };
  }

  /**
   * Sends `amount` tokens (whole tokens as typed, e.g. "2.5"; or a bigint in the smallest
   * unit) to `to`. Checked before anything is signed; recorded once broadcast, so a failure
   * before that leaves no trace and a pending one survives a restart.
   */
  async send(to: string, amount: string | bigint): Promise<SendResult> {
    const run = this.sending.then(() => this.sendNow(to, amount));
    this.sending = run.catch(() => undefined);
    return run;
  }

  private async sendNow(to: string, amount: string | bigint): Promise<SendResult> {
    const recipient = parseRecipient(to);
    const chain = this.requireChain();
    const key = this.requireKey();
    const decimals = await chain.token.decimals();
    const value = typeof amount === 'bigint' ? amount : parseTokenAmount(amount, decimals);
    if (value <= 0n) throw new RayfarmError('WALLET_BAD_AMOUNT', 'The amount must be more than zero.');
    const have = await chain.token.balanceOf(key.address);
    if (have < value) {
      throw new RayfarmError('WALLET_INSUFFICIENT_FUNDS', `Not enough tokens: the wallet holds ${formatTokenAmount(have, decimals)} and the transfer needs ${formatTokenAmount(value, decimals)}.`, {
        details: { have: have.toString(), need: value.toString() },
      });
    }
    const signer = key.connect(chain.provider);
    let hash: string | undefined;
    try {
      const outcome = await chain.token.connect(signer).transfer(recipient, value, {
        timeoutMs: this.deps.txTimeoutMs ?? 120_000,
        onBroadcast: (tx) => {
          hash = tx.hash;
          this.records.addPending(
            { hash: tx.hash, chainId: chain.chainId, from: key.address, to: recipient, token: chain.token.address, amount: value.toString() },
            this.clock.now(),
          );
        },
      });
      this.records.settle(outcome.hash, 'confirmed', outcome.blockNumber, this.clock.now());
      this.touch();
      return { hash: outcome.hash, to: recipient, amount: value.toString(), blockNumber: outcome.blockNumber };
    } catch (err) {
      // Mined but reverted: it happened (and cost gas), so it stays in the history as such.
      // A timeout leaves the record pending: the transaction may still be mined.
      if (hash && err instanceof RayfarmError && err.code === 'TX_REVERTED') this.records.settle(hash, 'reverted', null, this.clock.now());
      throw err;
    }
  }

  /** Dev chain only: gives the wallet some native coin (for gas) and tokens. */
  async faucet(): Promise<FaucetResult> {
    const address = this.address();
    const chain = this.requireChain();
    if (!chain.isDevChain) throw new RayfarmError('WALLET_NO_FAUCET', 'The faucet exists only on the dev chain.');
    const native = await chain.provider.getBalance(address);
    await chain.provider.send('anvil_setBalance', [address, toBeHex(native + FAUCET_NATIVE)]);
    // A dev account that anvil unlocked sends the drip, so the wallet need not be unlocked.
    const funder = await chain.provider.getSigner(devAccount(0));
    const tx = await chain.token.connect(funder).faucet(address, FAUCET_TOKENS);
    return { native: FAUCET_NATIVE.toString(), token: FAUCET_TOKENS.toString(), tokenTx: tx.hash };
  }

  /** Transfers and escrow events of this wallet, with its pending sends; newest first. */
  async history(limit = 200): Promise<HistoryEntry[]> {
    const address = this.address();
    const chain = this.requireChain();
    return walletHistory(chain, address, this.records.list(chain.chainId, address), limit);
  }

  /**
   * The unlocked key as an ethers signer on the current chain, for other core services
   * (signing vouchers, redeeming, opening jobs). Never exposed through the API.
   */
  signer(): WalletKey {
    const key = this.requireKey();
    return this.chain ? key.connect(this.chain.provider) : key;
  }

  /** Stops the auto-lock timer (app shutdown). */
  dispose(): void {
    this.lock();
    this.listeners.clear();
  }

  private stored(): { json: string; address: string } | undefined {
    return readKeystore(this.deps.dataDir);
  }

  private address(): string {
    const stored = this.stored();
    if (!stored) throw noWallet();
    return stored.address;
  }

  private requireNoWallet(): void {
    if (existsSync(keystorePath(this.deps.dataDir))) {
      throw new RayfarmError('WALLET_EXISTS', 'This data folder already has a wallet; refusing to replace it (its funds would be lost).');
    }
  }

  private requireChain(): ChainConnection {
    if (!this.chain) throw new RayfarmError('CHAIN_UNAVAILABLE', 'The chain is not connected yet.');
    return this.chain;
  }

  private requireKey(): WalletKey {
    this.expireIfIdle();
    if (!this.key) {
      throw this.stored() ? new RayfarmError('WALLET_LOCKED', 'The wallet is locked; unlock it with its password first.') : noWallet();
    }
    this.touch();
    return this.key;
  }

  private async save(key: WalletKey, password: string): Promise<void> {
    const json = await encryptKey(key, password, this.deps.scryptN ?? DEFAULT_SCRYPT_N);
    this.requireNoWallet(); // checked again: encryption takes a while
    writeKeystore(this.deps.dataDir, json);
    this.setKey(key);
  }

  private setKey(key: WalletKey): void {
    this.key = key;
    this.touch();
    this.emit();
  }

  private touch(): void {
    this.lastUsed = this.clock.now();
    this.schedule(this.autoLockMs);
  }

  private schedule(ms: number): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      const idle = this.clock.now() - this.lastUsed;
      if (idle >= this.autoLockMs) this.lock();
      else this.schedule(this.autoLockMs - idle);
    }, ms);
  }

  /** Timers can be late (a sleeping laptop); the deadline is also checked on every use. */
  private expireIfIdle(): void {
    if (this.key && this.clock.now() - this.lastUsed >= this.autoLockMs) this.lock();
  }

  private emit(): void {
    const s = this.status();
    for (const l of this.listeners) l(s);
  }
}

function noWallet(): RayfarmError {
  return new RayfarmError('WALLET_NO_WALLET', 'There is no wallet yet: create or import one.');
}

function checkPassword(password: string): void {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH) {
    throw new RayfarmError('WALLET_WEAK_PASSWORD', `The wallet password must have at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
}
