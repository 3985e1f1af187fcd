import { useState } from 'react';
import type { NetworkStatus } from '../../../../shared/api';
import { api } from '../../api/client';
import { FieldError } from '../../forms/FieldError';
import { useFieldErrors } from '../../forms/field-errors';
import { PEER_FIELDS } from '../../forms/operator-fields';
import { useAction } from '../../hooks/use-action';

const REACH: Record<NonNullable<NetworkStatus['peers'][number]['reach']>, { label: string; why: string }> = {
  lan: { label: 'LAN', why: 'On this local network' },
  direct: { label: 'direct', why: 'A direct connection over the internet' },
  'hole-punched': { label: 'direct (hole punched)', why: 'Was reached through a relay; a hole punch then opened a direct connection' },
  relayed: { label: 'relayed', why: 'Through a circuit relay: one of the two is behind NAT and no direct connection could be made' },
};

function short(s: string | null, n = 10): string {
  return s ? (s.length > n * 2 ? `${s.slice(0, n)}…${s.slice(-4)}` : s) : '—';
}

/** The peers this node knows, and a field to dial one by address. */
export function PeersCard({ net }: { net: NetworkStatus }) {
  const [addr, setAddr] = useState('');
  const errors = useFieldErrors(PEER_FIELDS);
  const connect = useAction(async () => {
    await api.call('network.connect', { addr: addr.trim() });
    setAddr('');
  }, errors);
  return (
    <section className="card wide" data-testid="network-peers">
      <h2>Peers</h2>
      {net.peers.length > 0 && (
        <p className="muted small" data-testid="network-peer-counts">
          {net.peers.filter((p) => p.connected).length} connected now, {net.peers.filter((p) => !p.connected).length} known from earlier and not connected (their latency is the last one measured).
        </p>
      )}
      {net.peers.length === 0 ? (
        <p className="empty">No peers yet. Nodes on this LAN appear by themselves; others can be added by address below.</p>
      ) : (
        <table className="data">
          <thead>
            <tr>
              <th>Peer</th>
              <th>Address</th>
              <th>Role</th>
              <th>Score</th>
              <th>Latency</th>
              <th>Reached</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {net.peers.map((p) => (
              <tr key={p.id}>
                <td className="mono" title={p.id}>
                  {short(p.id)}
                </td>
                <td className="mono" title={p.address ?? ''}>
                  {short(p.address)}
                </td>
                <td>{p.role}</td>
                <td>{p.score}</td>
                <td>{p.latency === null ? '—' : `${Math.round(p.latency)} ms${p.connected ? '' : ' (last)'}`}</td>
                <td title={p.reach ? REACH[p.reach].why : ''} data-testid="peer-reach">
                  {p.reach ? REACH[p.reach].label : '—'}
                </td>
                <td>
                  <span className={`pill ${p.connected ? 'pill-ready' : ''}`}>{p.connected ? 'connected' : 'not connected'}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void connect.run();
        }}
      >
        <div className="field unlock-field">
          <input
            className="grow mono"
            placeholder="/ip4/192.168.1.20/tcp/4001/p2p/12D3Koo…"
            value={addr}
            onChange={(e) => {
              setAddr(e.target.value);
              errors.clear('addr');
            }}
            aria-label="Peer address"
            aria-invalid={!!errors.of('addr')}
          />
          <FieldError text={errors.of('addr')} testId="peer-addr-error" />
        </div>
        <button type="submit" className="btn" disabled={!addr.trim() || connect.busy}>
          {connect.busy ? 'Connecting…' : 'Connect'}
        </button>
      </form>
      <FieldError text={errors.general} testId="peer-connect-error" />
    </section>
  );
}
