import { useEffect, useRef, useState } from 'react';
import type { Estimate, PublicJob, WalletBalances, WalletStatus } from '../../../../shared/api';
import type { JobSpec } from '../../../../shared/job-spec';
import { api, ApiCallError } from '../../api/client';
import { FieldError } from '../../forms/FieldError';
import { mapApiError } from '../../forms/field-errors';
import { JOB_FIELDS } from '../../forms/job-fields';
import { UNLOCK_FIELDS } from '../../forms/wallet-fields';
import { exposureWarning, useExposure } from '../../hooks/use-exposure';
import { useStore } from '../../state/store';
import { benchHoursText, exactTokens, tokens } from './format';

const STEP_LABEL: Record<string, string> = { approve: 'Allow the escrow to take the budget', openJob: 'Lock the budget in escrow', topUp: 'Top up the escrow' };
const STATUS_LABEL = { sending: 'waiting for your wallet…', sent: 'sent, waiting for the chain…', mined: 'done' } as const;

/** Explains a failed payment in words a person acts on. */
function explain(err: unknown): string {
  if (!(err instanceof ApiCallError)) return (err as Error).message;
  switch (err.code) {
    case 'WALLET_INSUFFICIENT_FUNDS':
      return `Not enough tokens: ${err.message}`;
    case 'TX_REVERTED':
      return `The chain rejected the transaction: ${err.message}`;
    case 'CHAIN_UNREACHABLE':
    case 'CHAIN_UNAVAILABLE':
      return `The chain cannot be reached: ${err.message}`;
    case 'WALLET_LOCKED':
      return 'The wallet locked itself. Unlock it and try again.';
    default:
      return err.message;
  }
}

/**
 * Review and pay: the job is priced as a draft (nothing on chain), the balance checked,
 * then approve + openJob run with each transaction's progress shown, and the job starts.
 * Cancel throws away a draft this dialog priced, so no unpaid job is left behind; a draft
 * opened from its own page (`existing`) stays, with its Pay and Delete buttons.
 */
export function SubmitDialog({
  spec,
  estimate,
  existing,
  onClose,
  onSpecRefused,
}: {
  spec: JobSpec;
  estimate?: Estimate;
  existing?: PublicJob;
  onClose: () => void;
  /** The API refused a render setting: the dialog closes and the form shows it under its field. */
  onSpecRefused?: (err: unknown) => void;
}) {
  const openJob = useStore((s) => s.openJob);
  const setMode = useStore((s) => s.setMode);
  const discardDraft = useStore((s) => s.discardDraft);
  const previewHash = useStore((s) => s.scenes.find((x) => x.sceneId === spec.sceneId)?.summary.previewHash ?? null);
  const exposureNote = exposureWarning(useExposure(previewHash));
  const [draft, setDraft] = useState<PublicJob | null>(existing ?? null);
  // Set once the person leaves without paying: a draft that arrives after that is thrown away too.
  const abandoned = useRef(false);
  const paid = useRef(false);
  const benchHours = existing?.benchHours ?? estimate!.benchHours;
  const [wallet, setWallet] = useState<WalletStatus | null>(null);
  const [balances, setBalances] = useState<WalletBalances | null>(null);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [passwordError, setPasswordError] = useState<string | null>(null);
  const [paying, setPaying] = useState(false);
  const fundSteps = useStore((s) => s.fundSteps);
  const steps = draft ? (fundSteps[draft.id] ?? []) : [];

  const refreshWallet = async () => {
    const w = await api.call('wallet.status');
    setWallet(w);
    if (w.exists && w.unlocked) setBalances(await api.call('wallet.balances'));
    return w;
  };

  const priceDraft = async () => {
    if (existing) return;
    const d = await api.call('jobs.create', { spec, benchHours });
    if (abandoned.current) await discardDraft(d.id).catch(() => undefined);
    else setDraft(d);
  };

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const w = await refreshWallet();
        if (!live || !w.exists || !w.unlocked) return;
        await priceDraft();
      } catch (err) {
        if (!live) return;
        // A refused setting belongs under its field in the form behind this dialog, not here.
        if (onSpecRefused && Object.keys(mapApiError(err, JOB_FIELDS).fields).length > 0) {
          abandoned.current = true;
          onSpecRefused(err);
          onClose();
          return;
        }
        setError(explain(err));
      }
    })();
    return () => {
      live = false;
    };
    // The dialog prices one spec; it is remounted for another.
  }, []);

  const cancel = () => {
    abandoned.current = true;
    // A draft whose escrow transaction was sent may hold tokens: it stays, for its page to settle.
    const sent = draft && (fundSteps[draft.id] ?? []).some((s) => s.step === 'openJob');
    if (draft && !existing && !paid.current && !sent) void discardDraft(draft.id).catch(() => undefined);
    onClose();
  };

  const unlock = async () => {
    setError(null);
    setPasswordError(null);
    try {
      await api.call('wallet.unlock', { password });
      setPassword('');
      await refreshWallet();
      if (!draft) await priceDraft();
    } catch (err) {
      // A wrong or refused password goes under the password field; anything else below.
      const mapped = mapApiError(err, UNLOCK_FIELDS);
      setPasswordError(mapped.fields.password ?? null);
      if (mapped.general) setError(explain(err));
    }
  };

  const pay = async () => {
    if (!draft) return;
    setPaying(true);
    setError(null);
    try {
      await api.call('jobs.fund', { jobId: draft.id });
      paid.current = true;
      await api.call('jobs.start', { jobId: draft.id });
      openJob(draft.id);
      onClose();
    } catch (err) {
      setError(explain(err));
      await refreshWallet().catch(() => undefined);
    } finally {
      setPaying(false);
    }
  };

  const faucet = async () => {
    setError(null);
    try {
      await api.call('wallet.faucet');
      await refreshWallet();
    } catch (err) {
      setError(explain(err));
    }
  };

  const total = draft ? BigInt(draft.budget) : BigInt(estimate?.price ?? '0');
  const fee = draft ? (total * BigInt(draft.feeBps)) / 10_000n : BigInt(estimate?.fee ?? '0');
  const tasks = draft?.tasks ?? estimate?.tasks ?? 0;
  const short = balances ? BigInt(balances.token) < total : false;
  const noGas = balances ? BigInt(balances.native) === 0n : false;

  return (
    <div className="modal-backdrop" role="presentation">
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="submit-title" data-testid="submit-dialog">
        <h2 id="submit-title">Review and pay</h2>
        <dl className="facts">
          <dt>Tier</dt>
          <dd className="cap">{spec.tier}</dd>
          <dt>Work</dt>
          <dd>
            {tasks} task{tasks === 1 ? '' : 's'}, {benchHoursText(benchHours)} <abbr title="A bench-hour is one hour of a computer that scores 100 on Rayfarm's benchmark.">bench-hours</abbr>
          </dd>
          <dt>Network fee</dt>
          <dd data-testid="confirm-fee" title={exactTokens(fee.toString())}>
            {tokens(fee.toString())} ({((draft?.feeBps ?? estimate?.feeBps ?? 0) / 100).toFixed(1)} %, included)
          </dd>
          <dt>Total locked in escrow</dt>
          <dd className="strong" data-testid="confirm-total" title={exactTokens(total.toString())}>
            {tokens(total.toString())}
          </dd>
          <dt>Your balance</dt>
          <dd data-testid="confirm-balance">{balances ? tokens(balances.token) : '—'}</dd>
        </dl>
        {exposureNote && (
          <p className="notice notice-warn" role="alert" data-testid="confirm-exposure">
            {exposureNote}
          </p>
        )}
        <p className="muted small">
          Operators are paid only for frames that pass verification; whatever is not spent returns to you when the job closes.
        </p>

        {wallet && !wallet.exists && (
          <p className="field-error" role="alert">
            You need a wallet to pay.{' '}
            <button
              type="button"
              className="link"
              onClick={() => {
                cancel();
                setMode('wallet');
              }}
            >
              Create one in the Wallet view
            </button>
          </p>
        )}
        {wallet?.exists && !wallet.unlocked && (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              void unlock();
            }}
          >
            <div className="field unlock-field">
              <input
                type="password"
                className="grow"
                placeholder="Wallet password"
                aria-label="Wallet password"
                value={password}
                onChange={(e) => {
                  setPassword(e.target.value);
                  setPasswordError(null);
                }}
                aria-invalid={!!passwordError}
              />
              <FieldError text={passwordError} testId="confirm-password-error" />
            </div>
            <button type="submit" className="btn" disabled={!password}>
              Unlock
            </button>
          </form>
        )}
        {short && (
          <p className="field-error" role="alert" data-testid="confirm-short">
            Not enough tokens: this job locks {tokens(total.toString())} and the wallet holds {tokens(balances!.token)}.{' '}
            {wallet?.faucet && (
              <button type="button" className="link" onClick={() => void faucet()}>
                Get test tokens
              </button>
            )}
          </p>
        )}
        {noGas && !short && <p className="field-error">The wallet has no gas coin to pay for transactions.</p>}

        {steps.length > 0 && (
          <ol className="steps" data-testid="fund-steps">
            {steps.map((s) => (
              <li key={s.step} className={`step step-${s.status}`}>
                <span className="dot" aria-hidden="true" /> {STEP_LABEL[s.step] ?? s.step}: {STATUS_LABEL[s.status]}
              </li>
            ))}
          </ol>
        )}
        {error && (
          <p className="field-error" role="alert" data-testid="submit-error">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="button" className="btn" onClick={cancel} disabled={paying} data-testid="confirm-cancel">
            {existing ? 'Not now' : 'Cancel'}
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void pay()} disabled={!draft || paying || short || noGas} data-testid="confirm-pay">
            {paying ? 'Paying…' : `Pay ${tokens(total.toString())} and start`}
          </button>
        </div>
      </div>
    </div>
  );
}
