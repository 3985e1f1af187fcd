import { Wallet, id, parseEther } from 'ethers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jobEscrowAbi, jobEscrowBytecode, renderTokenAbi, renderTokenBytecode } from '../../../../../contracts/generated';
import { EscrowClient, TokenClient } from '../../../../../main/core/chain/contracts';
import { Allocations } from '../../../../../main/core/creator/pay/allocations';
import { deploy, startTestChain } from '../../../../contracts/fixture';
import type { TestChain } from '../../../../contracts/fixture';

let chain: TestChain;
let creator: Wallet;
let ops: Wallet[];
let escrow: EscrowClient;

beforeAll(async () => {
  chain = await startTestChain();
  const [deployer, treasury, c, ...rest] = chain.accounts as Wallet[];
  creator = c!;
  ops = rest.slice(0, 3);
  const token = await deploy(deployer!, renderTokenAbi, renderTokenBytecode);
  const escrowAddress = await deploy(deployer!, jobEscrowAbi, jobEscrowBytecode, token, treasury!.address, 3600);
  await new TokenClient(token, creator).faucet(creator.address, parseEther('100'));
  await new TokenClient(token, creator).approve(escrowAddress, 2n ** 256n - 1n);
  escrow = new EscrowClient(escrowAddress, creator);
});
afterAll(async () => {
  await chain?.stop();
});

it('cover: asks gathered in a batch become one allocate for every operator short of its need, read back from the chain', async () => {
  const job = id('alloc-batch');
  await escrow.openJob(job, 1000n, 100, id('spec'));
  const sent: number[] = [];
  const chainView = { shareOf: escrow.shareOf.bind(escrow), getJob: escrow.getJob.bind(escrow), allocate: async (j: string, o: readonly string[], a: readonly bigint[]) => (sent.push(o.length), escrow.allocate(j, o, a)) };
  const alloc = new Allocations({ chain: chainView, batchMs: 60_000 });
  expect(ops.map((o) => alloc.cover(job, o.address, 100n))).toEqual([false, false, false]);
  expect(alloc.cover(job, ops[0]!.address, 200n)).toBe(false); // a bigger need replaces the smaller one
  await alloc.flush();
  expect(sent).toEqual([3]);
  expect(await Promise.all(ops.map(async (o) => (await escrow.shareOf(job, o.address)).allocated))).toEqual([200n, 100n, 100n]);
  expect(ops.map((o) => alloc.cover(job, o.address, 100n))).toEqual([true, true, true]);
  // Another process (or a restart) with no memory reads the shares and sends nothing twice.
  const fresh = new Allocations({ chain: chainView, batchMs: 60_000 });
  expect(fresh.cover(job, ops[1]!.address, 100n)).toBe(false);
  await fresh.flush();
  expect(sent).toEqual([3]);
  expect(fresh.cover(job, ops[1]!.address, 100n)).toBe(true);
});

it('cover: a need the unallocated budget cannot meet marks the job short until it is topped up', async () => {
  const job = id('alloc-short');
  await escrow.openJob(job, 300n, 100, id('spec'));
  const alloc = new Allocations({ chain: escrow, batchMs: 60_000 });
  alloc.cover(job, ops[0]!.address, 250n);
  alloc.cover(job, ops[1]!.address, 100n);
  await alloc.flush();
  // The first fits; the second does not (50 left), and nothing partial is allocated for it.
  expect((await escrow.shareOf(job, ops[1]!.address)).allocated).toBe(0n);
  expect(alloc.isShort(job, 300n)).toBe(true);
  await escrow.topUp(job, 100n);
  expect(alloc.isShort(job, 400n)).toBe(false);
  expect(alloc.cover(job, ops[1]!.address, 100n)).toBe(false);
  await alloc.flush();
  expect((await escrow.shareOf(job, ops[1]!.address)).allocated).toBe(100n);
  expect((await escrow.getJob(job)).unallocated).toBe(50n);
});
