import { Wallet, ZeroAddress, id, parseEther } from 'ethers';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jobEscrowAbi, jobEscrowBytecode, renderTokenAbi, renderTokenBytecode } from '../../contracts/generated';
import { EscrowClient, TokenClient } from '../../main/core/chain/contracts';
import { signVoucher } from '../../main/core/chain/voucher';
import { escrowDomain } from '../../shared/voucher';
import { deploy, expectRevert, startTestChain } from './fixture';
import type { TestChain } from './fixture';

// The ring fence: what the creator allocates to an operator is that operator's alone. These
// tests cover allocate itself and the ways a creator (or anyone) might reach into an allocation.

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

function escrowAs(w: Wallet): EscrowClient {
  return new EscrowClient(escrowAddress, w);
}
function balance(who: string): Promise<bigint> {
  return new TokenClient(tokenAddress, deployer).balanceOf(who);
}
async function voucher(jobId: string, op: string, cumulative: bigint) {
  return signVoucher(creator, escrowDomain(31337, escrowAddress), { jobId, operator: op, cumulativeAmount: cumulative, resultsRoot: ROOT });
}
async function redeem(jobId: string, op: string, cumulative: bigint, by: Wallet = operator) {
  const v = await voucher(jobId, op, cumulative);
  return escrowAs(by).redeem(jobId, op, cumulative, ROOT, v.signature);
}
function allocatedEvents(r: Awaited<ReturnType<EscrowClient['allocate']>>): unknown[][] {
  const iface = escrowAs(creator).contract.interface;
  return r.receipt.logs.map((l) => iface.parseLog(l)!).filter((l) => l.name === 'Allocated').map((l) => l.args.toArray());
}

beforeAll(async () => {
  chain = await startTestChain();
  [deployer, treasury, creator, operator, operator2, stranger] = chain.accounts as [Wallet, Wallet, Wallet, Wallet, Wallet, Wallet];
  tokenAddress = await deploy(deployer, renderTokenAbi, renderTokenBytecode);
  escrowAddress = await deploy(deployer, jobEscrowAbi, jobEscrowBytecode, tokenAddress, treasury.address, GRACE);
  await new TokenClient(tokenAddress, creator).faucet(creator.address, parseEther('10000'));
  await new TokenClient(tokenAddress, creator).approve(escrowAddress, 2n ** 256n - 1n);
});
afterAll(async () => {
  await chain?.stop();
});
beforeEach(async () => {
  snap = await chain.snapshot();
  await escrowAs(creator).openJob(JOB, 100_000n, 200, SPEC);
});
afterEach(async () => {
  await chain.revert(snap);
});

describe('allocate', () => {
  it('allocate: reserves parts of the unallocated budget and emits Allocated per operator', async () => {
    const r = await escrowAs(creator).allocate(JOB, [operator.address, operator2.address], [30_000n, 20_000n]);
    expect(allocatedEvents(r)).toEqual([
      [JOB, operator.address, 30_000n, 30_000n],
      [JOB, operator2.address, 20_000n, 20_000n],
    ]);
    expect(await escrowAs(stranger).getJob(JOB)).toMatchObject({ balance: 100_000n, unallocated: 50_000n, paid: 0n });
    expect(await escrowAs(stranger).shareOf(JOB, operator.address)).toEqual({ allocated: 30_000n, redeemed: 0n });
    expect(await escrowAs(stranger).shareOf(JOB, stranger.address)).toEqual({ allocated: 0n, redeemed: 0n });
    expect(await balance(escrowAddress)).toBe(100_000n);
  });

  it('allocate: adds to an allocation, also when an operator appears twice in one batch', async () => {
    await escrowAs(creator).allocate(JOB, [operator.address], [10_000n]);
    const r = await escrowAs(creator).allocate(JOB, [operator.address, operator.address], [5_000n, 1_000n]);
    expect(allocatedEvents(r)).toEqual([
      [JOB, operator.address, 5_000n, 15_000n],
      [JOB, operator.address, 1_000n, 16_000n],
    ]);
    expect((await escrowAs(creator).getJob(JOB)).unallocated).toBe(84_000n);
  });

  it('allocate: rejects more than the unallocated budget, summed over the batch', async () => {
    await escrowAs(creator).allocate(JOB, [operator.address], [60_000n]);
    const e = await expectRevert(escrowAs(creator).allocate(JOB, [operator2.address, stranger.address], [30_000n, 10_001n]), 'EscrowAllocationExceedsUnallocated');
    expect(e.details?.args).toEqual([JOB, '10001', '10000']);
    await expectRevert(escrowAs(creator).allocate(JOB, [operator2.address], [2n ** 200n]), 'EscrowAllocationExceedsUnallocated');
    await escrowAs(creator).allocate(JOB, [operator2.address, stranger.address], [30_000n, 10_000n]); // exactly the rest
    expect((await escrowAs(creator).getJob(JOB)).unallocated).toBe(0n);
  });

  it('allocate: a top-up adds to the unallocated budget', async () => {
    await escrowAs(creator).allocate(JOB, [operator.address], [100_000n]);
    await escrowAs(creator).topUp(JOB, 7_000n);
    expect(await escrowAs(creator).getJob(JOB)).toMatchObject({ balance: 107_000n, unallocated: 7_000n });
    await escrowAs(creator).allocate(JOB, [operator2.address], [7_000n]);
  });

  it('allocate: only the creator, on a known and open job', async () => {
    const e = await expectRevert(escrowAs(operator).allocate(JOB, [operator.address], [1_000n]), 'EscrowNotCreator');
    expect(e.details?.args).toEqual([JOB, operator.address, creator.address]);
    await expectRevert(escrowAs(creator).allocate(JOB2, [operator.address], [1_000n]), 'EscrowUnknownJob');
    await escrowAs(creator).requestClose(JOB);
    await escrowAs(creator).allocate(JOB, [operator.address], [1_000n]); // still open during the grace period
    await chain.increaseTime(GRACE);
    await escrowAs(creator).close(JOB);
    await expectRevert(escrowAs(creator).allocate(JOB, [operator.address], [1_000n]), 'EscrowJobClosed');
  });

  it('allocate: rejects empty or mismatched lists', async () => {
    const e = await expectRevert(escrowAs(creator).allocate(JOB, [operator.address, operator2.address], [1_000n]), 'EscrowLengthMismatch');
    expect(e.details?.args).toEqual(['2', '1']);
    await expectRevert(escrowAs(creator).allocate(JOB, [], []), 'EscrowLengthMismatch');
  });

  it('allocate: rejects the zero operator and a zero amount', async () => {
    await expectRevert(escrowAs(creator).allocate(JOB, [operator.address, ZeroAddress], [1_000n, 1_000n]), 'EscrowZeroAddress');
    await expectRevert(escrowAs(creator).allocate(JOB, [operator.address], [0n]), 'EscrowZeroAmount');
    expect((await escrowAs(creator).getJob(JOB)).unallocated).toBe(100_000n);
  });
});

describe('redeem within the allocation', () => {
  beforeEach(async () => {
    await escrowAs(creator).allocate(JOB, [operator.address, operator2.address], [60_000n, 40_000n]);
  });

  it('redeem: a voucher above the allocation pays up to it, and the rest after more is allocated', async () => {
    await escrowAs(creator).topUp(JOB, 10_000n);
    const v = await voucher(JOB, operator2.address, 45_000n);
    const r = await escrowAs(operator2).redeem(JOB, operator2.address, 45_000n, ROOT, v.signature);
    const log = escrowAs(creator).contract.interface.parseLog(r.receipt.logs.find((l) => l.address === escrowAddress)!)!;
    expect([log.name, ...log.args.toArray()]).toEqual(['Redeemed', JOB, operator2.address, 45_000n, 40_000n, 39_200n, 800n, ROOT]);
    const e = await expectRevert(escrowAs(operator2).redeem(JOB, operator2.address, 45_000n, ROOT, v.signature), 'EscrowAllocationExhausted');
    expect(e.details?.args).toEqual([JOB, operator2.address, '40000']);
    await escrowAs(creator).allocate(JOB, [operator2.address], [10_000n]);
    await escrowAs(operator2).redeem(JOB, operator2.address, 45_000n, ROOT, v.signature); // the same voucher, the rest of it
    expect(await balance(operator2.address)).toBe(44_100n);
    expect(await escrowAs(creator).shareOf(JOB, operator2.address)).toEqual({ allocated: 50_000n, redeemed: 45_000n });
    expect(await escrowAs(creator).getJob(JOB)).toMatchObject({ balance: 65_000n, unallocated: 0n });
  });

  it('redeem: rejects a voucher for an operator with no allocation', async () => {
    const e = await expectRevert(redeem(JOB, stranger.address, 1000n), 'EscrowAllocationExhausted');
    expect(e.details?.args).toEqual([JOB, stranger.address, '0']);
  });

  it("redeem: the creator's own vouchers cannot reach an operator's allocation", async () => {
    // The creator signs itself a voucher for the whole budget: it can only be paid from an
    // allocation of its own, and there is nothing left to allocate.
    await expectRevert(redeem(JOB, creator.address, 100_000n, creator), 'EscrowAllocationExhausted');
    await expectRevert(escrowAs(creator).allocate(JOB, [creator.address], [1n]), 'EscrowAllocationExceedsUnallocated');
    await escrowAs(creator).topUp(JOB, 5_000n);
    await escrowAs(creator).allocate(JOB, [creator.address], [5_000n]);
    await redeem(JOB, creator.address, 100_000n, creator); // pays its own 5 000, no more
    await redeem(JOB, operator.address, 60_000n);
    await redeem(JOB, operator2.address, 40_000n, operator2);
    expect(await balance(operator.address)).toBe(58_800n);
    expect(await balance(operator2.address)).toBe(39_200n);
    expect((await escrowAs(creator).getJob(JOB)).balance).toBe(0n);
  });

  it('close: an allocation stays redeemable through the whole grace period and returns only after it', async () => {
    await redeem(JOB, operator.address, 10_000n);
    await escrowAs(creator).requestClose(JOB);
    await chain.increaseTime(GRACE - 60);
    await expectRevert(escrowAs(creator).close(JOB), 'EscrowGracePeriodActive');
    await redeem(JOB, operator.address, 60_000n);
    await chain.increaseTime(60);
    const before = await balance(creator.address);
    await escrowAs(creator).close(JOB);
    // operator2 never redeemed: its 40 000 go back, and operator's 60 000 were paid in time.
    expect((await balance(creator.address)) - before).toBe(40_000n);
    expect(await balance(operator.address)).toBe(58_800n);
    await expectRevert(redeem(JOB, operator2.address, 40_000n, operator2), 'EscrowJobClosed');
  });
});
