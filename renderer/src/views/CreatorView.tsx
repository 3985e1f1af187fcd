import { Card, Page } from '../components/Page';
import { ServiceList } from '../components/ServiceList';

/** Creator mode: scenes in, frames out. */
export function CreatorView() {
  return (
    <Page id="creator" title="Creator" lead="Drop a 3D scene, see what it costs, and watch your frames arrive.">
      <Card title="What this machine can do" testId="creator-services">
        <ServiceList names={['store', 'engine']} />
      </Card>
    </Page>
  );
}
