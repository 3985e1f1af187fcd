// Gas used by each JobEscrow path on a fresh anvil, printed as JSON (npm run bench:gas).
// "redeemFirst" pays an operator for the first time on a job (its redeemed slot goes from zero);
// "redeem" is a later voucher for the same operator, the common case while a job runs.
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
  const v1 = await signVoucher(creator, domain, { jobId: id('job-1'), operator: operator.address, cumulativeAmount: parseEther('1'), resultsRoot: ROOT });
  const redeemFirst = await escrow.connect(operator).redeem(id('job-1'), operator.address, parseEther('1'), ROOT, v1.signature);
  const v2 = await signVoucher(creator, domain, { jobId: id('job-1'), operator: operator.address, cumulativeAmount: parseEther('2'), resultsRoot: ROOT });
  const redeem = await escrow.connect(operator).redeem(id('job-1'), operator.address, parseEther('2'), ROOT, v2.signature);
  const requestClose = await escrow.requestClose(id('job-1'));
  await provider.send('evm_increaseTime', [3600]);
  const close = await escrow.close(id('job-1'));
  const transfer = await token.transfer(operator.address, parseEther('1'));

  const gas = {
    openJob: openJob.gasUsed,
    openJobWithPermit: openJobWithPermit.gasUsed,
    topUp: topUp.gasUsed,
    redeemFirst: redeemFirst.gasUsed,
    redeem: redeem.gasUsed,
    requestClose: requestClose.gasUsed,
    close: close.gasUsed,
    approve: approve.gasUsed,
    tokenTransfer: transfer.gasUsed,
    faucet: faucet.gasUsed,
    deployToken: tokenDeploy.gas,
    deployEscrow: escrowDeploy.gas,
  };
  console.log(JSON.stringify(Object.fromEntries(Object.entries(gas).map(([k, v]) => [k, Number(v)])), null, 2));
} finally {
  provider.destroy();
  await anvil.stop();
}
