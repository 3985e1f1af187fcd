/**
 * Checksummed addresses, remembered. ethers' getAddress hashes the address (keccak-256)
 * on every call; the creator checksums the same few thousand operator addresses on every
 * lease and result.
 */
import { getAddress } from 'ethers';

const MAX = 20_000;
const known = new Map<string, string>();

/** getAddress(address), from a bounded cache (throws as getAddress does for a bad address). */
export function checksumAddress(address: string): string {
  // Keyed by the exact string: a mixed-case address with a wrong checksum must still throw.
  let v = known.get(address);
  if (v === undefined) {
    v = getAddress(address);
    if (known.size >= MAX) known.clear();
    known.set(address, v);
  }
  return v;
}
