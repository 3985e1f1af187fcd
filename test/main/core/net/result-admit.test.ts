import { describe, expect, it } from 'vitest';
import { MAX_CONCURRENT_RESULTS, MAX_RESULT_BYTES, MAX_RESULT_BYTES_IN_FLIGHT } from '../../../../main/core/net/result/constants';
import { admitResult } from '../../../../main/core/net/result/result';

describe('admitResult (results received at once)', () => {
  it('takes many small tiles at once (a creator fed by hundreds of operators)', () => {
    const tile = 128 * 72 * 16;
    expect(admitResult(8, 8 * tile, tile)).toBe(true);
    expect(admitResult(MAX_CONCURRENT_RESULTS - 1, (MAX_CONCURRENT_RESULTS - 1) * tile, tile)).toBe(true);
    expect(admitResult(MAX_CONCURRENT_RESULTS, MAX_CONCURRENT_RESULTS * tile, tile)).toBe(false);
  });

  it('bounds the bytes of huge results, but always lets one in', () => {
    expect(admitResult(0, 0, MAX_RESULT_BYTES)).toBe(true);
    expect(admitResult(1, MAX_RESULT_BYTES, MAX_RESULT_BYTES)).toBe(MAX_RESULT_BYTES * 2 <= MAX_RESULT_BYTES_IN_FLIGHT);
    expect(admitResult(1, MAX_RESULT_BYTES_IN_FLIGHT - 10, 1024)).toBe(false);
  });
});
