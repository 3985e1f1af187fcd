import type { appCalls, Preferences } from '../../../shared/api';
import { PreferencesSchema } from '../../../shared/api';
import type { ServiceStatusBoard } from '../service-status';
import type { Store } from '../store';
import type { ApiServer, HandlerMap } from './api-server';
import { SettingsKeys } from '../settings-keys';

/** What the app-level calls need. */
export interface AppHandlerDeps {
  store: Store;
  status: ServiceStatusBoard;
  version: string;
  startedAt: number;
  /** Set once the API server exists, for events. */
  events: () => ApiServer | undefined;
}

const DEFAULT_PREFS: Preferences = { theme: 'system' };

/** Handlers for app.*, prefs.*. */
export function appHandlers(deps: AppHandlerDeps): HandlerMap<keyof typeof appCalls> {
  const prefs = (): Preferences => PreferencesSchema.parse({ ...DEFAULT_PREFS, ...deps.store.settings.get(SettingsKeys.uiPreferences, {}) });
  return {
    'app.info': (_input, ctx) => ({
      appName: 'Rayfarm',
      version: deps.version,
      dataDir: deps.store.dataDir,
      schemaVersion: deps.store.schemaVersion(),
      platform: process.platform,
      transport: ctx.transport === 'ipc' ? 'ipc' : 'websocket',
      startedAt: deps.startedAt,
    }),
    'app.services': () => deps.status.list(),
    'app.ping': (input) => ({ echo: input.echo, at: Date.now() }),
    'prefs.get': () => prefs(),
    'prefs.set': (input) => {
      const next = PreferencesSchema.parse({ ...prefs(), ...input });
      deps.store.settings.set(SettingsKeys.uiPreferences, next);
      deps.events()?.emit('prefs.changed', next);
      return next;
    },
  };
}
