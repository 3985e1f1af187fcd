import { formatUnits, getAddress, isAddress, parseUnits, ZeroAddress } from 'ethers';
import { RayfarmError } from '../errors';

/**
 * Parses an amount a person typed ("12", "0.5") in whole tokens into the smallest unit.
 * Rejects negatives, zero, more decimals than the token has, and anything not a number.
 */
export function parseTokenAmount(text: string, decimals: number): bigint {
  const t = text.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) {
    throw new RayfarmError('WALLET_BAD_AMOUNT', `"${text}" is not an amount (use digits and at most one dot, e.g. 12.5).`);
  }
  const fraction = t.split('.')[1] ?? '';
  if (fraction.length > decimals) {
    throw new RayfarmError('WALLET_BAD_AMOUNT', `"${text}" has more than ${decimals} decimals.`);
  }
  const value = parseUnits(t, decimals);
  if (value <= 0n) throw new RayfarmError('WALLET_BAD_AMOUNT', 'The amount must be more than zero.');
  return value;
}

/** Parses an amount already in the smallest unit ("1000000000000000000"). */
export function parseRawAmount(text: string): bigint {
  if (!/^\d+$/.test(text.trim())) throw new RayfarmError('WALLET_BAD_AMOUNT', `"${text}" is not a whole number of the smallest unit.`);
  const value = BigInt(text.trim());
  if (value <= 0n) throw new RayfarmError('WALLET_BAD_AMOUNT', 'The amount must be more than zero.');
  if (value >= 2n ** 256n) throw new RayfarmError('WALLET_BAD_AMOUNT', 'The amount is too large.');
  return value;
}

/** Formats a smallest-unit amount in whole tokens, without trailing zeros ("1.5", "3"). */
export function formatTokenAmount(value: bigint, decimals: number): string {
  const s = formatUnits(value, decimals);
  return s.endsWith('.0') ? s.slice(0, -2) : s;
}

/**
 * Checks a recipient: a 20-byte hex address, with a correct checksum when it has mixed case,
 * and not the zero address (tokens sent there are gone). Returns the checksummed form.
 */
export function parseRecipient(text: string): string {
  const t = text.trim();
  if (!isAddress(t)) {
    throw new RayfarmError('WALLET_BAD_ADDRESS', `"${text}" is not a valid address (0x followed by 40 hex digits, with a correct checksum).`);
  }
  const address = getAddress(t);
  if (address === ZeroAddress) throw new RayfarmError('WALLET_BAD_ADDRESS', 'Refusing to send to the zero address: the tokens would be lost.');
  return address;
}
