import { useEffect } from 'react';
import { Sidebar } from './components/Sidebar';
import { StatusBar } from './components/StatusBar';
import { Toasts } from './components/Toasts';
import { useStore } from './state/store';
import { CreatorView } from './views/CreatorView';
import { NetworkView } from './views/NetworkView';
import { OperatorView } from './views/OperatorView';
import { WalletView } from './views/WalletView';

/** The window: sidebar, the current mode, the status bar. */
export function App() {
  const mode = useStore((s) => s.mode);
  const theme = useStore((s) => s.theme);
  const connection = useStore((s) => s.connection);
  const refreshApp = useStore((s) => s.refreshApp);
  const loadPrefs = useStore((s) => s.loadPrefs);
  const loadWallet = useStore((s) => s.loadWallet);
  const loadError = useStore((s) => s.loadError);
  const problem = useStore((s) => s.connectionProblem);

  useEffect(() => {
    if (connection === 'connected') {
      void refreshApp();
      void loadPrefs();
      // The status bar and the Operator view say when the wallet is locked.
      void loadWallet();
    }
  }, [connection, refreshApp, loadPrefs, loadWallet]);

  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  return (
    <div className="shell">
      <Sidebar />
      <div className="content">
        {connection !== 'connected' && problem && (
          <div className="banner banner-error" role="alert" data-testid="connection-problem">
            {problem}
          </div>
        )}
        {loadError && connection === 'connected' && (
          <div className="banner banner-error" role="alert">
            {loadError}
          </div>
        )}
        {mode === 'creator' && <CreatorView />}
        {mode === 'operator' && <OperatorView />}
        {mode === 'wallet' && <WalletView />}
        {mode === 'network' && <NetworkView />}
      </div>
      <StatusBar />
      <Toasts />
    </div>
  );
}
