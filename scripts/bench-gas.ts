// Gas used by each JobEscrow path on a fresh anvil, printed as JSON (npm run bench:gas).
// "allocateOne" gives one operator its first allocation on a job; "allocateTen" does ten
// operators in one batch and "allocateMore" adds to an existing allocation. "redeemFirst" pays
// an operator for the first time on a job; "redeem" is a later voucher for the same operator,
// the common case while a job runs. "job10" is what a creator's job with ten operators costs
// from open to close (openJob, one batched allocate, each operator's first redeem, close),
// against "job10Before": openJob + 10 first redeems as measured before allocations existed
// (107 561 + 10 × 120 631), the goal being at most twice that.
import { ContractFactory, HDNodeWallet, Wallet, id, parseEther } from 'ethers';
import { jobEscrowAbi, jobEscrowBytecode, renderTokenAbi, renderTokenBytecode } from '../contracts/generated';
import { DEV_MNEMONIC, startAnvil } from '../main/core/chain/anvil';
import { EscrowClient, TokenClient } from '../main/core/chain/contracts';
import { makeProvider } from '../main/core/chain/network';
import { signVoucher } from '../main/core/chain/voucher';
import { escrowDomain } from '../shared/voucher';

const anvil = await startAnvil({});
const provider = makeProvider(anvil.rpcUrl, 31337);
try {
  const root = HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0");
  const [deployer, treasury, creator, operator] = [0, 1, 2, 3].map((i) => new Wallet(root.deriveChild(i).privateKey, provider)) as [Wallet, Wallet, Wallet, Wallet];
  // Ten more operators, funded with ETH for gas from the deployer.
  const ten = Array.from({ length: 10 }, (_, i) => new Wallet(root.deriveChild(10 + i).privateKey, provider));
  const deploy = async (abi: typeof jobEscrowAbi | typeof renderTokenAbi, bytecode: string, ...args: unknown[]) => {
    const c = await new ContractFactory(abi, bytecode, deployer).deploy(...args);
    const receipt = await c.deploymentTransaction()!.wait();
    return { address: await c.getAddress(), gas: receipt!.gasUsed };
  };
  const tokenDeploy = await deploy(renderTokenAbi, renderTokenBytecode);
  const escrowDeploy = await deploy(jobEscrowAbi, jobEscrowBytecode, tokenDeploy.address, treasury.address, 3600);
  const token = new TokenClient(tokenDeploy.address, creator);
  const escrow = new EscrowClient(escrowDeploy.address, creator);
  const domain = escrowDomain(31337, escrow.address);
  const ROOT = id('root');

  const faucet = await token.faucet(creator.address, parseEther('10000'));
  const approve = await token.approve(escrow.address, 2n ** 256n - 1n);
  const openJob = await escrow.openJob(id('job-1'), parseEther('100'), 200, id('spec'));
  const topUp = await escrow.topUp(id('job-1'), parseEther('10'));
  // The permit replaces the unlimited approval, so it comes after every approved pull.
  const permit = await token.signPermit(creator, escrow.address, parseEther('100'), 2n ** 40n);
  const openJobWithPermit = await escrow.openJobWithPermit(id('job-2'), parseEther('100'), 200, id('spec'), permit);
  const allocateOne = await escrow.allocate(id('job-1'), [operator.address], [parseEther('1')]);
  const allocateMore = await escrow.allocate(id('job-1'), [operator.address], [parseEther('1')]);
  const v1 = await signVoucher(creator, domain, { jobId: id('job-1'), operator: operator.address, cumulativeAmount: parseEther('1'), resultsRoot: ROOT });
  const redeemFirst = await escrow.connect(operator).redeem(id('job-1'), operator.address, parseEther('1'), ROOT, v1.signature);
  const v2 = await signVoucher(creator, domain, { jobId: id('job-1'), operator: operator.address, cumulativeAmount: parseEther('2'), resultsRoot: ROOT });
  const redeem = await escrow.connect(operator).redeem(id('job-1'), operator.address, parseEther('2'), ROOT, v2.signature);
  const requestClose = await escrow.requestClose(id('job-1'));
  await provider.send('evm_increaseTime', [3600]);
  const close = await escrow.close(id('job-1'));
  const transfer = await token.transfer(operator.address, parseEther('1'));

  // A job with ten operators, each paid one voucher.
  const job10 = id('job-10');
  for (const w of ten) await (await deployer.sendTransaction({ to: w.address, value: parseEther('1') })).wait();
  await token.approve(escrow.address, 2n ** 256n - 1n);
  const open10 = await escrow.openJob(job10, parseEther('10'), 200, id('spec'));
  const allocateTen = await escrow.allocate(job10, ten.map((w) => w.address), ten.map(() => parseEther('1')));
  // The app allocates per round of leases: later rounds add to slots already non-zero.
  await escrow.topUp(job10, parseEther('10'));
  const allocateTenMore = await escrow.allocate(job10, ten.map((w) => w.address), ten.map(() => parseEther('0.5')));
  let redeems10 = 0n;
  for (const w of ten) {
    const v = await signVoucher(creator, domain, { jobId: job10, operator: w.address, cumulativeAmount: parseEther('1'), resultsRoot: ROOT });
    redeems10 += (await escrow.connect(w).redeem(job10, w.address, parseEther('1'), ROOT, v.signature)).gasUsed;
  }
  const request10 = await escrow.requestClose(job10);
  await provider.send('evm_increaseTime', [3600]);
  const close10 = await escrow.close(job10);
  const job10Total = open10.gasUsed + allocateTen.gasUsed + redeems10 + request10.gasUsed + close10.gasUsed;
  const job10Before = 107_561n + 10n * 120_631n;

  const gas = {
    openJob: openJob.gasUsed,
    openJobWithPermit: openJobWithPermit.gasUsed,
    topUp: topUp.gasUsed,
    allocateOne: allocateOne.gasUsed,
    allocateMore: allocateMore.gasUsed,
    allocateTen: allocateTen.gasUsed,
    allocatePerOperatorInBatch: (allocateTen.gasUsed - allocateOne.gasUsed) / 9n,
    allocateTenMore: allocateTenMore.gasUsed,
    redeemFirst: redeemFirst.gasUsed,
    redeem: redeem.gasUsed,
    requestClose: requestClose.gasUsed,
    close: close.gasUsed,
    approve: approve.gasUsed,
    tokenTransfer: transfer.gasUsed,
    faucet: faucet.gasUsed,
    deployToken: tokenDeploy.gas,
    deployEscrow: escrowDeploy.gas,
    job10OpenAllocateRedeem: open10.gasUsed + allocateTen.gasUsed + redeems10,
    job10WithClose: job10Total,
    job10Before,
    // As the app runs it: ten operators doing four tasks each, one batched allocate per round
    // of leases, one redeem each at the end.
    job10x4Rounds: open10.gasUsed + allocateTen.gasUsed + 3n * allocateTenMore.gasUsed + redeems10,
  };
  const out: Record<string, number> = Object.fromEntries(Object.entries(gas).map(([k, v]) => [k, Number(v)]));
  out.job10Ratio = Math.round((Number(gas.job10OpenAllocateRedeem) / Number(job10Before)) * 1000) / 1000;
  out.job10x4RoundsRatio = Math.round((Number(gas.job10x4Rounds) / Number(job10Before)) * 1000) / 1000;
  console.log(JSON.stringify(out, null, 2));
} finally {
  provider.destroy();
  await anvil.stop();
}
