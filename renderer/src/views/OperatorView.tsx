import { Card, Page } from '../components/Page';
import { ServiceList } from '../components/ServiceList';

/** Operator mode: lend this GPU, see what it earns. */
export function OperatorView() {
  return (
    <Page id="operator" title="Operator" lead="Lend your idle GPU to the network and get paid for every verified frame.">
      <Card title="Render node" testId="operator-services">
        <ServiceList names={['engine', 'operator']} />
      </Card>
    </Page>
  );
}
