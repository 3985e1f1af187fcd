import { Wallet, id } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTokenAbi, renderTokenBytecode } from '../../../../contracts/generated';
import { TokenClient } from '../../../../main/core/chain/contracts';
import { decodeRevert, toTxError } from '../../../../main/core/chain/tx';
import { recoverVoucherSigner, signVoucher, verifyVoucher } from '../../../../main/core/chain/voucher';
import { SignedVoucherSchema, escrowDomain } from '../../../../shared/voucher';
import { deploy, startTestChain } from '../../../contracts/fixture';
import type { TestChain } from '../../../contracts/fixture';

const creator = Wallet.createRandom();
const stranger = Wallet.createRandom();
const domain = escrowDomain(31337, '0x5FbDB2315678afecb367f032d93F642f64180aa3');
const voucher = { jobId: id('job'), operator: Wallet.createRandom().address, cumulativeAmount: 10n ** 18n, resultsRoot: id('root') };

describe('vouchers', () => {
  it('signVoucher: produces a wire voucher that verifies for its creator', async () => {
    const signed = await signVoucher(creator, domain, voucher);
    expect(SignedVoucherSchema.parse(signed)).toEqual(signed);
    expect(signed.cumulativeAmount).toBe('1000000000000000000');
    expect(recoverVoucherSigner(domain, signed)).toBe(creator.address);
    expect(verifyVoucher(domain, signed, creator.address)).toEqual(voucher);
  });

  it('verifyVoucher: another signer, domain or amount is VOUCHER_WRONG_SIGNER', async () => {
    const signed = await signVoucher(stranger, domain, voucher);
    expect(() => verifyVoucher(domain, signed, creator.address)).toThrow(expect.objectContaining({ code: 'VOUCHER_WRONG_SIGNER' }));
    const mine = await signVoucher(creator, domain, voucher);
    expect(() => verifyVoucher(escrowDomain(1, domain.verifyingContract), mine, creator.address)).toThrow(expect.objectContaining({ code: 'VOUCHER_WRONG_SIGNER' }));
    expect(() => verifyVoucher(domain, { ...mine, cumulativeAmount: '2' }, creator.address)).toThrow(expect.objectContaining({ code: 'VOUCHER_WRONG_SIGNER' }));
  });

  it('verifyVoucher: a malformed voucher is VOUCHER_MALFORMED', async () => {
    const mine = await signVoucher(creator, domain, voucher);
    expect(() => verifyVoucher(domain, { ...mine, signature: '0x1234' }, creator.address)).toThrow(expect.objectContaining({ code: 'VOUCHER_MALFORMED' }));
    expect(() => verifyVoucher(domain, { ...mine, cumulativeAmount: '-1' }, creator.address)).toThrow(expect.objectContaining({ code: 'VOUCHER_MALFORMED' }));
  });
});

describe('transactions', () => {
  let chain: TestChain;
  let token: string;
  beforeAll(async () => {
    chain = await startTestChain();
    token = await deploy(chain.accounts[0]!, renderTokenAbi, renderTokenBytecode);
  });
  afterAll(async () => {
    await chain?.stop();
  });

  it('decodeRevert: names our custom errors and ignores junk', () => {
    expect(decodeRevert('0x')).toBeUndefined();
    expect(decodeRevert('0xdeadbeef')).toBeUndefined();
  });

  it('sendTx: a transaction not mined in time is TX_TIMEOUT', async () => {
    await chain.provider.send('evm_setAutomine', [false]);
    try {
      const err = await new TokenClient(token, chain.accounts[2]!).faucet(chain.accounts[2]!.address, 1n, { timeoutMs: 300 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'TX_TIMEOUT' });
    } finally {
      await chain.provider.send('evm_setAutomine', [true]);
      await chain.provider.send('evm_mine', []);
    }
  });

  it('toTxError: not enough gas money is WALLET_INSUFFICIENT_FUNDS', async () => {
    const poor = Wallet.createRandom().connect(chain.provider);
    const err = await new TokenClient(token, poor).faucet(poor.address, 1n).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'WALLET_INSUFFICIENT_FUNDS' });
    expect(toTxError(err)).toBe(err);
  });
});
