import { createHash } from 'node:crypto';
import { ZeroHash } from 'ethers';
import { describe, expect, it } from 'vitest';
import { IncrementalMerkle, merkleProof, merkleRoot, verifyMerkleProof } from '../../../../../main/core/creator/proof/merkle';

const h = (i: number) => createHash('sha256').update(`r${i}`).digest('hex');

describe('merkle', () => {
  it('merkleRoot: ZeroHash for none, one leaf is its own root, changes with the list', () => {
    expect(merkleRoot([])).toBe(ZeroHash);
    const list = [1, 2, 3, 4, 5].map(h);
    expect(merkleRoot(list)).not.toBe(merkleRoot(list.slice(0, 4)));
    expect(verifyMerkleProof(merkleRoot([h(1)]), h(1), [])).toBe(true);
  });

  it('merkleProof: every member proves, a stranger does not', () => {
    for (const size of [1, 2, 3, 7, 8, 13]) {
      const list = Array.from({ length: size }, (_, i) => h(i));
      const root = merkleRoot(list);
      list.forEach((r, i) => expect(verifyMerkleProof(root, r, merkleProof(list, i))).toBe(true));
      expect(verifyMerkleProof(root, h(99), merkleProof(list, 0))).toBe(false);
    }
    expect(() => merkleProof([h(1)], 1)).toThrow();
  });

  it('IncrementalMerkle: the same root as the full tree after every push', () => {
    const inc = new IncrementalMerkle();
    expect(inc.root()).toBe(ZeroHash);
    const list: string[] = [];
    for (let i = 0; i < 70; i++) {
      list.push(h(i));
      inc.push(h(i));
      expect(inc.root(), `after ${i + 1}`).toBe(merkleRoot(list));
    }
  });
});
