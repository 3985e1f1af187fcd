/**
 * wallet/ — the node's wallet: scrypt keystore, unlock/lock with auto-lock, balances, sends,
 * history, the dev faucet. Keys never leave this process; other services get a signer.
 */
export { FAUCET_NATIVE, FAUCET_TOKENS, MIN_PASSWORD_LENGTH, WalletService, systemClock } from './wallet-service';
export type { Clock, FaucetResult, ImportKind, SendResult, WalletBalances, WalletServiceDeps, WalletStatus } from './wallet-service';
export { formatTokenAmount, parseRawAmount, parseRecipient, parseTokenAmount } from './amounts';
export { DEFAULT_SCRYPT_N, decryptKey, encryptKey, keystorePath, readKeystore } from './keystore';
export type { WalletKey } from './keystore';
export type { HistoryEntry, HistoryKind } from './history';
export { SentTxStore } from './tx-records';
export type { SentTx, SentTxStatus } from './tx-records';
