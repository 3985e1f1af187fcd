/**
 * One wallet, several senders: the app's job service, its allocation batches and its redeemer
 * all send from the creator's (and operator's) one wallet. Two sends that took their nonce at
 * the same moment took the same one, and one of them failed with "nonce has already been used"
 * (seen in CI: a close that raced an allocation). sendTx broadcasts one wallet's transactions
 * one at a time; a real anvil chain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet, parseEther } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devAccount } from '../../../../main/core/chain/deploy';
import { startDevChain } from '../../../../main/core/chain/dev-chain';
import type { DevChain } from '../../../../main/core/chain/dev-chain';

let dir = '';
let chain: DevChain;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rayfarm-tx-serial-'));
  chain = await startDevChain(dir, { port: 0 });
}, 120_000);

afterAll(async () => {
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A new wallet with gas money and `tokens`. */
async function freshWallet(tokens: bigint): Promise<{ key: string; me: Wallet }> {
  const key = Wallet.createRandom().privateKey;
  const bank = await chain.connection.provider.getSigner(devAccount(0));
  const me = new Wallet(key, chain.connection.provider);
  await (await bank.sendTransaction({ to: me.address, value: parseEther('1') })).wait();
  await chain.connection.token.connect(bank).faucet(me.address, tokens);
  return { key, me };
}

describe('sendTx from one wallet', () => {
  it('two parts of the app sending from the same wallet at the same moment both get mined, with consecutive nonces', async () => {
    const { key, me } = await freshWallet(100n);
    // Two separate signers of one key, as the job service and the allocation batches hold.
    const a = chain.connection.token.connect(new Wallet(key, chain.connection.provider));
    const b = chain.connection.token.connect(new Wallet(key, chain.connection.provider));
    const first = await chain.connection.provider.getTransactionCount(me.address);
    const sent = await Promise.all([a.transfer(devAccount(2), 3n), b.transfer(devAccount(3), 4n), a.transfer(devAccount(4), 5n)]);
    const nonces = await Promise.all(sent.map(async (s) => (await chain.connection.provider.getTransaction(s.hash))!.nonce));
    expect(nonces.sort((x, y) => x - y)).toEqual([first, first + 1, first + 2]);
    expect(await chain.connection.token.balanceOf(me.address)).toBe(100n - 12n);
  });

  it('a send that fails before it is broadcast (a revert at gas estimation) does not hold up the next', async () => {
    const { me } = await freshWallet(10n);
    const token = chain.connection.token.connect(me);
    const [bad, good] = await Promise.allSettled([token.transfer(devAccount(2), 11n), token.transfer(devAccount(2), 10n)]);
    expect(bad.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
    expect(await chain.connection.token.balanceOf(me.address)).toBe(0n);
  });
});
