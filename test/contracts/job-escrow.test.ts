import { Contract, Interface, Wallet, ZeroAddress, id, parseEther } from 'ethers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jobEscrowAbi, jobEscrowBytecode, reentrantTokenAbi, reentrantTokenBytecode, renderTokenAbi, renderTokenBytecode } from '../../contracts/generated';
import { EscrowClient, TokenClient } from '../../main/core/chain/contracts';
import { signVoucher, voucherDigest } from '../../main/core/chain/voucher';
import { escrowDomain } from '../../shared/voucher';
import { deploy, expectRevert, startTestChain } from './fixture';
import type { TestChain } from './fixture';

const GRACE = 3600;
const ROOT = id('results-root');
const SPEC = id('spec');
const JOB = id('job-1');
const JOB2 = id('job-2');

let chain: TestChain;
let deployer: Wallet, treasury: Wallet, creator: Wallet, operator: Wallet, operator2: Wallet, stranger: Wallet;
let tokenAddress: string;
let escrowAddress: string;
let snap: string;

function escrowAs(w: Wallet, address = escrowAddress): EscrowClient {
  return new EscrowClient(address, w);
}
function tokenAs(w: Wallet): TokenClient {
  return new TokenClient(tokenAddress, w);
}
function balance(who: string): Promise<bigint> {
  return tokenAs(deployer).balanceOf(who);
}
async function voucher(jobId: string, op: string, cumulative: bigint, signer: Wallet = creator, domain = escrowDomain(31337, escrowAddress)) {
  return signVoucher(signer, domain, { jobId, operator: op, cumulativeAmount: cumulative, resultsRoot: ROOT });
}
async function redeem(jobId: string, op: string, cumulative: bigint, signer: Wallet = creator, by: Wallet = operator) {
  const v = await voucher(jobId, op, cumulative, signer);
  return escrowAs(by).redeem(jobId, op, cumulative, ROOT, v.signature);
}

beforeAll(async () => {
  chain = await startTestChain();
  [deployer, treasury, creator, operator, operator2, stranger] = chain.accounts as [Wallet, Wallet, Wallet, Wallet, Wallet, Wallet];
  tokenAddress = await deploy(deployer, renderTokenAbi, renderTokenBytecode);
  escrowAddress = await deploy(deployer, jobEscrowAbi, jobEscrowBytecode, tokenAddress, treasury.address, GRACE);
  await tokenAs(creator).faucet(creator.address, parseEther('10000'));
  await tokenAs(creator).approve(escrowAddress, 2n ** 256n - 1n);
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

describe('constructor', () => {
  it('constructor: rejects a zero token or treasury', async () => {
    const iface = new Interface(jobEscrowAbi);
    for (const args of [
      [ZeroAddress, treasury.address, GRACE],
      [tokenAddress, ZeroAddress, GRACE],
    ]) {
      const err = await deploy(deployer, jobEscrowAbi, jobEscrowBytecode, ...args).catch((e: { data?: string }) => e);
      expect(iface.parseError((err as { data: string }).data)?.name).toBe('EscrowZeroAddress');
    }
  });

  it('views: token, treasury, grace period and fee bounds', async () => {
    const e = escrowAs(stranger);
    expect(await e.token()).toBe(tokenAddress);
    expect(await e.treasury()).toBe(treasury.address);
    expect(await e.gracePeriod()).toBe(GRACE);
    expect(Number(await e.contract.getFunction('MIN_FEE_BPS')())).toBe(50);
    expect(Number(await e.contract.getFunction('MAX_FEE_BPS')())).toBe(500);
  });
});

describe('openJob', () => {
  it('openJob: locks the budget and emits JobOpened', async () => {
    const before = await balance(creator.address);
    const r = await escrowAs(creator).openJob(JOB, parseEther('100'), 200, SPEC);
    const log = escrowAs(creator).contract.interface.parseLog(r.receipt.logs.at(-1)!)!;
    expect(log.name).toBe('JobOpened');
    expect(log.args.toArray()).toEqual([JOB, creator.address, parseEther('100'), 200n, SPEC]);
    expect(before - (await balance(creator.address))).toBe(parseEther('100'));
    expect(await balance(escrowAddress)).toBe(parseEther('100'));
    expect(await escrowAs(stranger).getJob(JOB)).toEqual({
      creator: creator.address,
      feeBps: 200,
      closeRequestedAt: 0,
      closed: false,
      balance: parseEther('100'),
      paid: 0n,
      unallocated: parseEther('100'),
    });
  });

  it('openJob: accepts the fee bounds themselves (50 and 500 bps)', async () => {
    await escrowAs(creator).openJob(JOB, 1000n, 50, SPEC);
    await escrowAs(creator).openJob(JOB2, 1000n, 500, SPEC);
    expect((await escrowAs(creator).getJob(JOB2)).feeBps).toBe(500);
  });

  it('openJob: rejects a fee below 50 or above 500 bps', async () => {
    const e = await expectRevert(escrowAs(creator).openJob(JOB, 1000n, 49, SPEC), 'EscrowFeeOutOfBounds');
    expect(e.details?.args).toEqual(['49', '50', '500']);
    await expectRevert(escrowAs(creator).openJob(JOB, 1000n, 501, SPEC), 'EscrowFeeOutOfBounds');
    await expectRevert(escrowAs(creator).openJob(JOB, 1000n, 0, SPEC), 'EscrowFeeOutOfBounds');
  });

  it('openJob: rejects an id already used, even by someone else', async () => {
    await escrowAs(creator).openJob(JOB, 1000n, 100, SPEC);
    await expectRevert(escrowAs(creator).openJob(JOB, 1000n, 100, SPEC), 'EscrowJobExists');
  });

  it('openJob: rejects a zero amount', async () => {
    await expectRevert(escrowAs(creator).openJob(JOB, 0n, 100, SPEC), 'EscrowZeroAmount');
  });

  it('openJob: fails without an allowance', async () => {
    await tokenAs(creator).transfer(stranger.address, 1000n);
    await expectRevert(escrowAs(stranger).openJob(JOB, 1000n, 100, SPEC), 'ERC20InsufficientAllowance');
  });

  it('openJob: rejects an amount beyond 128 bits', async () => {
    // Only a token with a huge supply could get here; the check keeps the packed books exact.
    const big = await deploy(deployer, reentrantTokenAbi, reentrantTokenBytecode);
    const bigEscrow = await deploy(deployer, jobEscrowAbi, jobEscrowBytecode, big, treasury.address, GRACE);
    await (await new Contract(big, reentrantTokenAbi, creator).getFunction('mint')(creator.address, 2n ** 129n)).wait();
    await new TokenClient(big, creator).approve(bigEscrow, 2n ** 256n - 1n);
    await expectRevert(escrowAs(creator, bigEscrow).openJob(JOB, 2n ** 128n, 100, SPEC), 'EscrowAmountTooLarge');
    await escrowAs(creator, bigEscrow).openJob(JOB, 2n ** 128n - 1n, 100, SPEC);
    await expectRevert(escrowAs(creator, bigEscrow).topUp(JOB, 1n), 'EscrowAmountTooLarge');
  });

  it('openJobWithPermit: opens with a permit and no approval', async () => {
    await tokenAs(creator).transfer(stranger.address, 5000n);
    const permit = await tokenAs(stranger).signPermit(stranger, escrowAddress, 5000n, 2n ** 40n);
    await escrowAs(stranger).openJobWithPermit(JOB, 5000n, 100, SPEC, permit);
    expect((await escrowAs(stranger).getJob(JOB)).balance).toBe(5000n);
    expect(await balance(stranger.address)).toBe(0n);
  });

  it('openJobWithPermit: still opens when someone front-ran the permit', async () => {
    await tokenAs(creator).transfer(stranger.address, 5000n);
    const permit = await tokenAs(stranger).signPermit(stranger, escrowAddress, 5000n, 2n ** 40n);
    const token = tokenAs(operator).contract.getFunction('permit');
    await (await token(stranger.address, escrowAddress, 5000n, permit.deadline, permit.v, permit.r, permit.s)).wait();
    await escrowAs(stranger).openJobWithPermit(JOB, 5000n, 100, SPEC, permit);
    expect((await escrowAs(stranger).getJob(JOB)).balance).toBe(5000n);
  });

  it('openJobWithPermit: a bad permit without allowance fails on the transfer', async () => {
    await tokenAs(creator).transfer(stranger.address, 5000n);
    const permit = await tokenAs(stranger).signPermit(stranger, escrowAddress, 4000n, 2n ** 40n); // signed for less
    await expectRevert(escrowAs(stranger).openJobWithPermit(JOB, 5000n, 100, SPEC, permit), 'ERC20InsufficientAllowance');
  });
});

describe('topUp', () => {
  it('topUp: adds to the balance and emits ToppedUp', async () => {
    await escrowAs(creator).openJob(JOB, 1000n, 100, SPEC);
    const r = await escrowAs(creator).topUp(JOB, 500n);
    const log = escrowAs(creator).contract.interface.parseLog(r.receipt.logs.at(-1)!)!;
    expect([log.name, ...log.args.toArray()]).toEqual(['ToppedUp', JOB, 500n, 1500n]);
    expect(await escrowAs(creator).getJob(JOB)).toMatchObject({ balance: 1500n, unallocated: 1500n });
  });

  it('topUp: only the creator may add, to a known and open job', async () => {
    await expectRevert(escrowAs(creator).topUp(JOB, 500n), 'EscrowUnknownJob');
    await escrowAs(creator).openJob(JOB, 1000n, 100, SPEC);
    await expectRevert(escrowAs(stranger).topUp(JOB, 500n), 'EscrowNotCreator');
    await expectRevert(escrowAs(creator).topUp(JOB, 0n), 'EscrowZeroAmount');
    await escrowAs(creator).requestClose(JOB);
    await chain.increaseTime(GRACE);
    await escrowAs(creator).close(JOB);
    await expectRevert(escrowAs(creator).topUp(JOB, 500n), 'EscrowJobClosed');
  });
});

describe('redeem', () => {
  beforeEach(async () => {
    await escrowAs(creator).openJob(JOB, 100_000n, 200, SPEC);
    await escrowAs(creator).allocate(JOB, [operator.address, operator2.address], [60_000n, 40_000n]);
  });

  it('redeem: pays the operator the amount minus the fee and the fee to the treasury', async () => {
    const r = await redeem(JOB, operator.address, 10_000n);
    expect(await balance(operator.address)).toBe(9_800n);
    expect(await balance(treasury.address)).toBe(200n);
    const log = escrowAs(creator).contract.interface.parseLog(r.receipt.logs.find((l) => l.address === escrowAddress)!)!;
    expect([log.name, ...log.args.toArray()]).toEqual(['Redeemed', JOB, operator.address, 10_000n, 10_000n, 9_800n, 200n, ROOT]);
    expect(await escrowAs(creator).getJob(JOB)).toMatchObject({ balance: 90_000n, paid: 10_000n, unallocated: 0n });
    expect(await escrowAs(creator).shareOf(JOB, operator.address)).toEqual({ allocated: 60_000n, redeemed: 10_000n });
    expect(await escrowAs(creator).redeemed(JOB, operator.address)).toBe(10_000n);
  });

  it('redeem: a later voucher pays only the difference', async () => {
    await redeem(JOB, operator.address, 10_000n);
    await redeem(JOB, operator.address, 25_000n);
    expect(await balance(operator.address)).toBe(24_500n);
    expect(await balance(treasury.address)).toBe(500n);
    expect(await escrowAs(creator).redeemed(JOB, operator.address)).toBe(25_000n);
  });

  it('redeem: rounds the fee down (the operator keeps the dust)', async () => {
    await redeem(JOB, operator.address, 49n); // 49 * 200 / 10000 = 0.98 -> 0
    expect(await balance(operator.address)).toBe(49n);
    expect(await balance(treasury.address)).toBe(0n);
  });

  it('redeem: anyone may submit; the tokens still go to the operator', async () => {
    await redeem(JOB, operator.address, 1000n, creator, stranger);
    expect(await balance(operator.address)).toBe(980n);
    expect(await balance(stranger.address)).toBe(0n);
  });

  it('redeemVoucher: a wire voucher redeems as is', async () => {
    await escrowAs(operator).redeemVoucher(await voucher(JOB, operator.address, 5000n));
    expect(await balance(operator.address)).toBe(4900n);
  });

  it('redeem: operators are tracked apart', async () => {
    await redeem(JOB, operator.address, 1000n);
    await redeem(JOB, operator2.address, 1000n);
    expect(await balance(operator2.address)).toBe(980n);
  });

  it('redeem: rejects a voucher signed by someone else', async () => {
    const e = await expectRevert(redeem(JOB, operator.address, 1000n, stranger), 'EscrowWrongSigner');
    expect(e.details?.args).toEqual([stranger.address, creator.address]);
  });

  it('redeem: rejects a voucher for another operator', async () => {
    const v = await voucher(JOB, operator.address, 1000n);
    await expectRevert(escrowAs(operator2).redeem(JOB, operator2.address, 1000n, ROOT, v.signature), 'EscrowWrongSigner');
  });

  it('redeem: rejects a changed amount or results root', async () => {
    const v = await voucher(JOB, operator.address, 1000n);
    await expectRevert(escrowAs(operator).redeem(JOB, operator.address, 2000n, ROOT, v.signature), 'EscrowWrongSigner');
    await expectRevert(escrowAs(operator).redeem(JOB, operator.address, 1000n, id('other'), v.signature), 'EscrowWrongSigner');
  });

  it('redeem: rejects a voucher for another job of the same creator', async () => {
    await escrowAs(creator).openJob(JOB2, 100_000n, 200, SPEC);
    const v = await voucher(JOB2, operator.address, 1000n);
    await expectRevert(escrowAs(operator).redeem(JOB, operator.address, 1000n, ROOT, v.signature), 'EscrowWrongSigner');
  });

  it('redeem: rejects a voucher for another chain', async () => {
    const v = await voucher(JOB, operator.address, 1000n, creator, escrowDomain(1, escrowAddress));
    await expectRevert(escrowAs(operator).redeem(JOB, operator.address, 1000n, ROOT, v.signature), 'EscrowWrongSigner');
  });

  it('redeem: rejects a voucher for another escrow contract', async () => {
    const other = await deploy(deployer, jobEscrowAbi, jobEscrowBytecode, tokenAddress, treasury.address, GRACE);
    const v = await voucher(JOB, operator.address, 1000n, creator, escrowDomain(31337, other));
    await expectRevert(escrowAs(operator).redeem(JOB, operator.address, 1000n, ROOT, v.signature), 'EscrowWrongSigner');
  });

  it('redeem: rejects a malformed signature', async () => {
    const v = await voucher(JOB, operator.address, 1000n);
    const e = await expectRevert(escrowAs(operator).redeem(JOB, operator.address, 1000n, ROOT, v.signature.slice(0, 130)), 'EscrowWrongSigner');
    expect(e.details?.args).toEqual([ZeroAddress, creator.address]);
  });

  it('redeem: rejects a replayed voucher', async () => {
    const v = await voucher(JOB, operator.address, 1000n);
    await escrowAs(operator).redeem(JOB, operator.address, 1000n, ROOT, v.signature);
    const e = await expectRevert(escrowAs(operator).redeem(JOB, operator.address, 1000n, ROOT, v.signature), 'EscrowNotCumulative');
    expect(e.details?.args).toEqual(['1000', '1000']);
  });

  it('redeem: rejects an older, lower voucher after a newer one', async () => {
    const older = await voucher(JOB, operator.address, 1000n);
    await redeem(JOB, operator.address, 2000n);
    await expectRevert(escrowAs(operator).redeem(JOB, operator.address, 1000n, ROOT, older.signature), 'EscrowNotCumulative');
    await expectRevert(redeem(JOB, operator.address, 0n), 'EscrowNotCumulative');
  });

  it('redeem: rejects the zero operator and an unknown job', async () => {
    await expectRevert(redeem(JOB, ZeroAddress, 1000n), 'EscrowZeroAddress');
    await expectRevert(redeem(JOB2, operator.address, 1000n), 'EscrowUnknownJob');
  });

  it('redeem: still pays during the grace period', async () => {
    await escrowAs(creator).requestClose(JOB);
    await redeem(JOB, operator.address, 1000n);
    expect(await balance(operator.address)).toBe(980n);
  });

  it('redeem: rejects any voucher once the job is closed', async () => {
    const v = await voucher(JOB, operator.address, 1000n);
    await escrowAs(creator).requestClose(JOB);
    await chain.increaseTime(GRACE);
    await escrowAs(creator).close(JOB);
    await expectRevert(escrowAs(operator).redeem(JOB, operator.address, 1000n, ROOT, v.signature), 'EscrowJobClosed');
  });

  it('voucherDigest: the contract and the TypeScript helper agree', async () => {
    const v = { jobId: JOB, operator: operator.address, cumulativeAmount: 123n, resultsRoot: ROOT };
    expect(await escrowAs(stranger).voucherDigest(JOB, operator.address, 123n, ROOT)).toBe(voucherDigest(escrowDomain(31337, escrowAddress), v));
  });
});

describe('requestClose and close', () => {
  beforeEach(async () => {
    await escrowAs(creator).openJob(JOB, 100_000n, 100, SPEC);
    await escrowAs(creator).allocate(JOB, [operator.address], [50_000n]);
  });

  it('close: after the grace period returns the rest to the creator', async () => {
    await redeem(JOB, operator.address, 30_000n);
    const r = await escrowAs(creator).requestClose(JOB);
    const block = await chain.provider.getBlock(r.blockNumber);
    const requested = escrowAs(creator).contract.interface.parseLog(r.receipt.logs[0]!)!;
    expect([requested.name, ...requested.args.toArray()]).toEqual(['CloseRequested', JOB, BigInt(block!.timestamp + GRACE)]);
    expect((await escrowAs(creator).getJob(JOB)).closeRequestedAt).toBe(block!.timestamp);
    await chain.increaseTime(GRACE);
    const before = await balance(creator.address);
    const c = await escrowAs(creator).close(JOB);
    const closed = escrowAs(creator).contract.interface.parseLog(c.receipt.logs.find((l) => l.address === escrowAddress)!)!;
    // 50 000 never allocated + 20 000 allocated and left unredeemed through the grace period.
    expect([closed.name, ...closed.args.toArray()]).toEqual(['Closed', JOB, 70_000n]);
    expect((await balance(creator.address)) - before).toBe(70_000n);
    expect(await balance(escrowAddress)).toBe(0n);
    expect(await escrowAs(creator).getJob(JOB)).toMatchObject({ closed: true, balance: 0n, paid: 30_000n, unallocated: 0n });
  });

  it('close: rejects a close before the grace period ends', async () => {
    await escrowAs(creator).requestClose(JOB);
    const e = await expectRevert(escrowAs(creator).close(JOB), 'EscrowGracePeriodActive');
    await chain.increaseTime(GRACE - 10);
    await expectRevert(escrowAs(creator).close(JOB), 'EscrowGracePeriodActive');
    expect((e.details?.args as string[])[0]).toBe(JOB);
  });

  it('close: rejects a close that was never requested', async () => {
    await expectRevert(escrowAs(creator).close(JOB), 'EscrowCloseNotRequested');
  });

  it('close: only the creator, once', async () => {
    await escrowAs(creator).requestClose(JOB);
    await chain.increaseTime(GRACE);
    await expectRevert(escrowAs(stranger).close(JOB), 'EscrowNotCreator');
    await escrowAs(creator).close(JOB);
    await expectRevert(escrowAs(creator).close(JOB), 'EscrowJobClosed');
    await expectRevert(escrowAs(creator).requestClose(JOB), 'EscrowJobClosed');
  });

  it('requestClose: only the creator, and not twice', async () => {
    await expectRevert(escrowAs(stranger).requestClose(JOB), 'EscrowNotCreator');
    await expectRevert(escrowAs(creator).requestClose(JOB2), 'EscrowUnknownJob');
    await escrowAs(creator).requestClose(JOB);
    await expectRevert(escrowAs(creator).requestClose(JOB), 'EscrowCloseAlreadyRequested');
  });
});

describe('reentrancy', () => {
  let evil: string;
  let evilEscrow: string;

  beforeEach(async () => {
    evil = await deploy(deployer, reentrantTokenAbi, reentrantTokenBytecode);
    evilEscrow = await deploy(deployer, jobEscrowAbi, jobEscrowBytecode, evil, treasury.address, GRACE);
    await (await new Contract(evil, reentrantTokenAbi, creator).getFunction('mint')(creator.address, 1_000_000n)).wait();
    await new TokenClient(evil, creator).approve(evilEscrow, 2n ** 256n - 1n);
  });

  async function arm(call: string, args: unknown[]): Promise<void> {
    const data = new Interface(jobEscrowAbi).encodeFunctionData(call, args);
    await (await new Contract(evil, reentrantTokenAbi, deployer).getFunction('arm')(evilEscrow, data)).wait();
  }

  it('openJob: a token that re-enters on transferFrom is stopped by the guard', async () => {
    await arm('openJob', [JOB2, 1n, 100, SPEC]);
    await expectRevert(escrowAs(creator, evilEscrow).openJob(JOB, 1000n, 100, SPEC), 'ReentrancyGuardReentrantCall');
  });

  it('redeem: a token that re-enters on transfer cannot redeem twice', async () => {
    await escrowAs(creator, evilEscrow).openJob(JOB, 100_000n, 100, SPEC);
    await escrowAs(creator, evilEscrow).allocate(JOB, [operator.address], [100_000n]);
    const v = await voucher(JOB, operator.address, 1000n, creator, escrowDomain(31337, evilEscrow));
    await arm('redeem', [JOB, operator.address, 1000n, ROOT, v.signature]);
    await expectRevert(escrowAs(operator, evilEscrow).redeem(JOB, operator.address, 1000n, ROOT, v.signature), 'ReentrancyGuardReentrantCall');
  });

  it('close: a token that re-enters on the refund cannot close twice', async () => {
    await escrowAs(creator, evilEscrow).openJob(JOB, 100_000n, 100, SPEC);
    await escrowAs(creator, evilEscrow).requestClose(JOB);
    await chain.increaseTime(GRACE);
    await arm('close', [JOB]);
    await expectRevert(escrowAs(creator, evilEscrow).close(JOB), 'ReentrancyGuardReentrantCall');
  });
});
