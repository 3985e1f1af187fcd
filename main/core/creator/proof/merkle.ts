/**
 * The Merkle root a voucher carries: the results it pays for, committed on chain in the
 * Redeemed event. Leaves are keccak256 of each result's 32-byte SHA-256, in the order the
 * results were accepted; each level pairs neighbours (an odd last node moves up as it is) and
 * hashes every pair in sorted order (the convention OpenZeppelin's MerkleProof verifies), so
 * a proof needs no left/right flags. That tree's root is also the fold of its perfect
 * subtrees' roots from the smallest up, which lets a creator add a result in O(log n)
 * (IncrementalMerkle) instead of rehashing every result for each voucher.
 */
import { ZeroHash, concat, keccak256 } from 'ethers';

/** The leaf of a result hash (hex, with or without 0x). */
export function merkleLeaf(resultHash: string): string {
  const hex = resultHash.startsWith('0x') ? resultHash : `0x${resultHash}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`"${resultHash}" is not a 32-byte hash`);
  return keccak256(hex.toLowerCase());
}

function hashPair(a: string, b: string): string {
  return a.toLowerCase() < b.toLowerCase() ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
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

/** The root over result hashes in acceptance order; ZeroHash for none. */
export function merkleRoot(resultHashes: readonly string[]): string {
  if (resultHashes.length === 0) return ZeroHash;
  const ls = levels(resultHashes.map(merkleLeaf));
  return ls[ls.length - 1]![0]!;
}

/** The sibling path proving that the result at `index` is under the root of `resultHashes`. */
export function merkleProof(resultHashes: readonly string[], index: number): string[] {
  if (!(index >= 0 && index < resultHashes.length)) throw new Error('the result is not in the list');
  const ls = levels(resultHashes.map(merkleLeaf));
  let idx = index;
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
  let h = merkleLeaf(resultHash);
  for (const p of proof) h = hashPair(h, p);
  return h.toLowerCase() === root.toLowerCase();
}

/** The same root, kept up to date one result at a time (O(log n) hashes each). */
export class IncrementalMerkle {
  /** Roots of the perfect subtrees, largest first; peaks[i] covers sizes[i] leaves. */
  private peaks: string[] = [];
  private sizes: number[] = [];
  count = 0;

  /** Adds the next accepted result. */
  push(resultHash: string): void {
    let node = merkleLeaf(resultHash);
    let size = 1;
    while (this.sizes.length > 0 && this.sizes[this.sizes.length - 1] === size) {
      node = hashPair(this.peaks.pop()!, node);
      this.sizes.pop();
      size *= 2;
    }
    this.peaks.push(node);
    this.sizes.push(size);
    this.count++;
  }

  /** The root over every result pushed so far. */
  root(): string {
    if (this.peaks.length === 0) return ZeroHash;
    let acc = this.peaks[this.peaks.length - 1]!;
    for (let i = this.peaks.length - 2; i >= 0; i--) acc = hashPair(this.peaks[i]!, acc);
    return acc;
  }
}
