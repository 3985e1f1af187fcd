import { useEffect, useState } from 'react';
import { AddressCard } from '../components/wallet/AddressCard';
import { BalancesCard } from '../components/wallet/BalancesCard';
import { ChainChooser } from '../components/wallet/ChainChooser';
import { HistoryTable } from '../components/wallet/HistoryTable';
import { SendForm } from '../components/wallet/SendForm';
import { UnlockForm } from '../components/wallet/UnlockForm';
import { WalletSetup } from '../components/wallet/WalletSetup';
import { Page } from '../components/Page';
import { useStore } from '../state/store';

/** Wallet mode: address, balances, payments. */
export function WalletView() {
  const status = useStore((s) => s.walletStatus);
  const chain = useStore((s) => s.chainInfo);
  const error = useStore((s) => s.walletError);
  const loadWallet = useStore((s) => s.loadWallet);
  const [onboarding, setOnboarding] = useState(false);
  useEffect(() => {
    void loadWallet();
  }, [loadWallet]);

  return (
    <Page id="wallet" title="Wallet" lead="Your address, your balances and every payment in and out.">
      {chain && (
        <div className={`chain-line wide ${chain.connected ? '' : 'chain-off'}`} data-testid="wallet-chain">
          <span className="dot" aria-hidden="true" /> {chain.detail}
        </div>
      )}
      {error && (
        <div className="banner-error wide" role="alert">
          {error}
        </div>
      )}
      {status && (!status.exists || onboarding) && <WalletSetup onBusy={setOnboarding} />}
      {!onboarding && status?.exists && !status.unlocked && <UnlockForm address={status.address ?? ''} />}
      {!onboarding && status?.exists && status.unlocked && status.address && (
        <>
          <AddressCard address={status.address} />
          {chain?.connected && <BalancesCard />}
          {chain?.connected && <SendForm />}
          {chain?.connected && <HistoryTable />}
        </>
      )}
      {!onboarding && <ChainChooser />}
    </Page>
  );
}
