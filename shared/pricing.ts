/**
 * The arithmetic of prices: bench-hours, tier rates, network fees and expected wall time.
 * Pure and exact: token amounts are bigints in the token's smallest unit (18 decimals),
 * carried as decimal strings across the API, so the UI, the estimator and the escrow
 * agree to the last unit.
 */
import type { Tier } from './job-spec';

/** Decimals of the payment token. */
export const TOKEN_DECIMALS = 18;
const UNIT = 10n ** BigInt(TOKEN_DECIMALS);

/** The benchmark score that defines one bench-hour: one hour of a device scoring this. */
export const REFERENCE_SCORE = 100;

/**
 * Default base rate: tokens per bench-hour (a setting; the dev chain's default). Chosen so
 * a small job costs a few tokens: a 640×360, 64-sample Cornell-box frame is about
 * 0.0016 BH on the reference device, 0.8 tokens at economy; the dev faucet gives 1,000.
 */
export const DEFAULT_BASE_RATE_PER_BH = '500';

/** Rate multiplier and network fee of each tier (DESIGN.md "Tiers and prices"). */
export const TIERS: Readonly<Record<Tier, { rateMultiplier: number; feeBps: number; label: string }>> = {
  economy: { rateMultiplier: 1, feeBps: 50, label: 'Economy' },
  priority: { rateMultiplier: 2, feeBps: 200, label: 'Priority' },
  trusted: { rateMultiplier: 4, feeBps: 500, label: 'Trusted' },
};

/** Fee bounds the escrow contract enforces. */
export const MIN_FEE_BPS = 50;
export const MAX_FEE_BPS = 500;

/** Bench-hours are carried as integer nano-BH inside the arithmetic to keep bigint math exact. */
const NANO = 1_000_000_000n;

/** Parses a decimal token amount ("2", "0.5", "1.000000000000000001") into smallest units. */
export function parseTokens(amount: string): bigint {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!m) throw new Error(`"${amount}" is not a token amount (expected digits with an optional decimal point)`);
  const frac = m[2] ?? '';
  if (frac.length > TOKEN_DECIMALS) throw new Error(`"${amount}" has more than ${TOKEN_DECIMALS} decimals`);
  return BigInt(m[1]!) * UNIT + BigInt(frac.padEnd(TOKEN_DECIMALS, '0'));
}

/** Formats smallest units as a decimal token amount, trailing zeros trimmed ("2.5"). */
export function formatTokens(units: bigint | string, maxDecimals = TOKEN_DECIMALS): string {
  let v = BigInt(units);
  const neg = v < 0n;
  if (neg) v = -v;
  const whole = v / UNIT;
  let frac = (v % UNIT).toString().padStart(TOKEN_DECIMALS, '0').slice(0, maxDecimals).replace(/0+$/, '');
  if (maxDecimals <= 0) frac = '';
  return `${neg ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** Bench-hours of `seconds` of work on a device with benchmark score `score`. */
export function benchHours(seconds: number, score: number): number {
  if (!(seconds >= 0) || !(score > 0)) throw new Error('benchHours needs seconds >= 0 and a positive score');
  return (seconds * score) / REFERENCE_SCORE / 3600;
}

/** Seconds a device with score `score` needs for `bh` bench-hours. */
export function secondsFor(bh: number, score: number): number {
  if (!(bh >= 0) || !(score > 0)) throw new Error('secondsFor needs bh >= 0 and a positive score');
  return (bh * 3600 * REFERENCE_SCORE) / score;
}

/** Rounds bench-hours up to whole nano-BH, the unit prices are computed in. */
export function toNanoBH(bh: number): bigint {
  if (!(bh >= 0) || !Number.isFinite(bh)) throw new Error('bench-hours must be a finite number >= 0');
  return BigInt(Math.ceil(bh * 1e9 - 1e-6));
}

/** The tier's rate in smallest units per BH. */
export function tierRate(baseRatePerBH: bigint, tier: Tier): bigint {
  return baseRatePerBH * BigInt(TIERS[tier].rateMultiplier);
}

/** The network fee taken from `amount` at `feeBps` (rounded down, as the escrow does). */
export function feeOf(amount: bigint, feeBps: number): bigint {
  if (!Number.isInteger(feeBps) || feeBps < 0 || feeBps > 10_000) throw new Error('feeBps must be an integer 0..10000');
  return (amount * BigInt(feeBps)) / 10_000n;
}

/** A price broken down; all amounts are smallest-unit decimal strings. */
export interface PriceQuote {
  tier: Tier;
  benchHours: number;
  /** Tokens per BH at this tier, smallest units. */
  rate: string;
  /** What the creator pays (locked in escrow). */
  price: string;
  /** The part of the price that goes to the network treasury. */
  fee: string;
  feeBps: number;
  /** The part operators receive (price − fee). */
  operators: string;
}

/** Price of `bh` bench-hours at a tier: BH × rate, rounded up to the smallest unit; the fee shown apart. */
export function quote(bh: number, tier: Tier, baseRatePerBH: bigint): PriceQuote {
  const rate = tierRate(baseRatePerBH, tier);
  const nano = toNanoBH(bh);
  const price = (nano * rate + NANO - 1n) / NANO;
  const fee = feeOf(price, TIERS[tier].feeBps);
  return {
    tier,
    benchHours: bh,
    rate: rate.toString(),
    price: price.toString(),
    fee: fee.toString(),
    feeBps: TIERS[tier].feeBps,
    operators: (price - fee).toString(),
  };
}

/**
 * Expected wall time of a job on `nodes` devices of benchmark score `score`: the work
 * spread over min(nodes, tasks) devices, never shorter than one task, plus a fixed
 * per-task overhead (scene fetch and load) for each round of tasks.
 */
export function wallTimeSeconds(opts: { bh: number; tasks: number; nodes: number; score: number; perTaskOverheadS?: number }): number {
  const { bh, tasks, nodes, score } = opts;
  if (!(tasks >= 1) || !(nodes >= 1)) throw new Error('wallTimeSeconds needs at least one task and one node');
  const workers = Math.min(nodes, tasks);
  const rounds = Math.ceil(tasks / workers);
  const perTask = secondsFor(bh, score) / tasks + (opts.perTaskOverheadS ?? 0);
  return rounds * perTask;
}
