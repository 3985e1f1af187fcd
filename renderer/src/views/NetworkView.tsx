import { useEffect } from 'react';
import { AnnouncementsCard } from '../components/network/AnnouncementsCard';
import { NodeCard } from '../components/network/NodeCard';
import { PeersCard } from '../components/network/PeersCard';
import { ReputationCard } from '../components/network/ReputationCard';
import { Card, Page } from '../components/Page';
import { ServiceList } from '../components/ServiceList';
import { useStore } from '../state/store';

/** Network mode: this node, its peers and the jobs it has seen. */
export function NetworkView() {
  const net = useStore((s) => s.network);
  const error = useStore((s) => s.networkError);
  const loadNetwork = useStore((s) => s.loadNetwork);
  useEffect(() => {
    void loadNetwork();
  }, [loadNetwork]);
  return (
    <Page id="network" title="Network" lead="This node, the peers it knows and the jobs announced on the network.">
      {error && (
        <div className="banner-error wide" role="alert">
          {error}
        </div>
      )}
      {net && <NodeCard net={net} />}
      <Card title="Services" testId="network-services">
        <ServiceList names={['network', 'chain', 'engine', 'store']} />
      </Card>
      {net && <PeersCard net={net} />}
      {net && <AnnouncementsCard net={net} />}
      <ReputationCard />
    </Page>
  );
}
