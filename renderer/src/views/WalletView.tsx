import { Card, Page } from '../components/Page';
import { ServiceList } from '../components/ServiceList';

/** Wallet mode: address, balances, payments. */
export function WalletView() {
  return (
    <Page id="wallet" title="Wallet" lead="Your address, your balances and every payment in and out.">
      <Card title="Chain and wallet" testId="wallet-services">
        <ServiceList names={['chain', 'wallet']} />
      </Card>
    </Page>
  );
}
