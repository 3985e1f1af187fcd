import { formatTokens } from '../../../../shared/pricing';

/**
 * A token amount for people: "12.5 RFT", four decimals at most; an amount under a hundredth
 * keeps two significant digits ("0.0021 RFT") so it is neither hidden as 0 nor shown to
 * eighteen places. `exactTokens` gives the full value for a hover.
 */
export function tokens(raw: string, symbol = 'RFT'): string {
  const v = BigInt(raw);
  if (v === 0n || v >= 10n ** 16n) return `${formatTokens(raw, 4)} ${symbol}`;
  const zeros = /^0\.(0*)/.exec(formatTokens(raw, 18))?.[1]?.length ?? 0;
  return `${formatTokens(raw, Math.max(4, zeros + 2))} ${symbol}`;
}

/** The whole amount, every decimal: for a title on a rounded figure. */
export function exactTokens(raw: string, symbol = 'RFT'): string {
  return `${formatTokens(raw, 18)} ${symbol} exactly`;
}

/** Bench-hours as a person reads them: "0.25", "0.004", or "under 0.001". */
export function benchHoursText(bh: number): string {
  if (bh >= 0.01) return bh.toFixed(2);
  if (bh >= 0.001) return bh.toPrecision(1);
  return 'under 0.001';
}

/** A duration for people: "45 s", "3 min", "2 h 10 min". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 1) return 'under a second';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const m = Math.round(seconds / 60);
  if (m < 90) return `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}
