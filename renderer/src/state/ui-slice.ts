import type { StateCreator } from 'zustand';
import type { Theme } from '../../../shared/api';
import { api } from '../api/client';
import type { RootState } from './store';

/** The app's four modes. */
export type Mode = 'creator' | 'operator' | 'wallet' | 'network';

/** What the window shows and how. */
export interface UiSlice {
  mode: Mode;
  theme: Theme;
  setMode(mode: Mode): void;
  setTheme(theme: Theme): Promise<void>;
  loadPrefs(): Promise<void>;
}

function modeFromHash(): Mode {
  const h = window.location.hash.replace('#', '');
  return h === 'operator' || h === 'wallet' || h === 'network' ? h : 'creator';
}

export const createUiSlice: StateCreator<RootState, [], [], UiSlice> = (set) => {
  api.on('prefs.changed', (p) => set({ theme: p.theme }));
  return {
    mode: modeFromHash(),
    theme: 'system',
    setMode(mode) {
      window.location.hash = mode;
      set({ mode });
    },
    async setTheme(theme) {
      set({ theme });
      await api.call('prefs.set', { theme });
    },
    async loadPrefs() {
      try {
        const p = await api.call('prefs.get');
        set({ theme: p.theme });
      } catch {
        // Keep the default theme; the status bar shows connection problems.
      }
    },
  };
};
