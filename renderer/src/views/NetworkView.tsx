import { Card, Page } from '../components/Page';
import { ServiceList } from '../components/ServiceList';
import { useStore } from '../state/store';

/** Network mode: this node, its peers and the jobs it has seen. */
export function NetworkView() {
  const info = useStore((s) => s.appInfo);
  return (
    <Page id="network" title="Network" lead="This node, the peers it knows and the jobs announced on the network.">
      <Card title="This node" testId="network-node">
        <dl className="facts">
          <dt>Data folder</dt>
          <dd>{info?.dataDir ?? '—'}</dd>
          <dt>Platform</dt>
          <dd>{info?.platform ?? '—'}</dd>
          <dt>Running since</dt>
          <dd>{info ? new Date(info.startedAt).toLocaleString() : '—'}</dd>
        </dl>
      </Card>
      <Card title="Services" testId="network-services">
        <ServiceList names={['store', 'network']} />
      </Card>
    </Page>
  );
}
