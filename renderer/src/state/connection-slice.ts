import type { StateCreator } from 'zustand';
import type { AppInfo, ServiceStatus } from '../../../shared/api';
import { api } from '../api/client';
import type { ConnectionState } from '../api/transport';
import type { RootState } from './store';

/** The link to the core: connection state, app identity, services. */
export interface ConnectionSlice {
  connection: ConnectionState;
  /** Why the link is down, in words (a refused token, a stopped server), once known. */
  connectionProblem: string | null;
  appInfo: AppInfo | null;
  services: ServiceStatus[];
  loadError: string | null;
  refreshApp(): Promise<void>;
}

export const createConnectionSlice: StateCreator<RootState, [], [], ConnectionSlice> = (set) => {
  api.transport.onState((connection) => {
    set({ connection, connectionProblem: connection === 'connected' ? null : (api.transport.problem ?? null) });
  });
  api.on('app.services', (services) => set({ services }));
  return {
    connection: api.transport.state,
    connectionProblem: null,
    appInfo: null,
    services: [],
    loadError: null,
    async refreshApp() {
      try {
        const [appInfo, services] = await Promise.all([api.call('app.info'), api.call('app.services')]);
        set({ appInfo, services, loadError: null });
      } catch (err) {
        set({ loadError: (err as Error).message });
      }
    },
  };
};
