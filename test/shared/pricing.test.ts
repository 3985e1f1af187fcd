import { describe, expect, it } from 'vitest';
import { benchHours, feeOf, formatTokens, parseTokens, quote, secondsFor, TIERS, wallTimeSeconds } from '../../shared/pricing';

describe('pricing', () => {
  it('parses and formats token amounts with 18 decimals', () => {
    expect(parseTokens('2')).toBe(2_000_000_000_000_000_000n);
    expect(parseTokens('0.5')).toBe(500_000_000_000_000_000n);
    expect(parseTokens('1.000000000000000001')).toBe(1_000_000_000_000_000_001n);
    expect(() => parseTokens('1.0000000000000000001')).toThrow(/decimals/);
    expect(() => parseTokens('-1')).toThrow();
    expect(formatTokens(2_500_000_000_000_000_000n)).toBe('2.5');
    expect(formatTokens('1')).toBe('0.000000000000000001');
    expect(formatTokens(parseTokens('3.14159'), 2)).toBe('3.14');
  });

  it('defines a bench-hour as an hour of a device scoring 100', () => {
    expect(benchHours(3600, 100)).toBe(1);
    expect(benchHours(1800, 200)).toBe(1);
    expect(secondsFor(1, 50)).toBe(7200);
  });

  it('prices BH at the tier rate and takes the fee out of the price', () => {
    const base = parseTokens('2');
    const e = quote(1.5, 'economy', base);
    expect(e.price).toBe(parseTokens('3').toString());
    expect(e.fee).toBe(parseTokens('0.015').toString()); // 50 bps
    expect(BigInt(e.operators) + BigInt(e.fee)).toBe(BigInt(e.price));
    const p = quote(1.5, 'priority', base);
    expect(p.price).toBe(parseTokens('6').toString());
    expect(p.fee).toBe(parseTokens('0.12').toString()); // 200 bps
    const t = quote(1.5, 'trusted', base);
    expect(t.price).toBe(parseTokens('12').toString());
    expect(t.fee).toBe(parseTokens('0.6').toString()); // 500 bps
    expect(TIERS.trusted.feeBps).toBe(500);
  });

  it('rounds a price up to the smallest unit, never to zero for real work', () => {
    const q = quote(1e-9, 'economy', 3n);
    expect(BigInt(q.price)).toBeGreaterThan(0n);
    expect(quote(0, 'economy', parseTokens('2')).price).toBe('0');
  });

  it('rounds the fee down like the escrow', () => {
    expect(feeOf(199n, 50)).toBe(0n);
    expect(feeOf(10_000n, 50)).toBe(50n);
  });

  it('spreads work over nodes but not below one task', () => {
    // 1 BH = 3600 s on a score-100 device; 10 tasks of 360 s.
    expect(wallTimeSeconds({ bh: 1, tasks: 10, nodes: 1, score: 100 })).toBeCloseTo(3600);
    expect(wallTimeSeconds({ bh: 1, tasks: 10, nodes: 5, score: 100 })).toBeCloseTo(720);
    expect(wallTimeSeconds({ bh: 1, tasks: 10, nodes: 50, score: 100 })).toBeCloseTo(360);
    expect(wallTimeSeconds({ bh: 1, tasks: 10, nodes: 3, score: 200 })).toBeCloseTo(4 * 180);
    expect(wallTimeSeconds({ bh: 1, tasks: 1, nodes: 3, score: 100, perTaskOverheadS: 5 })).toBeCloseTo(3605);
  });
});
