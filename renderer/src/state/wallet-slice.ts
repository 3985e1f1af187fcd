import type { StateCreator } from 'zustand';
import type { ChainInfo, WalletBalances, WalletHistoryEntry, WalletStatus } from '../../../shared/api';
import { api } from '../api/client';
import type { RootState } from './store';

/** The wallet as the Wallet view shows it. The key itself never reaches the UI. */
export interface WalletSlice {
  walletStatus: WalletStatus | null;
  chainInfo: ChainInfo | null;
  balances: WalletBalances | null;
  history: WalletHistoryEntry[];
  walletError: string | null;
  loadWallet(): Promise<void>;
  refreshBalances(): Promise<void>;
}

export const createWalletSlice: StateCreator<RootState, [], [], WalletSlice> = (set, get) => {
  api.on('wallet.changed', (walletStatus) => {
    set({ walletStatus });
    if (walletStatus.unlocked) void get().refreshBalances();
  });
  return {
    walletStatus: null,
    chainInfo: null,
    balances: null,
    history: [],
    walletError: null,
    async loadWallet() {
      try {
        const [walletStatus, chainInfo] = await Promise.all([api.call('wallet.status'), api.call('wallet.chain')]);
        set({ walletStatus, chainInfo, walletError: null });
        if (walletStatus.exists && chainInfo.connected) await get().refreshBalances();
      } catch (err) {
        set({ walletError: (err as Error).message });
      }
    },
    async refreshBalances() {
      try {
        const [balances, history] = await Promise.all([api.call('wallet.balances'), api.call('wallet.history')]);
        set({ balances, history, walletError: null });
      } catch (err) {
        set({ walletError: (err as Error).message });
      }
    },
  };
};
