import { create } from 'zustand';
import { createConnectionSlice } from './connection-slice';
import { createCreatorSlice } from './creator-slice';
import type { CreatorSlice } from './creator-slice';
import type { ConnectionSlice } from './connection-slice';
import { createJobsSlice } from './jobs-slice';
import type { JobsSlice } from './jobs-slice';
import { createNetworkSlice } from './network-slice';
import type { NetworkSlice } from './network-slice';
import { createOperatorSlice } from './operator-slice';
import type { OperatorSlice } from './operator-slice';
import { createUiSlice } from './ui-slice';
import type { UiSlice } from './ui-slice';
import { createWalletSlice } from './wallet-slice';
import type { WalletSlice } from './wallet-slice';

/** The whole UI state: one store made of slices. Select one field at a time. */
export type RootState = ConnectionSlice & CreatorSlice & UiSlice & WalletSlice & OperatorSlice & NetworkSlice & JobsSlice;

export const useStore = create<RootState>()((...a) => ({
  ...createConnectionSlice(...a),
  ...createCreatorSlice(...a),
  ...createUiSlice(...a),
  ...createWalletSlice(...a),
  ...createOperatorSlice(...a),
  ...createNetworkSlice(...a),
  ...createJobsSlice(...a),
}));
