import { formatTokens } from '../../../../shared/pricing';

/** A token amount for people: "12.5 RFT". */
export function tokens(raw: string, symbol = 'RFT'): string {
  // Small amounts keep enough decimals to be seen rather than rounding to 0.
  const v = BigInt(raw);
  const decimals = v === 0n || v >= 10n ** 16n ? 4 : v >= 10n ** 12n ? 8 : 18;
  return `${formatTokens(raw, decimals)} ${symbol}`;
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
