import { mkdtempSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wallet, id as keccakId } from 'ethers';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobEscrowAbi, jobEscrowBytecode, renderTokenAbi, renderTokenBytecode } from '../../../../../contracts/generated';
import { EscrowClient, TokenClient } from '../../../../../main/core/chain/contracts';
import { openDatabase } from '../../../../../main/core/store/database';
import { migrations } from '../../../../../main/core/store/migrations';
import { VoucherLedger } from '../../../../../main/core/creator/proof/voucher-ledger';
import type { VerdictRecord } from '../../../../../main/core/creator/proof/voucher-ledger';
import { merkleRoot } from '../../../../../main/core/creator/proof/merkle';
import { VoucherWallet } from '../../../../../main/core/operator/pay/voucher-wallet';
import { Redeemer } from '../../../../../main/core/operator/pay/redeemer';
import { escrowDomain } from '../../../../../shared/voucher';
import { feeOf } from '../../../../../shared/pricing';
import { deploy, expectRevert, startTestChain } from '../../../../contracts/fixture';
import type { TestChain } from '../../../../contracts/fixture';

const GRACE = 3600;
const PRICE = 10n ** 17n;
const FEE_BPS = 200;
let chain: TestChain;
let dir: string;
let creatorDb: Database;
let operatorDb: Database;
let token: TokenClient;
let escrowAddr: string;
let treasury: string;
let creator: Wallet;
let operator: Wallet;
let ledger: VoucherLedger;
let wallet: VoucherWallet;
let redeemer: Redeemer;
let domain: ReturnType<typeof escrowDomain>;

const hash = (s: string) => createHash('sha256').update(s).digest('hex');

function accepted(jobId: string, task: number, op = operator.address): VerdictRecord {
  return { jobId, taskIndex: task, operator: op, resultHash: hash(`${jobId}/${task}`), verdict: 'accepted', price: PRICE, pixelsChecked: 256, maxError: 0, patches: [], verifyMs: 1, at: Date.now() };
}

/** Opens a job and allocates `allocated` of it (all by default) to the operator. */
async function openJob(chainJobId: string, amount: bigint, allocated = amount): Promise<void> {
  await token.connect(creator).approve(escrowAddr, amount);
  await new EscrowClient(escrowAddr, creator).openJob(chainJobId, amount, FEE_BPS, keccakId('spec'));
  await new EscrowClient(escrowAddr, creator).allocate(chainJobId, [operator.address], [allocated]);
}

async function chainNow(): Promise<number> {
  return (await chain.provider.getBlock('latest'))!.timestamp;
}

beforeAll(async () => {
  chain = await startTestChain();
  const [deployer, c, o, t] = chain.accounts;
  creator = c!;
  operator = o!;
  treasury = t!.address;
  const tokenAddr = await deploy(deployer!, renderTokenAbi, renderTokenBytecode);
  escrowAddr = await deploy(deployer!, jobEscrowAbi, jobEscrowBytecode, tokenAddr, treasury, GRACE);
  token = new TokenClient(tokenAddr, chain.provider);
  await token.connect(deployer!).faucet(creator.address, 10n ** 21n);
  domain = escrowDomain(31337, escrowAddr);
  dir = mkdtempSync(join(tmpdir(), 'rf-redeem-'));
  creatorDb = openDatabase(join(dir, 'creator.db'), migrations);
  operatorDb = openDatabase(join(dir, 'operator.db'), migrations);
  ledger = new VoucherLedger(creatorDb);
  wallet = new VoucherWallet(operatorDb, { chainId: 31337, escrow: escrowAddr }, operator.address);
  redeemer = new Redeemer({ db: operatorDb, wallet, escrow: new EscrowClient(escrowAddr, operator), threshold: 3n * PRICE, nowS: chainNow });
});

afterAll(async () => {
  await redeemer?.stop();
  creatorDb?.close();
  operatorDb?.close();
  await chain?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('VoucherLedger', () => {
  it('issue: a cumulative voucher over the accepted results, stored and reused until more are accepted', async () => {
    const cj = keccakId('ledger-job');
    const ref = { chainJobId: cj, domain };
    expect(await ledger.issue('ledger', operator.address, ref, creator)).toBeUndefined();
    for (const t of [0, 1, 2]) ledger.recordVerdict(accepted('ledger', t));
    ledger.recordVerdict({ ...accepted('ledger', 3), verdict: 'rejected', code: 'RESULT_MISMATCH' });
    const v = (await ledger.issue('ledger', operator.address, ref, creator))!;
    expect(v).toMatchObject({ jobId: cj, tasks: 3, cumulativeAmount: (3n * PRICE).toString(), resultsRoot: merkleRoot([0, 1, 2].map((t) => hash(`ledger/${t}`))) });
    expect(await ledger.issue('ledger', operator.address, ref, creator)).toEqual(v);
    expect(() => ledger.recordVerdict(accepted('ledger', 1))).toThrow(/UNIQUE/);
    ledger.recordVerdict(accepted('ledger', 3));
    expect(ledger.unsigned()).toEqual([{ jobId: 'ledger', operator: operator.address }]);
    const v2 = (await ledger.issue('ledger', operator.address, ref, creator))!;
    expect(v2.cumulativeAmount).toBe((4n * PRICE).toString());
    // The root grows one result at a time and equals the full tree over the results in acceptance order.
    expect(v2.resultsRoot).toBe(merkleRoot([0, 1, 2, 3].map((t) => hash(`ledger/${t}`))));
    expect(new VoucherLedger(creatorDb).owed('ledger', operator.address).hashes).toEqual([0, 1, 2, 3].map((t) => hash(`ledger/${t}`)));
    expect(ledger.unsigned()).toEqual([]);
    expect(ledger.signedTotal('ledger')).toBe(4n * PRICE);
    expect(ledger.verdicts('ledger').map((r) => r.verdict)).toEqual(['accepted', 'accepted', 'accepted', 'rejected', 'accepted']);
  });
});

describe('VoucherWallet', () => {
  it('accept: stores a voucher of the job creator for this operator; refuses others', async () => {
    const cj = keccakId('wallet-job');
    const ref = { chainJobId: cj, domain };
    ledger.recordVerdict(accepted('wallet', 0));
    const v = (await ledger.issue('wallet', operator.address, ref, creator))!;
    expect(() => wallet.accept(v, operator.address)).toThrow(expect.objectContaining({ code: 'VOUCHER_WRONG_SIGNER' }));
    const otherWallet = new VoucherWallet(operatorDb, { chainId: 31337, escrow: escrowAddr }, Wallet.createRandom().address);
    expect(() => otherWallet.accept(v, creator.address)).toThrow(expect.objectContaining({ code: 'VOUCHER_NOT_OURS' }));
    expect(wallet.best(cj)).toBeUndefined();
    expect(wallet.accept(v, creator.address)).toMatchObject({ cumulativeAmount: PRICE.toString(), creator: creator.address });
  });
});

describe('Redeemer', () => {
  const cj = keccakId('redeem-job');
  const ref = { chainJobId: cj, get domain() { return domain; } };
  const budget = 10n * PRICE;

  beforeAll(async () => {
    await openJob(cj, budget);
  });

  it('waits below the threshold, then redeems once it is passed; the fee goes to the treasury', async () => {
    const opBefore = await token.balanceOf(operator.address);
    const trBefore = await token.balanceOf(treasury);
    ledger.recordVerdict(accepted('redeem', 0));
    wallet.accept((await ledger.issue('redeem', operator.address, ref, creator))!, creator.address);
    expect(await redeemer.check()).toEqual([]);
    for (const t of [1, 2]) ledger.recordVerdict(accepted('redeem', t));
    wallet.accept((await ledger.issue('redeem', operator.address, ref, creator))!, creator.address);
    const [r] = await redeemer.check();
    expect(r).toMatchObject({ trigger: 'threshold', state: 'mined', cumulative: (3n * PRICE).toString() });
    const fee = feeOf(3n * PRICE, FEE_BPS);
    expect(await token.balanceOf(operator.address)).toBe(opBefore + 3n * PRICE - fee);
    expect(await token.balanceOf(treasury)).toBe(trBefore + fee);
    expect(r!.fee).toBe(fee.toString());
  });

  it('a voucher replayed or an older one redeemed again pays nothing', async () => {
    const v = wallet.best(cj)!;
    const escrow = new EscrowClient(escrowAddr, operator);
    await expectRevert(escrow.redeem(cj, v.operator, BigInt(v.cumulativeAmount), v.resultsRoot, v.signature), 'EscrowNotCumulative');
    expect(await redeemer.redeemNow(cj)).toBeUndefined();
    expect(await escrow.redeemed(cj, operator.address)).toBe(3n * PRICE);
  });

  it('after a crash before the send, reconcile retries; after a crash after it, reconcile records the mined transaction', async () => {
    ledger.recordVerdict(accepted('redeem', 3));
    const v = wallet.accept((await ledger.issue('redeem', operator.address, ref, creator))!, creator.address);
    const now = Date.now();
    // Killed between the record and the broadcast.
    operatorDb
      .prepare(`INSERT INTO pay_redemptions (chain_id, escrow, chain_job_id, operator, cumulative, trigger, state, created_at, updated_at) VALUES (31337, ?, ?, ?, ?, 'threshold', 'sending', ?, ?)`)
      .run(escrowAddr, cj, operator.address, v.cumulativeAmount, now, now);
    await redeemer.reconcile();
    expect(redeemer.list()[0]).toMatchObject({ state: 'failed' });
    // Killed after the broadcast: the transaction is mined while we are down.
    const out = await new EscrowClient(escrowAddr, operator).redeem(cj, v.operator, BigInt(v.cumulativeAmount), v.resultsRoot, v.signature);
    operatorDb
      .prepare(`INSERT INTO pay_redemptions (chain_id, escrow, chain_job_id, operator, cumulative, trigger, state, tx_hash, created_at, updated_at) VALUES (31337, ?, ?, ?, ?, 'threshold', 'sent', ?, ?, ?)`)
      .run(escrowAddr, cj, operator.address, v.cumulativeAmount, out.hash, now, now);
    await redeemer.reconcile();
    expect(redeemer.list()[0]).toMatchObject({ state: 'mined', txHash: out.hash, fee: feeOf(PRICE, FEE_BPS).toString() });
    expect(await redeemer.check()).toEqual([]);
  });

  it('with the creator gone, redeems the last voucher once the creator requests close, before the grace period ends; the creator closes and gets the rest', async () => {
    ledger.recordVerdict(accepted('redeem', 4));
    wallet.accept((await ledger.issue('redeem', operator.address, ref, creator))!, creator.address);
    // The creator's database is not used from here on: only the operator's store and the chain.
    const escrowC = new EscrowClient(escrowAddr, creator);
    await escrowC.requestClose(cj);
    await expectRevert(escrowC.close(cj), 'EscrowGracePeriodActive');
    const [r] = await redeemer.check();
    expect(r).toMatchObject({ trigger: 'job-ended', state: 'mined', cumulative: (5n * PRICE).toString() });
    await chain.increaseTime(GRACE + 1);
    const before = await token.balanceOf(creator.address);
    await escrowC.close(cj);
    expect(await token.balanceOf(creator.address)).toBe(before + budget - 5n * PRICE);
    expect(await redeemer.check()).toEqual([]);
  });

  it('redeems before the grace period runs out even below the threshold', async () => {
    const cj2 = keccakId('grace-job');
    await openJob(cj2, 5n * PRICE);
    ledger.recordVerdict(accepted('grace', 0));
    wallet.accept((await ledger.issue('grace', operator.address, { chainJobId: cj2, domain }, creator))!, creator.address);
    await new EscrowClient(escrowAddr, creator).requestClose(cj2);
    await chain.increaseTime(GRACE - 30);
    const [r] = await redeemer.check();
    expect(r).toMatchObject({ trigger: 'grace-period', state: 'mined' });
  });

  it('redeems a voucher above the allocation up to the allocation, and the rest once more is allocated', async () => {
    const cj3 = keccakId('allocation-job');
    await openJob(cj3, 5n * PRICE, PRICE);
    for (const t of [0, 1]) ledger.recordVerdict(accepted('alloc', t));
    wallet.accept((await ledger.issue('alloc', operator.address, { chainJobId: cj3, domain }, creator))!, creator.address);
    const escrow = new EscrowClient(escrowAddr, operator);
    expect(await redeemer.redeemNow(cj3)).toMatchObject({ state: 'mined', operatorAmount: (PRICE - feeOf(PRICE, FEE_BPS)).toString() });
    // Nothing more is redeemable: the redeemer does not send a transaction that can only revert.
    expect(await redeemer.redeemNow(cj3)).toBeUndefined();
    await new EscrowClient(escrowAddr, creator).allocate(cj3, [operator.address], [PRICE]);
    expect(await redeemer.redeemNow(cj3)).toMatchObject({ state: 'mined' });
    expect(await escrow.redeemed(cj3, operator.address)).toBe(2n * PRICE);
  });
});
