import { useMemo, useState } from 'react';
import { api } from '../../api/client';
import { FieldError } from '../../forms/FieldError';
import { useFieldErrors } from '../../forms/field-errors';
import { CREATE_FIELDS, IMPORT_FIELDS } from '../../forms/wallet-fields';
import { useAction } from '../../hooks/use-action';
import { useStore } from '../../state/store';

/** The client's own check of a new password (the core refuses fewer than 8 characters too). */
function tooShortFor(password: string): string | null {
  return password && password.length < 8 ? 'Use at least 8 characters.' : null;
}

type Step = { kind: 'choose' } | { kind: 'backup'; mnemonic: string; address: string } | { kind: 'confirm'; mnemonic: string };

/** Picks two word positions to ask back, so the phrase was really written down. */
function pickChecks(words: number): [number, number] {
  const a = 1 + Math.floor(Math.random() * words);
  let b = 1 + Math.floor(Math.random() * words);
  if (b === a) b = (a % words) + 1;
  return a < b ? [a, b] : [b, a];
}

/**
 * First run: create a wallet (phrase shown once, then confirmed) or import one. The parent
 * keeps this open through `onBusy(true)` until `onDone`, since the wallet exists (and the
 * status says so) before the phrase has been confirmed.
 */
export function WalletSetup({ onBusy }: { onBusy: (open: boolean) => void }) {
  const loadWallet = useStore((s) => s.loadWallet);
  const [tab, setTab] = useState<'create' | 'import'>('create');
  const [step, setStep] = useState<Step>({ kind: 'choose' });
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [importKind, setImportKind] = useState<'mnemonic' | 'privateKey' | 'keystore'>('mnemonic');
  const [secret, setSecret] = useState('');
  const [answers, setAnswers] = useState(['', '']);

  const createErrors = useFieldErrors(CREATE_FIELDS);
  const importErrors = useFieldErrors(IMPORT_FIELDS);
  const create = useAction(async () => {
    onBusy(true);
    const r = await api.call('wallet.create', { password }).catch((err: unknown) => {
      onBusy(false);
      throw err;
    });
    setStep({ kind: 'backup', mnemonic: r.mnemonic, address: r.address });
  }, createErrors);
  const doImport = useAction(async () => {
    await api.call('wallet.import', { kind: importKind, secret, password });
    await loadWallet();
  }, importErrors);
  // The password field is shared by both tabs; each tab's own refusal shows under it.
  const passwordError = tab === 'create' ? createErrors.of('password', tooShortFor(password)) : importErrors.of('password');
  const clearField = (field: 'kind' | 'secret' | 'password') => {
    importErrors.clear(field);
    if (field === 'password') createErrors.clear('password');
  };

  const checks = useMemo(() => (step.kind === 'confirm' ? pickChecks(step.mnemonic.split(' ').length) : ([1, 2] as [number, number])), [step]);
  const mismatch = password && repeat && password !== repeat ? 'The two passwords differ.' : null;
  const tooShort = tooShortFor(password);

  if (step.kind === 'backup') {
    return (
      <section className="card wide" data-testid="wallet-backup">
        <h2>Your recovery phrase</h2>
        <p>Write these words down, in order, and keep them offline. They are shown <strong>only this once</strong>; anyone who has them controls the wallet.</p>
        <ol className="mnemonic" data-testid="mnemonic">
          {step.mnemonic.split(' ').map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ol>
        <button type="button" className="btn btn-primary" onClick={() => setStep({ kind: 'confirm', mnemonic: step.mnemonic })}>
          I have written it down
        </button>
      </section>
    );
  }
  if (step.kind === 'confirm') {
    const words = step.mnemonic.split(' ');
    const right = (i: number) => answers[i]!.trim().toLowerCase() === words[checks[i]! - 1];
    // Said once a whole word is typed (it has as many letters as the right one), not at every keystroke.
    const wrong = (i: number) => answers[i]!.trim() !== '' && !right(i) && answers[i]!.trim().length >= (words[checks[i]! - 1]?.length ?? 0);
    const ok = right(0) && right(1);
    return (
      <section className="card wide" data-testid="wallet-confirm">
        <h2>Confirm your recovery phrase</h2>
        <p>Type the words asked for, to be sure the phrase was written down.</p>
        {checks.map((n, i) => (
          <div className="field" key={n}>
            <label htmlFor={`word-${n}`}>Word #{n}</label>
            <input
              id={`word-${n}`}
              autoComplete="off"
              value={answers[i]}
              aria-invalid={wrong(i)}
              onChange={(e) => setAnswers(answers.map((a, j) => (j === i ? e.target.value : a)))}
            />
            <FieldError text={wrong(i) ? `That is not word #${n} of your phrase. Check what you wrote down, or show the phrase again.` : null} testId={`word-${n}-error`} />
          </div>
        ))}
        <div className="row">
          <button type="button" className="btn" onClick={() => setStep({ kind: 'backup', mnemonic: step.mnemonic, address: '' })}>
            Show the phrase again
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={!ok}
            onClick={() => {
              onBusy(false);
              void loadWallet();
            }}
          >
            Finish
          </button>
        </div>
      </section>
    );
  }

  return (
    <section className="card wide" data-testid="wallet-setup">
      <h2>Set up your wallet</h2>
      <p className="muted">Rayfarm pays and is paid in tokens. Your key stays encrypted in this computer's data folder and never leaves the app.</p>
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'create'} className={tab === 'create' ? 'active' : ''} onClick={() => setTab('create')}>
          Create a new wallet
        </button>
        <button type="button" role="tab" aria-selected={tab === 'import'} className={tab === 'import' ? 'active' : ''} onClick={() => setTab('import')}>
          Import a wallet
        </button>
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void (tab === 'create' ? create.run() : doImport.run());
        }}
      >
        {tab === 'import' && (
          <>
            <div className="field">
              <label htmlFor="import-kind">What you have</label>
              <select
                id="import-kind"
                value={importKind}
                onChange={(e) => {
                  setImportKind(e.target.value as typeof importKind);
                  clearField('kind');
                }}
              >
                <option value="mnemonic">Recovery phrase (12 or 24 words)</option>
                <option value="privateKey">Private key (0x…)</option>
                <option value="keystore">Keystore file (JSON)</option>
              </select>
              <FieldError text={importErrors.of('kind')} testId="import-kind-error" />
            </div>
            <div className="field">
              <label htmlFor="import-secret">{importKind === 'keystore' ? 'Keystore JSON' : importKind === 'privateKey' ? 'Private key' : 'Recovery phrase'}</label>
              <textarea
                id="import-secret"
                rows={3}
                value={secret}
                onChange={(e) => {
                  setSecret(e.target.value);
                  clearField('secret');
                }}
                autoComplete="off"
                spellCheck={false}
                aria-invalid={!!importErrors.of('secret')}
              />
              <FieldError text={importErrors.of('secret')} testId="import-secret-error" />
            </div>
          </>
        )}
        <div className="field">
          <label htmlFor="wallet-password">{tab === 'import' && importKind === 'keystore' ? "The keystore's password" : 'Password for this wallet'}</label>
          <input
            id="wallet-password"
            type="password"
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              clearField('password');
            }}
            autoComplete="new-password"
            aria-invalid={!!passwordError}
          />
          <FieldError text={passwordError} testId="wallet-password-error" />
        </div>
        {tab === 'create' && (
          <div className="field">
            <label htmlFor="wallet-password-2">Repeat the password</label>
            <input id="wallet-password-2" type="password" value={repeat} onChange={(e) => setRepeat(e.target.value)} autoComplete="new-password" />
            <FieldError text={mismatch} testId="wallet-password-2-error" />
          </div>
        )}
        <FieldError text={tab === 'create' ? createErrors.general : importErrors.general} testId="wallet-setup-error" />
        <button
          type="submit"
          className="btn btn-primary"
          disabled={create.busy || doImport.busy || !password || (tab === 'create' && (!!mismatch || !!tooShort || !repeat)) || (tab === 'import' && !secret)}
        >
          {create.busy || doImport.busy ? 'Working…' : tab === 'create' ? 'Create wallet' : 'Import wallet'}
        </button>
      </form>
    </section>
  );
}
