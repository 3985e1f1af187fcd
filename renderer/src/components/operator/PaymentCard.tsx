import { useEffect, useState } from 'react';
import { FieldError } from '../../forms/FieldError';
import { useFieldErrors } from '../../forms/field-errors';
import { MAX_UNPAID_FIELDS, RESUME_FIELDS } from '../../forms/operator-fields';
import { useStore } from '../../state/store';
import { Card } from '../Page';

const AMOUNT = /^\d+(\.\d{1,18})?$/;

/** The form's own check of the limit, in the same words as the API's refusal. */
function limitProblem(text: string): string | null {
  const t = text.trim();
  if (t === '') return null;
  return AMOUNT.test(t) && /[1-9]/.test(t) ? null : MAX_UNPAID_FIELDS.rules.maxUnpaid;
}

/**
 * What protects this machine's pay: the unpaid-work limit (how much it renders for a job
 * before it holds a voucher for it) and the creators it stopped working for, each with a
 * button to work for it again and what that risks.
 */
export function PaymentCard() {
  const status = useStore((s) => s.opStatus);
  const setMaxUnpaid = useStore((s) => s.setMaxUnpaid);
  const resumeCreator = useStore((s) => s.resumeCreator);
  const [limit, setLimit] = useState('');
  const [local, setLocal] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const limitErrors = useFieldErrors(MAX_UNPAID_FIELDS);
  const resumeErrors = useFieldErrors(RESUME_FIELDS);
  const [resuming, setResuming] = useState<string | null>(null);
  const current = status?.maxUnpaid ?? null;
  useEffect(() => setLimit(current ?? ''), [current]);
  if (!status) return null;

  const save = async () => {
    const t = limit.trim();
    const problem = limitProblem(t);
    setLocal(problem);
    setSaved(false);
    if (problem || t === (current ?? '')) return;
    limitErrors.clear();
    try {
      await setMaxUnpaid(t === '' ? null : t);
      setSaved(true);
    } catch (err) {
      limitErrors.report(err);
    }
  };
  const resume = async (creator: string) => {
    resumeErrors.clear();
    setResuming(creator);
    try {
      await resumeCreator(creator);
    } catch (err) {
      resumeErrors.report(err);
    } finally {
      setResuming(null);
    }
  };
  const limitError = limitErrors.of('maxUnpaid', local);

  return (
    <Card title="Getting paid safely" testId="operator-payments">
      <div className="field">
        <label htmlFor="op-max-unpaid">Unpaid-work limit (RFT per job)</label>
        <input
          id="op-max-unpaid"
          inputMode="decimal"
          placeholder="one task at a time"
          value={limit}
          disabled={status.maxUnpaidForced}
          onChange={(e) => {
            setLimit(e.target.value);
            setLocal(null);
            setSaved(false);
            limitErrors.clear('maxUnpaid');
          }}
          onBlur={() => void save()}
          onKeyDown={(e) => e.key === 'Enter' && void save()}
          aria-invalid={!!limitError}
          aria-describedby="op-max-unpaid-hint"
          data-testid="op-max-unpaid"
        />
        <FieldError text={limitError} testId="op-max-unpaid-error" />
        <span id="op-max-unpaid-hint" className="muted small" data-testid="op-max-unpaid-hint">
          The most work, in RFT, this machine renders for one job before the creator has signed a voucher for it. Empty means one
          task at a time: a creator that never pays costs you at most one task. A higher limit lets you take several tasks of a job at
          once, and that much is at risk if its creator does not pay. A limit below one task's pay takes no paid tasks at all.
          {status.maxUnpaidForced && ' Set on the command line (--max-unpaid): restart without it to change it here.'}
        </span>
        {saved && (
          <span className="ok-text small" data-testid="op-max-unpaid-saved">
            Saved: {current === null ? 'one task at a time' : `${current} RFT per job`}.
          </span>
        )}
      </div>
      <h3 className="small">Creators this machine stopped working for</h3>
      {status.paymentStops.length === 0 ? (
        <p className="muted small" data-testid="operator-no-stops">
          None. A creator that does not pay as promised (no voucher, or one short of what was agreed) is stopped here automatically.
        </p>
      ) : (
        <ul className="op-notices" data-testid="operator-payment-stops">
          {status.paymentStops.map((s) => (
            <li key={s.creator} className="op-notice op-notice-result-rejected" data-testid="operator-payment-stop">
              <div>
                <strong>Stopped working for creator …{s.creator.slice(-8)}</strong>
                <span>
                  It did not pay as promised: {s.reason}. What it still owes stays redeemable from its escrow; no new tasks are taken from it.
                </span>
                <span className="muted">
                  Resuming takes its tasks again. If it still does not pay, up to the unpaid-work limit ({current === null ? 'one task' : `${current} RFT`} per job)
                  is rendered for nothing before it is stopped again.
                </span>
                <FieldError text={resuming === null ? resumeErrors.of('creator') : null} testId="operator-resume-error" />
              </div>
              <button type="button" className="btn btn-small" disabled={resuming !== null} onClick={() => void resume(s.creator)} data-testid="operator-resume-creator">
                {resuming === s.creator ? 'Resuming…' : 'Work for it again'}
              </button>
            </li>
          ))}
        </ul>
      )}
      <FieldError text={limitErrors.general ?? resumeErrors.general} testId="operator-payments-error" />
    </Card>
  );
}
