import { afterAll, describe, expect, it } from 'vitest';
import { Wallet } from 'ethers';
import { SignaturePool } from '../../../../../main/core/creator/proof/signature-pool';
import { resultClaim } from '../../../../../main/core/net/result/messages';

const pool = new SignaturePool();
afterAll(() => pool.close());

describe('SignaturePool', () => {
  it('recovers the signer of a result claim in its worker, as recoverSigner does', async () => {
    const w = Wallet.createRandom();
    const claim = resultClaim('lease-1', 'ab'.repeat(32));
    const sig = await w.signMessage(claim);
    expect(await pool.recover(claim, sig)).toBe(w.address.toLowerCase());
    // A signature over another claim (a forged hash) names someone else, never the operator.
    expect(await pool.recover(resultClaim('lease-1', 'cd'.repeat(32)), sig)).not.toBe(w.address.toLowerCase());
  });

  it('answers a malformed signature with NET_BAD_SIGNATURE', async () => {
    await expect(pool.recover('x', '0x1234')).rejects.toMatchObject({ code: 'NET_BAD_SIGNATURE' });
  });
});
