import type { StateCreator } from 'zustand';
import type { Theme } from '../../../shared/api';
import { api } from '../api/client';
import type { RootState } from './store';

/** The app's four modes. */
export type Mode = 'creator' | 'operator' | 'wallet' | 'network';

/** Where the window is: a mode and, in the Creator, the job page open (if any). */
export interface Route {
  mode: Mode;
  jobId: string | null;
}

/** What the window shows and how. */
export interface UiSlice {
  mode: Mode;
  theme: Theme;
  /** Switches mode; from a job page this also leaves the job. */
  setMode(mode: Mode): void;
  setTheme(theme: Theme): Promise<void>;
  loadPrefs(): Promise<void>;
}

const JOB_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** Reads `#creator`, `#creator/job/<id>`, `#operator`, … into a route; anything else is the Creator home. */
export function parseRoute(hash: string): Route {
  const [mode = '', kind, id] = hash.replace(/^#\/?/, '').split('/');
  if (mode === 'operator' || mode === 'wallet' || mode === 'network') return { mode, jobId: null };
  if (kind === 'job' && id && JOB_ID.test(decodeURIComponent(id))) return { mode: 'creator', jobId: decodeURIComponent(id) };
  return { mode: 'creator', jobId: null };
}

/** The hash of a route, so a reload, a bookmark, back and forward land on the same page. */
export function routeHash(r: Route): string {
  return r.mode === 'creator' && r.jobId ? `creator/job/${encodeURIComponent(r.jobId)}` : r.mode;
}

/** Puts a route in the address bar as a new history entry (back returns to the page before). */
export function navigate(r: Route): void {
  const hash = routeHash(r);
  if (window.location.hash.replace(/^#/, '') !== hash) window.location.hash = hash;
}

export const createUiSlice: StateCreator<RootState, [], [], UiSlice> = (set) => {
  api.on('prefs.changed', (p) => set({ theme: p.theme }));
  // Back, forward, an edited address: the page follows the hash.
  window.addEventListener('hashchange', () => {
    const r = parseRoute(window.location.hash);
    set({ mode: r.mode, openJobId: r.jobId });
  });
  return {
    mode: parseRoute(window.location.hash).mode,
    theme: 'system',
    setMode(mode) {
      navigate({ mode, jobId: null });
      set({ mode, openJobId: null });
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
