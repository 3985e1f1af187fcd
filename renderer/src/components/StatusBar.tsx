import { useStore } from '../state/store';

const LABEL = { connecting: 'Connecting…', connected: 'Connected', disconnected: 'Disconnected' } as const;

/** The strip along the bottom: connection, data folder, schema and app version. */
export function StatusBar() {
  const connection = useStore((s) => s.connection);
  const info = useStore((s) => s.appInfo);
  const wallet = useStore((s) => s.walletStatus);
  const setMode = useStore((s) => s.setMode);
  return (
    <footer className="statusbar" data-testid="statusbar">
      <span className={`conn conn-${connection}`} data-testid="connection-state">
        <span className="dot" aria-hidden="true" />
        {LABEL[connection]}
        {info ? ` · ${info.transport === 'ipc' ? 'desktop' : 'browser'}` : ''}
      </span>
      {wallet?.exists && (
        <button
          type="button"
          className={wallet.unlocked ? 'status-link' : 'status-link lock'}
          data-testid="wallet-lock-state"
          data-locked={!wallet.unlocked}
          title={wallet.unlocked ? 'The wallet locks itself after 15 minutes unused.' : 'Paid jobs and paid rendering wait until the wallet is unlocked.'}
          onClick={() => setMode('wallet')}
        >
          {wallet.unlocked ? 'Wallet unlocked' : 'Wallet locked — paid work paused'}
        </button>
      )}
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
