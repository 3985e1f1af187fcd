import { useStore } from '../state/store';

const LABEL = { connecting: 'Connecting…', connected: 'Connected', disconnected: 'Disconnected' } as const;

/** The strip along the bottom: connection, data folder, schema and app version. */
export function StatusBar() {
  const connection = useStore((s) => s.connection);
  const info = useStore((s) => s.appInfo);
  return (
    <footer className="statusbar" data-testid="statusbar">
      <span className={`conn conn-${connection}`} data-testid="connection-state">
        <span className="dot" aria-hidden="true" />
        {LABEL[connection]}
        {info ? ` · ${info.transport === 'ipc' ? 'desktop' : 'browser'}` : ''}
      </span>
      {info && (
        <>
          <span title="Data folder" data-testid="data-dir">
            {info.dataDir}
          </span>
          <span data-testid="schema-version">schema v{info.schemaVersion}</span>
          <span data-testid="app-version">Rayfarm {info.version}</span>
        </>
      )}
    </footer>
  );
}
