import { formatTokens } from '../../../../shared/pricing';

/** A token amount for people: at most 4 decimals, with the symbol. */
export function tokens(units: string | bigint, decimals = 4): string {
  return `${formatTokens(units, decimals)} RFT`;
}

/** Whole tokens as a number, for charts only (never for sums). */
export function tokensNumber(units: string): number {
  return Number(formatTokens(units, 6));
}

/** "1 h 04 min", "12.3 s". */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
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
