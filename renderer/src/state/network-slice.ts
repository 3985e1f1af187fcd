import type { StateCreator } from 'zustand';
import type { NetworkStatus } from '../../../shared/api';
import { api } from '../api/client';
import type { RootState } from './store';

/** The network as the Network view shows it. */
export interface NetworkSlice {
  network: NetworkStatus | null;
  networkError: string | null;
  loadNetwork(): Promise<void>;
}

export const createNetworkSlice: StateCreator<RootState, [], [], NetworkSlice> = (set) => {
  api.on('network.changed', (network) => set({ network }));
  return {
    network: null,
    networkError: null,
    async loadNetwork() {
      try {
        set({ network: await api.call('network.status'), networkError: null });
      } catch (err) {
        set({ networkError: (err as Error).message });
      }
    },
  };
};
