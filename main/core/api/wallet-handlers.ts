import type { walletCalls, ChainInfo } from '../../../shared/api';
import type { OpenedChain } from '../chain';
import type { WalletService } from '../wallet';
import type { HandlerMap } from './api-server';

/** What the wallet calls need. */
export interface WalletHandlerDeps {
  wallet: WalletService;
  /** The chain, once open; null when it failed or is off. */
  chain: () => OpenedChain | null;
  /** Why there is no chain, for the UI. */
  chainProblem: () => string | null;
}

/** Handlers for wallet.*. The private key never leaves WalletService. */
export function walletHandlers(deps: WalletHandlerDeps): HandlerMap<keyof typeof walletCalls> {
  const { wallet } = deps;
  return {
    'wallet.status': () => wallet.status(),
    'wallet.chain': (): ChainInfo => {
      const c = deps.chain();
      if (!c) {
        return { connected: false, rpcUrl: null, chainId: null, dev: false, tokenAddress: null, escrowAddress: null, detail: deps.chainProblem() ?? 'No chain is configured.' };
      }
      const conn = c.connection;
      return {
        connected: true,
        rpcUrl: conn.rpcUrl,
        chainId: conn.chainId,
        dev: conn.isDevChain,
        tokenAddress: conn.token.address,
        escrowAddress: conn.escrow.address,
        detail: conn.isDevChain ? `Embedded dev chain (anvil) at ${conn.rpcUrl}` : `Chain ${conn.chainId} at ${conn.rpcUrl}`,
      };
    },
    'wallet.create': (i) => wallet.create(i.password),
    'wallet.import': (i) => wallet.import(i.kind, i.secret, i.password),
    'wallet.unlock': (i) => wallet.unlock(i.password),
    'wallet.lock': () => {
      wallet.lock();
      return wallet.status();
    },
    'wallet.balances': () => wallet.balances(),
    'wallet.send': (i) => wallet.send(i.to, i.amount),
    'wallet.faucet': () => wallet.faucet(),
    'wallet.history': () => wallet.history(),
  };
}
