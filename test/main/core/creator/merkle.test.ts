import { createHash } from 'node:crypto';
import { ZeroHash } from 'ethers';
import { describe, expect, it } from 'vitest';
import { merkleProof, merkleRoot, verifyMerkleProof } from '../../../../main/core/creator/merkle';

const h = (i: number) => createHash('sha256').update(`r${i}`).digest('hex');

describe('merkle', () => {
  it('merkleRoot: ZeroHash for none, order-independent, changes with the set', () => {
    expect(merkleRoot([])).toBe(ZeroHash);
    const set = [1, 2, 3, 4, 5].map(h);
    expect(merkleRoot(set)).toBe(merkleRoot([...set].reverse()));
    expect(merkleRoot(set)).not.toBe(merkleRoot(set.slice(0, 4)));
    expect(merkleRoot([h(1), h(1)])).toBe(merkleRoot([h(1)]));
  });

  it('merkleProof: every member proves, a stranger does not', () => {
    for (const size of [1, 2, 3, 7, 8, 13]) {
      const set = Array.from({ length: size }, (_, i) => h(i));
      const root = merkleRoot(set);
      for (const r of set) expect(verifyMerkleProof(root, r, merkleProof(set, r))).toBe(true);
      expect(verifyMerkleProof(root, h(99), merkleProof(set, set[0]!))).toBe(false);
    }
    expect(() => merkleProof([h(1)], h(2))).toThrow();
  });
});
