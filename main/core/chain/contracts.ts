import { Contract, Signature } from 'ethers';
import type { ContractRunner, Provider, Signer } from 'ethers';
import { jobEscrowAbi, renderTokenAbi } from '../../../contracts/generated';
import type { SignedVoucher } from '../../../shared/voucher';
import { sendTx } from './tx';
import type { SendTxOptions, TxOutcome } from './tx';

/** A job's state as JobEscrow.getJob returns it. */
export interface EscrowJob {
  creator: string;
  feeBps: number;
  /** Unix seconds of requestClose; 0 when none. */
  closeRequestedAt: number;
  closed: boolean;
  /** Tokens held for the job, allocated or not. */
  balance: bigint;
  paid: bigint;
  /** The part of balance not allocated to any operator yet. */
  unallocated: bigint;
}

/** One operator's share of one job as JobEscrow.shareOf returns it. */
export interface EscrowShare {
  /** Everything allocated to the operator on the job; it never decreases. */
  allocated: bigint;
  /** What the operator has redeemed (before fees), never above allocated. */
  redeemed: bigint;
}

/** An ERC-2612 permit signature, split as openJobWithPermit takes it. */
export interface PermitSignature {
  deadline: bigint;
  v: number;
  r: string;
  s: string;
}

/** The address a runner sends from, when it is a wallet (its sends are then one at a time, see sendTx). */
function senderOf(runner: ContractRunner): string | undefined {
  const a = (runner as { address?: unknown }).address;
  return typeof a === 'string' ? a : undefined;
}

function providerOf(runner: ContractRunner): Provider {
  const provider = runner.provider;
  if (!provider) throw new Error('The contract runner has no provider');
  return provider;
}

/** Thin typed wrapper over an ERC-20 (RenderToken on the dev chain, any ERC-20 elsewhere). */
export class TokenClient {
  /** The underlying ethers contract, for event queries. */
  readonly contract: Contract;

  constructor(readonly address: string, private readonly runner: ContractRunner) {
    this.contract = new Contract(address, renderTokenAbi, runner);
  }

  /** The same token, sending from `signer`. */
  connect(signer: Signer): TokenClient {
    return new TokenClient(this.address, signer);
  }

  /** Balance of `owner` in the smallest unit. */
  async balanceOf(owner: string): Promise<bigint> {
    return (await this.contract.getFunction('balanceOf')(owner)) as bigint;
  }

  /** The token's decimals. */
  async decimals(): Promise<number> {
    return Number(await this.contract.getFunction('decimals')());
  }

  /** The token's symbol. */
  async symbol(): Promise<string> {
    return (await this.contract.getFunction('symbol')()) as string;
  }

  /** What `spender` may still pull from `owner`. */
  async allowance(owner: string, spender: string): Promise<bigint> {
    return (await this.contract.getFunction('allowance')(owner, spender)) as bigint;
  }

  /** Allows `spender` to pull `amount`. */
  approve(spender: string, amount: bigint, options?: SendTxOptions): Promise<TxOutcome> {
    return sendTx(providerOf(this.runner), () => this.contract.getFunction('approve')(spender, amount), { ...options, from: senderOf(this.runner) });
  }

  /** Sends `amount` to `to`. */
  transfer(to: string, amount: bigint, options?: SendTxOptions): Promise<TxOutcome> {
    return sendTx(providerOf(this.runner), () => this.contract.getFunction('transfer')(to, amount), { ...options, from: senderOf(this.runner) });
  }

  /** Mints from the dev-chain faucet (RenderToken on chain 31337 only). */
  faucet(to: string, amount: bigint, options?: SendTxOptions): Promise<TxOutcome> {
    return sendTx(providerOf(this.runner), () => this.contract.getFunction('faucet')(to, amount), { ...options, from: senderOf(this.runner) });
  }

  /** Signs an ERC-2612 permit letting `spender` pull `value` from the signer until `deadline`. */
  async signPermit(signer: Signer, spender: string, value: bigint, deadline: bigint): Promise<PermitSignature> {
    const owner = await signer.getAddress();
    const [name, nonce, network] = await Promise.all([
      this.contract.getFunction('name')() as Promise<string>,
      this.contract.getFunction('nonces')(owner) as Promise<bigint>,
      providerOf(this.runner).getNetwork(),
    ]);
    const domain = { name, version: '1', chainId: network.chainId, verifyingContract: this.address };
    const types = {
      Permit: [
        { name: 'owner', type: 'address' },
        { name: 'spender', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'nonce', type: 'uint256' },
        { name: 'deadline', type: 'uint256' },
      ],
    };
    const sig = Signature.from(await signer.signTypedData(domain, types, { owner, spender, value, nonce, deadline }));
    return { deadline, v: sig.v, r: sig.r, s: sig.s };
  }
}

/** Thin typed wrapper over JobEscrow. */
export class EscrowClient {
  /** The underlying ethers contract, for event queries. */
  readonly contract: Contract;

  constructor(readonly address: string, private readonly runner: ContractRunner) {
    this.contract = new Contract(address, jobEscrowAbi, runner);
  }

  /** The same escrow, sending from `signer`. */
  connect(signer: Signer): EscrowClient {
    return new EscrowClient(this.address, signer);
  }

  private send(name: string, args: unknown[], options?: SendTxOptions): Promise<TxOutcome> {
    return sendTx(providerOf(this.runner), () => this.contract.getFunction(name)(...args), { ...options, from: senderOf(this.runner) });
  }

  /** Opens a job, pulling `amount` (approved beforehand). */
  openJob(jobId: string, amount: bigint, feeBps: number, specHash: string, options?: SendTxOptions): Promise<TxOutcome> {
    return this.send('openJob', [jobId, amount, feeBps, specHash], options);
  }

  /** Opens a job with an ERC-2612 permit instead of an approval. */
  openJobWithPermit(jobId: string, amount: bigint, feeBps: number, specHash: string, permit: PermitSignature, options?: SendTxOptions): Promise<TxOutcome> {
    return this.send('openJobWithPermit', [jobId, amount, feeBps, specHash, permit.deadline, permit.v, permit.r, permit.s], options);
  }

  /** Adds budget to a job. */
  topUp(jobId: string, amount: bigint, options?: SendTxOptions): Promise<TxOutcome> {
    return this.send('topUp', [jobId, amount], options);
  }

  /** Adds `amounts[i]` to `operators[i]`'s allocation on `jobId`, out of its unallocated budget. */
  allocate(jobId: string, operators: readonly string[], amounts: readonly bigint[], options?: SendTxOptions): Promise<TxOutcome> {
    return this.send('allocate', [jobId, [...operators], [...amounts]], options);
  }

  /** Redeems a creator-signed voucher for `operator` (paying at most its allocation). */
  redeem(jobId: string, operator: string, cumulativeAmount: bigint, resultsRoot: string, signature: string, options?: SendTxOptions): Promise<TxOutcome> {
    return this.send('redeem', [jobId, operator, cumulativeAmount, resultsRoot, signature], options);
  }

  /** Redeems a voucher as it arrived over the network (see shared/voucher.ts). */
  redeemVoucher(v: SignedVoucher, options?: SendTxOptions): Promise<TxOutcome> {
    return this.redeem(v.jobId, v.operator, BigInt(v.cumulativeAmount), v.resultsRoot, v.signature, options);
  }

  /** Starts the close grace period. */
  requestClose(jobId: string, options?: SendTxOptions): Promise<TxOutcome> {
    return this.send('requestClose', [jobId], options);
  }

  /** Closes after the grace period, refunding the creator. */
  close(jobId: string, options?: SendTxOptions): Promise<TxOutcome> {
    return this.send('close', [jobId], options);
  }

  /** A job's state (creator is the zero address for an unknown id). */
  async getJob(jobId: string): Promise<EscrowJob> {
    const j = (await this.contract.getFunction('getJob')(jobId)) as {
      creator: string;
      feeBps: bigint;
      closeRequestedAt: bigint;
      closed: boolean;
      balance: bigint;
      paid: bigint;
      unallocated: bigint;
    };
    return {
      creator: j.creator,
      feeBps: Number(j.feeBps),
      closeRequestedAt: Number(j.closeRequestedAt),
      closed: j.closed,
      balance: j.balance,
      paid: j.paid,
      unallocated: j.unallocated,
    };
  }

  /** `operator`'s allocation on `jobId` and what it redeemed of it. */
  async shareOf(jobId: string, operator: string): Promise<EscrowShare> {
    const s = (await this.contract.getFunction('shareOf')(jobId, operator)) as { allocated: bigint; redeemed: bigint };
    return { allocated: s.allocated, redeemed: s.redeemed };
  }

  /** What `operator` has redeemed on `jobId` so far. */
  async redeemed(jobId: string, operator: string): Promise<bigint> {
    return (await this.contract.getFunction('redeemed')(jobId, operator)) as bigint;
  }

  /** The digest the contract expects the creator to have signed. */
  async voucherDigest(jobId: string, operator: string, cumulativeAmount: bigint, resultsRoot: string): Promise<string> {
    return (await this.contract.getFunction('voucherDigest')(jobId, operator, cumulativeAmount, resultsRoot)) as string;
  }

  /** The escrow's token address. */
  async token(): Promise<string> {
    return (await this.contract.getFunction('token')()) as string;
  }

  /** Where fees go. */
  async treasury(): Promise<string> {
    return (await this.contract.getFunction('treasury')()) as string;
  }

  /** Seconds between requestClose and the earliest close. */
  async gracePeriod(): Promise<number> {
    return Number(await this.contract.getFunction('gracePeriod')());
  }
}
