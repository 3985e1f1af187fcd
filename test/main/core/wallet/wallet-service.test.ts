import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HDNodeWallet, Wallet, encryptKeystoreJson, id, parseEther } from 'ethers';
import type { Database } from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDevChain } from '../../../../main/core/chain/dev-chain';
import type { DevChain } from '../../../../main/core/chain/dev-chain';
import { signVoucher } from '../../../../main/core/chain/voucher';
import { openDatabase } from '../../../../main/core/store/database';
import { migrations } from '../../../../main/core/store/migrations';
import { WalletService } from '../../../../main/core/wallet';
import type { Clock } from '../../../../main/core/wallet';
import { keystorePath } from '../../../../main/core/wallet/keystore';
import { escrowDomain } from '../../../../shared/voucher';

/** A clock that moves only when told to, firing due timers in order. */
class ManualClock implements Clock {
  t = 1_700_000_000_000;
  private timers = new Map<number, { at: number; fn: () => void }>();
  private next = 1;
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const h = this.next++;
    this.timers.set(h, { at: this.t + ms, fn });
    return h;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
}

const PASSWORD = 'correct horse battery';
let chainDir: string;
let chain: DevChain;
let dir: string;
let db: Database;
let clock: ManualClock;
let snap: string;

function makeService(options: { autoLockMs?: number; txTimeoutMs?: number } = {}): WalletService {
  return new WalletService({ dataDir: dir, chain: chain.connection, db, clock, scryptN: 1024, ...options });
}
async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected ${code}`).toMatchObject({ code });
}
function sentRows(): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM wallet_txs').get() as { n: number }).n;
}

beforeAll(async () => {
  chainDir = mkdtempSync(join(tmpdir(), 'rayfarm-wallet-chain-'));
  chain = await startDevChain(chainDir);
});
afterAll(async () => {
  await chain?.stop();
  rmSync(chainDir, { recursive: true, force: true });
});
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rayfarm-wallet-'));
  db = openDatabase(join(dir, 'rayfarm.db'), migrations);
  clock = new ManualClock();
  snap = (await chain.connection.provider.send('evm_snapshot', [])) as string;
});
afterEach(async () => {
  await chain.connection.provider.send('evm_revert', [snap]);
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('keystore', () => {
  it('create: returns the mnemonic once and stores only an encrypted keystore', async () => {
    const w = makeService();
    const { address, mnemonic } = await w.create(PASSWORD);
    expect(HDNodeWallet.fromPhrase(mnemonic).address).toBe(address);
    expect(w.status()).toMatchObject({ exists: true, address, unlocked: true, chainId: 31337, faucet: true });
    const file = keystorePath(dir);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(HDNodeWallet.fromPhrase(mnemonic).privateKey.slice(2));
    expect(text).not.toContain(mnemonic.split(' ')[0]! + ' ' + mnemonic.split(' ')[1]!);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(w.status())).not.toContain(mnemonic);
    await expectCode(w.create(PASSWORD), 'WALLET_EXISTS');
  });

  it('unlock: a wrong password is WALLET_WRONG_PASSWORD; the right one unlocks after a restart', async () => {
    const { address } = await makeService().create(PASSWORD);
    const fresh = makeService(); // a new process: nothing in memory
    expect(fresh.status()).toMatchObject({ exists: true, address, unlocked: false });
    await expectCode(fresh.unlock('wrong password'), 'WALLET_WRONG_PASSWORD');
    expect(fresh.status().unlocked).toBe(false);
    expect(await fresh.unlock(PASSWORD)).toEqual({ address });
    expect(fresh.status().unlocked).toBe(true);
  });

  it('unlock: a damaged keystore is WALLET_CORRUPT_KEYSTORE, not a wrong password', async () => {
    await makeService().create(PASSWORD);
    const file = keystorePath(dir);
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.slice(0, good.length / 2));
    await expectCode(makeService().unlock(PASSWORD), 'WALLET_CORRUPT_KEYSTORE');
    expect(() => makeService().status()).toThrow(expect.objectContaining({ code: 'WALLET_CORRUPT_KEYSTORE' }));
    // ethers writes "Crypto", geth "crypto"
    const parsed = JSON.parse(good) as Record<string, { cipherparams: { iv: string } }>;
    (parsed.Crypto ?? parsed.crypto)!.cipherparams.iv = 'zz';
    writeFileSync(file, JSON.stringify(parsed));
    await expectCode(makeService().unlock(PASSWORD), 'WALLET_CORRUPT_KEYSTORE');
  });

  it('unlock: no wallet yet is WALLET_NO_WALLET', async () => {
    const w = makeService();
    expect(w.status()).toMatchObject({ exists: false, address: null, unlocked: false });
    await expectCode(w.unlock(PASSWORD), 'WALLET_NO_WALLET');
    await expectCode(w.balances(), 'WALLET_NO_WALLET');
    await expectCode(w.send(Wallet.createRandom().address, '1'), 'WALLET_NO_WALLET');
  });

  it('create: refuses a short password', async () => {
    await expectCode(makeService().create('short'), 'WALLET_WEAK_PASSWORD');
  });

  it('lock: after the idle time the wallet locks itself; use keeps it open', async () => {
    const w = makeService({ autoLockMs: 60_000 });
    const seen: boolean[] = [];
    w.onChange((s) => seen.push(s.unlocked));
    await w.create(PASSWORD);
    await w.faucet();
    clock.advance(59_000);
    expect(w.status().unlocked).toBe(true);
    await w.send(Wallet.createRandom().address, '1'); // activity restarts the idle time
    clock.advance(59_000);
    expect(w.status().unlocked).toBe(true);
    clock.advance(1_000);
    expect(w.status()).toMatchObject({ unlocked: false, autoLockAt: null });
    expect(seen.at(-1)).toBe(false);
    await expectCode(w.send(Wallet.createRandom().address, '1'), 'WALLET_LOCKED');
    await w.unlock(PASSWORD);
    w.lock();
    expect(w.status().unlocked).toBe(false);
  });
});

describe('import', () => {
  it('import: a mnemonic gives its first account', async () => {
    const source = HDNodeWallet.createRandom();
    const w = makeService();
    expect(await w.import('mnemonic', `  ${source.mnemonic!.phrase.toUpperCase()}\n`, PASSWORD)).toEqual({ address: source.address });
    expect(await makeService().unlock(PASSWORD)).toEqual({ address: source.address });
  });

  it('import: a private key, with or without 0x', async () => {
    const source = Wallet.createRandom();
    expect(await makeService().import('privateKey', source.privateKey.slice(2), PASSWORD)).toEqual({ address: source.address });
  });

  it('import: a JSON keystore from another wallet, with its password', async () => {
    const source = Wallet.createRandom();
    const json = await encryptKeystoreJson({ address: source.address, privateKey: source.privateKey }, 'other password', { scrypt: { N: 1024 } });
    await expectCode(makeService().import('keystore', json, 'not it at all'), 'WALLET_WRONG_PASSWORD');
    await expectCode(makeService().import('keystore', '{"nope":1}', 'other password'), 'WALLET_CORRUPT_KEYSTORE');
    expect(await makeService().import('keystore', json, 'other password')).toEqual({ address: source.address });
    expect(await makeService().unlock('other password')).toEqual({ address: source.address });
  });

  it('import: a bad phrase or key is WALLET_BAD_SECRET and writes nothing', async () => {
    await expectCode(makeService().import('mnemonic', 'apple banana cherry', PASSWORD), 'WALLET_BAD_SECRET');
    await expectCode(makeService().import('privateKey', '0x1234', PASSWORD), 'WALLET_BAD_SECRET');
    await expectCode(makeService().import('privateKey', `0x${'f'.repeat(64)}`, PASSWORD), 'WALLET_BAD_SECRET');
    expect(makeService().status().exists).toBe(false);
  });
});

describe('balances, faucet and send', () => {
  it('faucet: gives native coin and tokens on the dev chain, even while locked', async () => {
    const w = makeService();
    const { address } = await w.create(PASSWORD);
    w.lock();
    expect(await w.balances()).toEqual({ address, native: '0', token: '0', tokenSymbol: 'RFT', tokenDecimals: 18 });
    await w.faucet();
    expect(await w.balances()).toMatchObject({ native: parseEther('1').toString(), token: parseEther('1000').toString() });
  });

  it('faucet: is WALLET_NO_FAUCET on any other chain', async () => {
    const w = new WalletService({ dataDir: dir, chain: { ...chain.connection, isDevChain: false }, db, clock, scryptN: 1024 });
    await w.create(PASSWORD);
    await expectCode(w.faucet(), 'WALLET_NO_FAUCET');
  });

  it('send: moves tokens, records the send and shows it in both histories', async () => {
    const w = makeService();
    const { address } = await w.create(PASSWORD);
    await w.faucet();
    const to = Wallet.createRandom().address;
    const r = await w.send(to, '12.5');
    expect(r).toMatchObject({ to, amount: parseEther('12.5').toString() });
    expect(await chain.connection.token.balanceOf(to)).toBe(parseEther('12.5'));
    expect((await w.balances()).token).toBe(parseEther('987.5').toString());
    const h = await w.history();
    expect(h[0]).toMatchObject({ hash: r.hash, kind: 'sent', status: 'confirmed', amount: parseEther('12.5').toString(), counterparty: to });
    expect(h.find((e) => e.kind === 'received')).toMatchObject({ amount: parseEther('1000').toString() });
    expect(h[0]!.time).toBeGreaterThan(0);
    expect(JSON.stringify(h)).not.toContain(w.signer().privateKey.slice(2));
    expect(address).toBe(w.status().address);
  });

  it('send: rejects bad recipients and amounts before signing anything', async () => {
    const w = makeService();
    await w.create(PASSWORD);
    await w.faucet();
    const good = Wallet.createRandom().address;
    const badChecksum = good.slice(0, 2) + [...good.slice(2)].map((c) => (/[a-f]/.test(c) ? c.toUpperCase() : /[A-F]/.test(c) ? c.toLowerCase() : c)).join('');
    await expectCode(w.send('0x1234', '1'), 'WALLET_BAD_ADDRESS');
    await expectCode(w.send('bob', '1'), 'WALLET_BAD_ADDRESS');
    if (badChecksum !== good && /[a-fA-F]/.test(good.slice(2))) await expectCode(w.send(badChecksum, '1'), 'WALLET_BAD_ADDRESS');
    await expectCode(w.send('0x0000000000000000000000000000000000000000', '1'), 'WALLET_BAD_ADDRESS');
    for (const amount of ['0', '-1', 'abc', '1.2.3', '1e18', '0.0000000000000000001', '']) await expectCode(w.send(good, amount), 'WALLET_BAD_AMOUNT');
    expect(sentRows()).toBe(0);
  });

  it('send: more tokens than held is WALLET_INSUFFICIENT_FUNDS and records nothing', async () => {
    const w = makeService();
    await w.create(PASSWORD);
    await w.faucet();
    await expectCode(w.send(Wallet.createRandom().address, '1000.000000000000000001'), 'WALLET_INSUFFICIENT_FUNDS');
    expect(sentRows()).toBe(0);
  });

  it('send: no native coin for gas is WALLET_INSUFFICIENT_FUNDS and records nothing', async () => {
    const w = makeService();
    const { address } = await w.create(PASSWORD);
    await w.faucet();
    await chain.connection.provider.send('anvil_setBalance', [address, '0x0']);
    await expectCode(w.send(Wallet.createRandom().address, '1'), 'WALLET_INSUFFICIENT_FUNDS');
    expect(sentRows()).toBe(0);
    expect((await w.balances()).token).toBe(parseEther('1000').toString());
  });

  it('send: a transaction not mined in time is TX_TIMEOUT and stays pending in the history', async () => {
    const w = makeService({ txTimeoutMs: 300 });
    await w.create(PASSWORD);
    await w.faucet();
    const to = Wallet.createRandom().address;
    await chain.connection.provider.send('evm_setAutomine', [false]);
    try {
      await expectCode(w.send(to, '3'), 'TX_TIMEOUT');
      const pending = await w.history();
      expect(pending[0]).toMatchObject({ kind: 'sent', status: 'pending', counterparty: to, blockNumber: null });
    } finally {
      await chain.connection.provider.send('evm_setAutomine', [true]);
    }
    await chain.connection.provider.send('evm_mine', []);
    const mined = await w.history();
    expect(mined.filter((e) => e.kind === 'sent')).toHaveLength(1);
    expect(mined[0]).toMatchObject({ kind: 'sent', status: 'confirmed', counterparty: to });
  });

  it('history: shows the escrow jobs this wallet opened and the vouchers redeemed to it', async () => {
    const w = makeService();
    const { address } = await w.create(PASSWORD);
    await w.faucet();
    const { token, escrow } = chain.connection;
    const signer = w.signer();
    await token.connect(signer).approve(escrow.address, parseEther('10'));
    const jobId = id('history-job');
    await escrow.connect(signer).openJob(jobId, parseEther('10'), 100, id('spec'));
    await escrow.connect(signer).allocate(jobId, [address], [parseEther('2')]);
    const v = await signVoucher(signer, escrowDomain(31337, escrow.address), { jobId, operator: address, cumulativeAmount: parseEther('2'), resultsRoot: id('r') });
    await escrow.connect(signer).redeem(jobId, address, parseEther('2'), id('r'), v.signature);
    const kinds = (await w.history()).map((e) => e.kind);
    expect(kinds).toEqual(['redeemed', 'job-opened', 'received']); // the approve moved nothing
    const redeemed = (await w.history())[0]!;
    expect(redeemed).toMatchObject({ jobId, amount: parseEther('1.98').toString() });
  });
});

describe('dev chain restart', () => {
  it('balances survive stopping the dev chain and starting it again on the same state', async () => {
    const ownDir = mkdtempSync(join(tmpdir(), 'rayfarm-wallet-restart-'));
    try {
      let c = await startDevChain(ownDir);
      const w = new WalletService({ dataDir: dir, chain: c.connection, db, clock, scryptN: 1024 });
      await w.create(PASSWORD);
      await w.faucet();
      await w.send(Wallet.createRandom().address, '250');
      const before = await w.balances();
      await c.stop();
      c = await startDevChain(ownDir);
      w.setChain(c.connection);
      expect(await w.balances()).toEqual(before);
      expect(before.token).toBe(parseEther('750').toString());
      expect((await w.history()).map((e) => e.kind)).toEqual(['sent', 'received']);
      await c.stop();
    } finally {
      rmSync(ownDir, { recursive: true, force: true });
    }
  });
});
