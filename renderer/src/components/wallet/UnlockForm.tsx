import { useState } from 'react';
import { api } from '../../api/client';
import { FieldError } from '../../forms/FieldError';
import { useFieldErrors } from '../../forms/field-errors';
import { UNLOCK_FIELDS } from '../../forms/wallet-fields';
import { useAction } from '../../hooks/use-action';
import { useStore } from '../../state/store';

/** Unlocks the wallet with its password. */
export function UnlockForm({ address }: { address: string }) {
  const loadWallet = useStore((s) => s.loadWallet);
  const [password, setPassword] = useState('');
  const errors = useFieldErrors(UNLOCK_FIELDS);
  const unlock = useAction(async () => {
    await api.call('wallet.unlock', { password });
    setPassword('');
    await loadWallet();
  }, errors);
  return (
    <section className="card" data-testid="wallet-unlock">
      <h2>Wallet locked</h2>
      <p className="mono small">{address}</p>
      <p className="small" data-testid="wallet-lock-earning">
        While the wallet is locked this node takes no new paid tasks; tasks it already holds finish, and their pay is kept and
        redeemed after you unlock. An unlocked wallet locks itself after 15 minutes without use.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void unlock.run();
        }}
      >
        <div className="field">
          <label htmlFor="unlock-password">Password</label>
          <input
            id="unlock-password"
            type="password"
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              errors.clear('password');
            }}
            autoComplete="current-password"
            aria-invalid={!!errors.of('password')}
          />
          <FieldError text={errors.of('password')} testId="unlock-password-error" />
        </div>
        <FieldError text={errors.general} testId="unlock-error" />
        <button type="submit" className="btn btn-primary" disabled={!password || unlock.busy}>
          {unlock.busy ? 'Unlocking…' : 'Unlock'}
        </button>
      </form>
    </section>
  );
}
