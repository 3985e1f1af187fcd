import { useState } from 'react';
import type { NetworkStatus } from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction } from '../../hooks/use-action';

/** How peers outside this node's network can reach it, in words. */
function Reachable({ r }: { r: NetworkStatus['reachable'] }) {
  if (r.how === 'public') {
    return (
      <>
        <span className="pill pill-ready">From the internet</span> at <code>{r.via[0]}</code>
        {r.via.length > 1 ? ` and ${r.via.length - 1} more` : ''} (confirmed by peers dialling back, or mapped by the router)
      </>
    );
  }
  if (r.how === 'relayed') {
    return (
      <>
        <span className="pill pill-starting">Through a relay</span> this node is behind NAT; peers reach it through relay{' '}
        {r.via.map((id) => `…${id.slice(-8)}`).join(', ')}
      </>
    );
  }
  return (
    <>
      <span className="pill">Own network only</span> no public address is confirmed and no relay slot is held yet, so only peers on this
      network can connect to it; it can still connect out and take work
    </>
  );
}

/** This node: its id, mode, the addresses others dial, and whether it renders for the network. */
export function NodeCard({ net }: { net: NetworkStatus }) {
  const [copied, setCopied] = useState<string | null>(null);
  const toggle = useAction(async () => {
    await api.call('network.setOperator', { enabled: !net.operator });
  });
  return (
    <section className="card" data-testid="network-node">
      <h2>This node</h2>
      <dl className="facts">
        <dt>Peer id</dt>
        <dd className="mono small" data-testid="peer-id">
          {net.peerId}
        </dd>
        <dt>Mode</dt>
        <dd data-testid="network-mode">
          {net.mode === 'studio' ? (
            <>
              <span className="pill pill-starting">Studio</span> private network, pre-shared key, no payments
            </>
          ) : (
            <>
              <span className="pill pill-ready">Public</span> paid per verified task
            </>
          )}
        </dd>
        <dt>Reachable</dt>
        <dd data-testid="self-reach" data-reach={net.reachable.how}>
          <Reachable r={net.reachable} />
        </dd>
        <dt>Renders</dt>
        <dd>
          <label className="switch">
            <input type="checkbox" checked={net.operator} onChange={() => void toggle.run()} disabled={toggle.busy} data-testid="operator-toggle" />
            <span>{net.operator ? 'This node takes tasks (its own jobs included)' : 'This node does not take tasks'}</span>
          </label>
        </dd>
      </dl>
      <h3 className="sub">Listen addresses</h3>
      <ul className="addr-list" data-testid="listen-addrs">
        {net.listenAddrs.map((a) => (
          <li key={a}>
            <code>{a}</code>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => void navigator.clipboard?.writeText(a).then(() => setCopied(a))}
            >
              {copied === a ? 'Copied' : 'Copy'}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
