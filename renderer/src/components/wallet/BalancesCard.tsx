import { formatTokens } from '../../../../shared/pricing';
import { api } from '../../api/client';
import { useAction } from '../../hooks/use-action';
import { useStore } from '../../state/store';

/** Gas coin and token balances, with the dev faucet where the chain has one. */
export function BalancesCard() {
  const balances = useStore((s) => s.balances);
  const status = useStore((s) => s.walletStatus);
  const refresh = useStore((s) => s.refreshBalances);
  const faucet = useAction(async () => {
    await api.call('wallet.faucet');
    await refresh();
  });
  return (
    <section className="card" data-testid="wallet-balances">
      <h2>Balances</h2>
      {balances ? (
        <div className="balances">
          <div>
            <span className="big" data-testid="balance-token">
              {formatTokens(balances.token, 4)}
            </span>{' '}
            <span className="muted">{balances.tokenSymbol}</span>
          </div>
          <div className="muted">
            <span data-testid="balance-native">{formatTokens(balances.native, 4)}</span> ETH for gas
          </div>
        </div>
      ) : (
        <p className="muted">Loading…</p>
      )}
      <div className="row">
        <button type="button" className="btn" onClick={() => void refresh()}>
          Refresh
        </button>
        {status?.faucet && (
          <button type="button" className="btn btn-primary" onClick={() => void faucet.run()} disabled={faucet.busy} data-testid="wallet-faucet">
            {faucet.busy ? 'Asking the faucet…' : 'Get test tokens'}
          </button>
        )}
      </div>
      {faucet.error && <p className="field-error">{faucet.error.message}</p>}
    </section>
  );
}
