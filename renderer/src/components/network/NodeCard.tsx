import { useState } from 'react';
import type { NetworkStatus } from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction } from '../../hooks/use-action';

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
