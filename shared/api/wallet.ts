import { z } from 'zod';
import { call, NoInput } from './define';

/** A token amount in the smallest unit, as a decimal string (18 decimals on the dev token). */
export const RawAmountSchema = z.string().regex(/^\d+$/, 'must be a whole number of the smallest unit');

export const WalletStatusSchema = z.object({
  exists: z.boolean(),
  address: z.string().nullable(),
  unlocked: z.boolean(),
  autoLockAt: z.number().nullable(),
  chainId: z.number().nullable(),
  faucet: z.boolean(),
});
export type WalletStatus = z.infer<typeof WalletStatusSchema>;

export const ChainInfoSchema = z.object({
  connected: z.boolean(),
  rpcUrl: z.string().nullable(),
  chainId: z.number().nullable(),
  dev: z.boolean(),
  tokenAddress: z.string().nullable(),
  escrowAddress: z.string().nullable(),
  detail: z.string(),
});
export type ChainInfo = z.infer<typeof ChainInfoSchema>;

export const WalletBalancesSchema = z.object({
  address: z.string(),
  native: RawAmountSchema,
  token: RawAmountSchema,
  tokenSymbol: z.string(),
  tokenDecimals: z.number().int(),
});
export type WalletBalances = z.infer<typeof WalletBalancesSchema>;

export const WalletHistoryEntrySchema = z.object({
  hash: z.string(),
  kind: z.enum(['sent', 'received', 'job-opened', 'job-topped-up', 'redeemed', 'job-closed']),
  status: z.enum(['pending', 'confirmed', 'reverted']),
  amount: RawAmountSchema,
  counterparty: z.string().nullable(),
  jobId: z.string().nullable(),
  /** For a redemption: the network fee the escrow kept; `amount` is what reached the wallet. */
  fee: RawAmountSchema.optional(),
  blockNumber: z.number().nullable(),
  time: z.number(),
});
export type WalletHistoryEntry = z.infer<typeof WalletHistoryEntrySchema>;

const Password = z.string().min(1, 'is required').max(1024);

export const walletCalls = {
  'wallet.status': call(NoInput, WalletStatusSchema, 'Whether a wallet exists, its address, and whether it is unlocked.'),
  'wallet.chain': call(NoInput, ChainInfoSchema, 'The chain this node pays and is paid on.'),
  'wallet.create': call(
    z.object({ password: Password }).strict(),
    z.object({ address: z.string(), mnemonic: z.string() }),
    'Creates a wallet; the recovery phrase is returned this once.',
  ),
  'wallet.import': call(
    z.object({ kind: z.enum(['mnemonic', 'privateKey', 'keystore']), secret: z.string().min(1, 'is required').max(100_000), password: Password }).strict(),
    z.object({ address: z.string() }),
    'Imports a wallet from a recovery phrase, a private key or a keystore file (whose password is `password`).',
  ),
  'wallet.unlock': call(z.object({ password: Password }).strict(), z.object({ address: z.string() }), 'Unlocks the wallet.'),
  'wallet.lock': call(NoInput, WalletStatusSchema, 'Locks the wallet now.'),
  'wallet.balances': call(NoInput, WalletBalancesSchema, 'Gas-coin and token balances.'),
  'wallet.send': call(
    z.object({ to: z.string().min(1, 'is required').max(100), amount: z.string().min(1, 'is required').max(80) }).strict(),
    z.object({ hash: z.string(), to: z.string(), amount: RawAmountSchema, blockNumber: z.number() }),
    'Sends tokens; `amount` in tokens as typed by a person ("12.5").',
  ),
  'wallet.faucet': call(NoInput, z.object({ native: RawAmountSchema, token: RawAmountSchema, tokenTx: z.string() }), 'Dev chain only: gas coin and tokens for testing.'),
  'wallet.history': call(NoInput, z.array(WalletHistoryEntrySchema), "This wallet's transactions, newest first."),
};

export const walletEvents = {
  'wallet.changed': WalletStatusSchema,
};
