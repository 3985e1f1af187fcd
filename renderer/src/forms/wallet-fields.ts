import type { FieldMap } from './field-errors';

/** The wallet password field, wherever it is asked (unlock, the review dialog). */
export const UNLOCK_FIELDS: FieldMap<'password'> = {
  paths: { password: 'password' },
  codes: { WALLET_WRONG_PASSWORD: 'password', WALLET_CORRUPT_KEYSTORE: 'password' },
  rules: { password: 'Type the wallet password (at most 1024 characters).' },
};

/** Creating a wallet. */
export const CREATE_FIELDS: FieldMap<'password'> = {
  paths: { password: 'password' },
  codes: { WALLET_WEAK_PASSWORD: 'password' },
  rules: { password: 'Choose a password of 8 to 1024 characters.' },
};

/** Importing a wallet. */
export const IMPORT_FIELDS: FieldMap<'kind' | 'secret' | 'password'> = {
  paths: { kind: 'kind', secret: 'secret', password: 'password' },
  codes: { WALLET_BAD_SECRET: 'secret', WALLET_CORRUPT_KEYSTORE: 'secret', WALLET_WRONG_PASSWORD: 'password', WALLET_WEAK_PASSWORD: 'password' },
  rules: {
    kind: 'Pick what you have: a recovery phrase, a private key or a keystore file.',
    secret: 'Paste the recovery phrase, private key or keystore (at most 100,000 characters).',
    password: 'Type a password of at most 1024 characters.',
  },
};

/** Sending tokens. */
export const SEND_FIELDS: FieldMap<'to' | 'amount'> = {
  paths: { to: 'to', amount: 'amount' },
  codes: { WALLET_BAD_ADDRESS: 'to', WALLET_BAD_AMOUNT: 'amount', WALLET_INSUFFICIENT_FUNDS: 'amount' },
  rules: {
    to: 'An address is 0x followed by 40 hexadecimal characters.',
    amount: 'Type an amount such as 12 or 0.5.',
  },
};

/** Adding tokens to a job's escrow. */
export const TOP_UP_FIELDS: FieldMap<'amount'> = {
  paths: { amount: 'amount' },
  codes: { WALLET_BAD_AMOUNT: 'amount', WALLET_INSUFFICIENT_FUNDS: 'amount' },
  rules: { amount: 'Type the tokens to add, such as 5 or 0.5.' },
};
