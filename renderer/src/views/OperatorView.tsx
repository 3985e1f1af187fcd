import { useEffect } from 'react';
import '../components/operator/operator.css';
import { BenchmarkCard } from '../components/operator/BenchmarkCard';
import { EarningsCard } from '../components/operator/EarningsCard';
import { HardwareCard } from '../components/operator/HardwareCard';
import { HistoryCard } from '../components/operator/HistoryCard';
import { PaymentCard } from '../components/operator/PaymentCard';
import { PolicyCard } from '../components/operator/PolicyCard';
import { StatusCard } from '../components/operator/StatusCard';
import { Page } from '../components/Page';
import { useStore } from '../state/store';

/** Operator mode: lend this GPU, see what it earns. */
export function OperatorView() {
  const connection = useStore((s) => s.connection);
  const load = useStore((s) => s.loadOperator);
  const loadWallet = useStore((s) => s.loadWallet);
  useEffect(() => {
    if (connection === 'connected') {
      void load();
      // Redemptions in the wallet's history split earnings into gross, fee and net.
      void loadWallet();
    }
  }, [connection, load, loadWallet]);
  return (
    <Page id="operator" title="Operator" lead="Lend your idle GPU to the network and get paid for every verified frame.">
      <StatusCard />
      <HardwareCard />
      <BenchmarkCard />
      <PolicyCard />
      <PaymentCard />
      <EarningsCard />
      <HistoryCard />
    </Page>
  );
}
