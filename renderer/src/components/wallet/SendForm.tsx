import { useState } from 'react';
import { api } from '../../api/client';
import { FieldError } from '../../forms/FieldError';
import { useFieldErrors } from '../../forms/field-errors';
import { SEND_FIELDS } from '../../forms/wallet-fields';
import { useAction } from '../../hooks/use-action';
import { useStore } from '../../state/store';

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const AMOUNT = /^\d+(\.\d{1,18})?$/;

/** Sends tokens, with problems shown next to the field they concern. */
export function SendForm() {
  const refresh = useStore((s) => s.refreshBalances);
  const [to, setTo] = useState('');
  const [amount, setAmount] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const errors = useFieldErrors(SEND_FIELDS);
  const send = useAction(async () => {
    const r = await api.call('wallet.send', { to: to.trim(), amount: amount.trim() });
    setSent(r.hash);
    setAmount('');
    await refresh();
  }, errors);
  const toError = errors.of('to', to && !ADDRESS.test(to.trim()) && 'An address is 0x followed by 40 hexadecimal characters.');
  const amountError = errors.of('amount', amount && !AMOUNT.test(amount.trim()) && 'Type an amount such as 12 or 0.5.');
  return (
    <section className="card" data-testid="wallet-send">
      <h2>Send tokens</h2>
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setSent(null);
          void send.run();
        }}
      >
        <div className="field">
          <label htmlFor="send-to">To address</label>
          <input id="send-to" className="mono" placeholder="0x…" value={to} onChange={(e) => {
              setTo(e.target.value);
              errors.clear('to');
            }} aria-invalid={!!toError} />
          <FieldError text={toError} testId="send-to-error" />
        </div>
        <div className="field">
          <label htmlFor="send-amount">Amount (tokens)</label>
          <input id="send-amount" inputMode="decimal" placeholder="0.0" value={amount} onChange={(e) => {
              setAmount(e.target.value);
              errors.clear('amount');
            }} aria-invalid={!!amountError} />
          <FieldError text={amountError} testId="send-amount-error" />
        </div>
        <FieldError text={errors.general} testId="send-error" />
        {sent && (
          <p className="ok-text" data-testid="send-ok">
            Sent. Transaction <span className="mono">{sent.slice(0, 12)}…</span>
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={send.busy || !to || !amount || !!(to && !ADDRESS.test(to.trim())) || !!(amount && !AMOUNT.test(amount.trim()))}>
          {send.busy ? 'Sending…' : 'Send'}
        </button>
      </form>
    </section>
  );
}
