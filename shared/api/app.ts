import { z } from 'zod';
import { call, NoInput } from './define';

/** The app's identity and the state of its data folder, shown in the status bar. */
export const AppInfoSchema = z.object({
  appName: z.string(),
  version: z.string(),
  dataDir: z.string(),
  schemaVersion: z.number().int(),
  platform: z.string(),
  transport: z.enum(['ipc', 'websocket']),
  startedAt: z.number(),
});
export type AppInfo = z.infer<typeof AppInfoSchema>;

/** A feature area's readiness, so the UI can say what is running. */
export const ServiceStatusSchema = z.object({
  name: z.string(),
  state: z.enum(['starting', 'ready', 'stopped', 'error', 'unavailable']),
  detail: z.string(),
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

export const ThemeSchema = z.enum(['system', 'light', 'dark']);
export type Theme = z.infer<typeof ThemeSchema>;

/** UI preferences stored in the data folder. */
export const PreferencesSchema = z.object({
  theme: ThemeSchema,
});
export type Preferences = z.infer<typeof PreferencesSchema>;

export const appCalls = {
  'app.info': call(NoInput, AppInfoSchema, 'The app version, data folder and schema version.'),
  'app.services': call(NoInput, z.array(ServiceStatusSchema), 'Each service and whether it is running.'),
  'app.ping': call(z.object({ echo: z.string().max(1000) }).strict(), z.object({ echo: z.string(), at: z.number() }), 'Round-trip check for a transport.'),
  'prefs.get': call(NoInput, PreferencesSchema, 'The UI preferences.'),
  'prefs.set': call(PreferencesSchema.partial().strict(), PreferencesSchema, 'Changes some UI preferences and returns all of them.'),
};

export const appEvents = {
  'app.services': z.array(ServiceStatusSchema),
  'prefs.changed': PreferencesSchema,
};
