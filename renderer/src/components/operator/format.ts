import { formatTokens } from '../../../../shared/pricing';

/** A token amount for people: `decimals` places, more for a small non-zero amount (never a misleading "0"). */
export function tokens(units: string | bigint, decimals = 4): string {
  let text = formatTokens(units, decimals);
  for (let d = decimals + 2; text === '0' && BigInt(units) > 0n && d <= 10; d += 2) text = formatTokens(units, d);
  return `${text === '0' && BigInt(units) > 0n ? '< 0.0000000001' : text} RFT`;
}

/** Whole tokens as a number, for charts only (never for sums). */
export function tokensNumber(units: string): number {
  return Number(formatTokens(units, 6));
}

/** "1 h 04 min", "12.3 s". */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const min = Math.round(ms / 60_000);
  return min < 60 ? `${min} min` : `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** Local date and time, short. */
export function when(ms: number | null): string {
  if (ms === null) return '—';
  return new Date(ms).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** Bytes as GiB / MiB. */
export function bytes(n: number | null): string {
  if (n === null) return 'unknown';
  return n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(1)} GiB` : `${Math.round(n / 2 ** 20)} MiB`;
}
