import { create } from 'zustand';
import { createConnectionSlice } from './connection-slice';
import type { ConnectionSlice } from './connection-slice';
import { createUiSlice } from './ui-slice';
import type { UiSlice } from './ui-slice';

/** The whole UI state: one store made of slices. Select one field at a time. */
export type RootState = ConnectionSlice & UiSlice;

export const useStore = create<RootState>()((...a) => ({
  ...createConnectionSlice(...a),
  ...createUiSlice(...a),
}));
