import { TypedDataEncoder, getAddress, verifyTypedData } from 'ethers';
import type { Signer, TypedDataField } from 'ethers';
import { RayfarmError } from '../errors';
import { SignedVoucherSchema, VOUCHER_TYPES, escrowDomain } from '../../../shared/voucher';
import type { EscrowDomain, SignedVoucher, Voucher } from '../../../shared/voucher';

// ethers wants mutable arrays; the shared definition is `as const`.
const types = VOUCHER_TYPES as unknown as Record<string, TypedDataField[]>;

function values(v: Voucher): Record<string, unknown> {
  return { jobId: v.jobId, operator: v.operator, cumulativeAmount: v.cumulativeAmount, resultsRoot: v.resultsRoot };
}

/** The EIP-712 digest of a voucher, equal to JobEscrow.voucherDigest. */
export function voucherDigest(domain: EscrowDomain, voucher: Voucher): string {
  return TypedDataEncoder.hash(domain, types, values(voucher));
}

/** Signs a voucher with the creator's key (the creator side of a payment). */
export async function signVoucher(signer: Signer, domain: EscrowDomain, voucher: Voucher): Promise<SignedVoucher> {
  if (voucher.cumulativeAmount < 0n) throw new RayfarmError('VOUCHER_BAD_AMOUNT', 'A voucher amount cannot be negative.');
  const signature = await signer.signTypedData(domain, types, values(voucher));
  return {
    jobId: voucher.jobId,
    operator: getAddress(voucher.operator),
    cumulativeAmount: voucher.cumulativeAmount.toString(),
    resultsRoot: voucher.resultsRoot,
    signature,
  };
}

/** The address a signed voucher recovers to under `domain`. */
export function recoverVoucherSigner(domain: EscrowDomain, signed: SignedVoucher): string {
  const parsed = SignedVoucherSchema.safeParse(signed);
  if (!parsed.success) throw new RayfarmError('VOUCHER_MALFORMED', `The voucher is malformed: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  return verifyTypedData(domain, types, values(toVoucher(signed)), signed.signature);
}

/**
 * Checks a voucher before an operator accepts it: well formed, for this escrow and chain,
 * signed by `creator`. Throws VOUCHER_WRONG_SIGNER (or VOUCHER_MALFORMED) otherwise.
 */
export function verifyVoucher(domain: EscrowDomain, signed: SignedVoucher, creator: string): Voucher {
  let recovered: string;
  try {
    recovered = recoverVoucherSigner(domain, signed);
  } catch (err) {
    if (err instanceof RayfarmError) throw err;
    throw new RayfarmError('VOUCHER_MALFORMED', `The voucher signature is invalid: ${(err as Error).message}`, { cause: err });
  }
  if (getAddress(recovered) !== getAddress(creator)) {
    throw new RayfarmError('VOUCHER_WRONG_SIGNER', `The voucher was signed by ${recovered}, not by the job's creator ${getAddress(creator)}.`, {
      details: { recovered, creator },
    });
  }
  return toVoucher(signed);
}

/** The signed fields as a Voucher (amount back to bigint). */
export function toVoucher(signed: SignedVoucher): Voucher {
  return { jobId: signed.jobId, operator: signed.operator, cumulativeAmount: BigInt(signed.cumulativeAmount), resultsRoot: signed.resultsRoot };
}

export { escrowDomain };
