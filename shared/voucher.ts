import { z } from 'zod';

/**
 * The EIP-712 voucher a creator signs to pay an operator, as JobEscrow checks it. Pure data
 * (no ethers, no node) so the renderer, the network protocols and the chain code agree on
 * one definition; signing and verifying live in main/core/chain/voucher.ts.
 */

/** EIP-712 domain name of JobEscrow (its constructor's `EIP712(name, version)`). */
export const ESCROW_DOMAIN_NAME = 'Rayfarm JobEscrow';
/** EIP-712 domain version of JobEscrow. */
export const ESCROW_DOMAIN_VERSION = '1';

/** The typed-data type of a voucher, in the form ethers' signTypedData takes. */
export const VOUCHER_TYPES = {
  Voucher: [
    { name: 'jobId', type: 'bytes32' },
    { name: 'operator', type: 'address' },
    { name: 'cumulativeAmount', type: 'uint256' },
    { name: 'resultsRoot', type: 'bytes32' },
  ],
} as const;

const bytes32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 0x-prefixed 32-byte hex string');
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte address');

/** A voucher on the wire: amounts as decimal strings in the token's smallest unit. */
export const SignedVoucherSchema = z.object({
  jobId: bytes32,
  operator: address,
  cumulativeAmount: z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'expected a non-negative integer as a decimal string'),
  resultsRoot: bytes32,
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'expected a 65-byte signature'),
});
/** A signed voucher as it travels between nodes and through the API. */
export type SignedVoucher = z.infer<typeof SignedVoucherSchema>;

/** The voucher's fields in the form they are signed (amount as bigint). */
export interface Voucher {
  jobId: string;
  operator: string;
  cumulativeAmount: bigint;
  resultsRoot: string;
}

/** The EIP-712 domain of one escrow deployment. */
export interface EscrowDomain {
  name: string;
  version: string;
  chainId: bigint;
  verifyingContract: string;
}

/** The domain of the escrow at `verifyingContract` on `chainId`. */
export function escrowDomain(chainId: bigint | number, verifyingContract: string): EscrowDomain {
  return { name: ESCROW_DOMAIN_NAME, version: ESCROW_DOMAIN_VERSION, chainId: BigInt(chainId), verifyingContract };
}
