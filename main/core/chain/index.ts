/**
 * chain/ — the chain layer: contract clients (the dev token and JobEscrow), the embedded anvil
 * dev chain and its deployment, configured networks, EIP-712 vouchers and transaction helpers.
 * It knows no wallet, network or role.
 */
export { DEV_CHAIN_ID, DEV_MNEMONIC, anvilBinaryPath, startAnvil } from './anvil';
export type { AnvilOptions, AnvilProcess } from './anvil';
export { EscrowClient, TokenClient } from './contracts';
export type { EscrowJob, EscrowShare, PermitSignature } from './contracts';
export { CREATE2_DEPLOYER, DEV_GRACE_PERIOD, devAccount, devAddresses, ensureDevContracts } from './deploy';
export type { DevAddresses } from './deploy';
export { devChainPaths, findRunningDevChain, openDevChain, readDeployment, startDevChain } from './dev-chain';
export type { DevChain, DevChainOptions, DevDeployment } from './dev-chain';
export { ChainConfigSchema, connectChain, makeProvider, probeChainId } from './network';
export type { ChainConfig, ChainConnection } from './network';
export { openChain } from './chain-service';
export type { OpenChainOptions, OpenedChain } from './chain-service';
export { contractErrors, decodeRevert, sendTx, toTxError } from './tx';
export type { SendTxOptions, TxOutcome } from './tx';
export { recoverVoucherSigner, signVoucher, toVoucher, verifyVoucher, voucherDigest } from './voucher';
