import { useEffect, useState } from 'react';
import type { ChainSettings } from '../../../../shared/api';
import { api } from '../../api/client';
import { useAction } from '../../hooks/use-action';

/** Settings: which payment network the app uses (a preset or custom values); applies at the next start. */
export function ChainChooser() {
  const [settings, setSettings] = useState<ChainSettings | null>(null);
  const [preset, setPreset] = useState<string>('dev');
  const [custom, setCustom] = useState({ rpcUrl: '', chainId: '', token: '', escrow: '' });
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    void api.call('chain.settings.get').then((s) => {
      setSettings(s);
      setPreset(s.choice.preset);
      if (s.choice.preset === 'custom') setCustom({ ...s.choice.network, chainId: String(s.choice.network.chainId) });
    });
  }, []);
  const save = useAction(async () => {
    setSaved(false);
    const choice =
      preset === 'custom'
        ? { preset: 'custom' as const, network: { rpcUrl: custom.rpcUrl.trim(), chainId: Number(custom.chainId), token: custom.token.trim(), escrow: custom.escrow.trim() } }
        : { preset: preset as 'dev' | 'base-sepolia' | 'base' };
    setSettings(await api.call('chain.settings.set', choice));
    setSaved(true);
  });
  if (!settings) return null;
  const chosen = settings.presets.find((p) => p.id === preset);
  const field = (key: keyof typeof custom, label: string, placeholder: string) => (
    <div className="field">
      <label htmlFor={`chain-${key}`}>{label}</label>
      <input id={`chain-${key}`} className="mono" placeholder={placeholder} value={custom[key]} onChange={(e) => setCustom({ ...custom, [key]: e.target.value })} />
    </div>
  );
  return (
    <section className="card" data-testid="chain-chooser">
      <h2>Settings: payment network</h2>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <div className="field">
          <label htmlFor="chain-preset">Network</label>
          <select id="chain-preset" value={preset} onChange={(e) => setPreset(e.target.value)}>
            {settings.presets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
                {p.deployed ? '' : ' (not deployed)'}
              </option>
            ))}
          </select>
        </div>
        {chosen && <p className="muted" data-testid="chain-preset-note">{chosen.note}{chosen.chainId ? ` Chain id ${chosen.chainId}.` : ''}</p>}
        {preset === 'custom' && (
          <>
            {field('rpcUrl', 'RPC URL', 'https://…')}
            {field('chainId', 'Chain id', '8453')}
            {field('token', 'Token address', '0x…')}
            {field('escrow', 'Escrow address', '0x…')}
          </>
        )}
        {save.error && (
          <p className="field-error" role="alert" data-testid="chain-error">
            {save.error.message}
          </p>
        )}
        {saved && settings.restartNeeded && (
          <p className="ok-text" data-testid="chain-saved">
            Saved. The app uses this network from its next start.
          </p>
        )}
        {saved && !settings.restartNeeded && (
          <p className="ok-text" data-testid="chain-saved">
            Saved. This is the network in use.
          </p>
        )}
        <button type="submit" className="btn" disabled={save.busy}>
          {save.busy ? 'Checking the network…' : 'Use this network'}
        </button>
      </form>
    </section>
  );
}
