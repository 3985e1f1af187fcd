/**
 * The Merkle root a voucher carries: the results it pays for, committed on chain in the
 * Redeemed event. Leaves are keccak256 of each result's 32-byte SHA-256, sorted, so the root
 * depends only on the set of results; inner nodes hash their two children in sorted order
 * (the convention OpenZeppelin's MerkleProof verifies), so a proof needs no left/right flags.
 */
import { ZeroHash, concat, getBytes, keccak256 } from 'ethers';

function leafOf(resultHash: string): string {
  const hex = resultHash.startsWith('0x') ? resultHash : `0x${resultHash}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`"${resultHash}" is not a 32-byte hash`);
  return keccak256(hex.toLowerCase());
}

function hashPair(a: string, b: string): string {
  return a.toLowerCase() < b.toLowerCase() ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
}

function sortedLeaves(resultHashes: readonly string[]): string[] {
  return [...new Set(resultHashes.map(leafOf))].sort();
}

function levels(leaves: string[]): string[][] {
  const out = [leaves];
  while (out[out.length - 1]!.length > 1) {
    const prev = out[out.length - 1]!;
    const next: string[] = [];
    for (let i = 0; i < prev.length; i += 2) next.push(i + 1 < prev.length ? hashPair(prev[i]!, prev[i + 1]!) : prev[i]!);
    out.push(next);
  }
  return out;
}

/** The root over a set of result hashes (hex, with or without 0x); ZeroHash for none. */
export function merkleRoot(resultHashes: readonly string[]): string {
  const leaves = sortedLeaves(resultHashes);
  if (leaves.length === 0) return ZeroHash;
  const ls = levels(leaves);
  return ls[ls.length - 1]![0]!;
}

/** The sibling path proving that `resultHash` is under the root of `resultHashes`. */
export function merkleProof(resultHashes: readonly string[], resultHash: string): string[] {
  const ls = levels(sortedLeaves(resultHashes));
  let idx = ls[0]!.indexOf(leafOf(resultHash));
  if (idx < 0) throw new Error('the result is not in the set');
  const proof: string[] = [];
  for (let l = 0; l < ls.length - 1; l++) {
    const sib = idx ^ 1;
    if (sib < ls[l]!.length) proof.push(ls[l]![sib]!);
    idx >>= 1;
  }
  return proof;
}

/** Checks a proof from merkleProof against a root. */
export function verifyMerkleProof(root: string, resultHash: string, proof: readonly string[]): boolean {
  let h = leafOf(resultHash);
  for (const p of proof) h = hashPair(h, p);
  return getBytes(h).length === 32 && h.toLowerCase() === root.toLowerCase();
}
