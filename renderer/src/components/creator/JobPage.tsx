import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobOutputInfo, PublicJobDetail } from '../../../../shared/api';
import { parseTokens } from '../../../../shared/pricing';
import { api } from '../../api/client';
import { downloadUrl } from '../../api/upload';
import { FieldError } from '../../forms/FieldError';
import { useFieldErrors } from '../../forms/field-errors';
import { TOP_UP_FIELDS } from '../../forms/wallet-fields';
import { useAction } from '../../hooks/use-action';
import { useStore } from '../../state/store';
import { FrameGrid } from './FrameGrid';
import { FrameViewer } from './FrameViewer';
import { SubmitDialog } from './SubmitDialog';
import { duration, exactTokens, tokens } from './format';

const STATE_TEXT: Record<string, string> = {
  draft: 'Draft — not paid yet',
  funded: 'Paid — starting',
  running: 'Rendering',
  paused: 'Paused',
  complete: 'Complete',
  cancelled: 'Cancelled',
  closed: 'Closed — escrow settled',
};

function short(a: string): string {
  return `${a.slice(0, 8)}…${a.slice(-4)}`;
}

/** One job: its frames as they arrive, progress, operators, verification, payments, controls. */
export function JobPage({ jobId }: { jobId: string }) {
  const openJob = useStore((s) => s.openJob);
  const discardDraft = useStore((s) => s.discardDraft);
  const editDraft = useStore((s) => s.editDraft);
  const job = useStore((s) => s.jobs.find((j) => j.id === jobId) ?? null);
  const [paying, setPaying] = useState(false);
  const [detail, setDetail] = useState<PublicJobDetail | null>(null);
  const [out, setOut] = useState<JobOutputInfo | null>(null);
  const [viewing, setViewing] = useState<number | null>(null);
  const [topUp, setTopUp] = useState('');
  const [error, setError] = useState<string | null>(null);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  const refresh = useCallback(async () => {
    try {
      // A draft has no output yet: its details (and its Pay button) must not wait on one.
      const [d, o] = await Promise.all([api.call('jobs.get', { jobId }), api.call('jobs.output', { jobId }).catch(() => null)]);
      setDetail(d);
      setOut(o);
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [jobId]);

  useEffect(() => {
    void refresh();
    // Events arrive in bursts while frames land; refresh at most a few times a second.
    const soon = () => {
      if (pending.current) return;
      pending.current = setTimeout(() => {
        pending.current = null;
        void refresh();
      }, 300);
    };
    const offs = [api.on('job.updated', (j) => j.id === jobId && soon()), api.on('job.task', (t) => t.jobId === jobId && soon())];
    const poll = setInterval(soon, 3000);
    return () => {
      offs.forEach((o) => o());
      clearInterval(poll);
      if (pending.current) clearTimeout(pending.current);
    };
  }, [jobId, refresh]);

  const act = useAction(async (call: 'jobs.pause' | 'jobs.resume' | 'jobs.cancel' | 'jobs.close') => {
    await api.call(call, { jobId });
    await refresh();
  });
  const topErrors = useFieldErrors(TOP_UP_FIELDS);
  const top = useAction(async () => {
    await api.call('jobs.topUp', { jobId, amount: parseTokens(topUp).toString() });
    setTopUp('');
    await refresh();
  }, topErrors);
  const openFolder = useAction(async () => {
    await api.call('jobs.openFolder', { jobId });
  });
  const remove = useAction(async () => {
    await discardDraft(jobId);
    openJob(null);
  });
  const edit = useAction(async () => {
    if (detail) await editDraft(jobId, detail.spec);
  });
  const sceneName = useStore((s) => (job ? s.scenes.find((x) => x.sceneId === job.sceneId)?.summary.name : undefined));

  const j = detail?.job ?? job;
  if (!j) return <p className="muted">{error ?? 'Loading the job…'}</p>;
  const done = j.done;
  const fraction = j.tasks ? done / j.tasks : 0;
  const startedAt = detail?.events.find((e) => e.to === 'running')?.at ?? j.createdAt;
  const elapsed = (Date.now() - startedAt) / 1000;
  const eta = done > 0 && done < j.tasks ? (elapsed / done) * (j.tasks - done) : null;
  const operators = new Map<string, { accepted: number; rejected: number }>();
  for (const v of detail?.verdicts ?? []) {
    const o = operators.get(v.operator) ?? { accepted: 0, rejected: 0 };
    // A forfeited result (its operator caught by a later re-render) counts against it, as a rejection does.
    o[v.verdict === 'forfeited' ? 'rejected' : v.verdict] += 1;
    operators.set(v.operator, o);
  }
  const browser = !window.rayfarm;
  const active = j.state === 'running' || j.state === 'funded' || j.state === 'paused';
  const closable = (j.state === 'complete' || j.state === 'cancelled') && j.closableAt !== null && j.closableAt * 1000 <= Date.now();

  return (
    <>
      <div className="wide row between">
        <button type="button" className="btn" onClick={() => openJob(null)}>
          ← All jobs
        </button>
        <span className="small muted" data-testid="job-title">
          {sceneName ?? 'Job'} · {new Date(j.createdAt).toLocaleString()}
        </span>
      </div>
      <section className="card wide" data-testid="job-page">
        <div className="row between">
          <h2 data-testid="job-state" data-state={j.state}>
            {STATE_TEXT[j.state] ?? j.state}
          </h2>
          <span className="muted small">
            {done} / {j.tasks} tasks verified{eta !== null && ` · about ${duration(eta)} left`}
          </span>
        </div>
        <div className="progress" role="progressbar" aria-label="Job progress" aria-valuenow={Math.round(fraction * 100)} data-testid="job-progress">
          <span style={{ width: `${fraction * 100}%` }} />
        </div>
        {j.state === 'paused' && j.note && <p className="field-error">{j.note}</p>}
        {j.note && j.state !== 'paused' && <p className="muted small">{j.note}</p>}
        {out && <FrameGrid out={out} onOpen={(f) => setViewing(f)} />}
        {j.state === 'draft' && (
          <p className="muted small" data-testid="draft-note">
            Nothing is paid yet: this job is priced but no tokens are locked. Pay to start it, change its settings, or delete it.
          </p>
        )}
        <div className="row">
          {j.state === 'draft' && (
            <>
              <button type="button" className="btn btn-primary" onClick={() => setPaying(true)} disabled={!detail} data-testid="draft-pay">
                Review and pay
              </button>
              <button type="button" className="btn" onClick={() => void edit.run()} disabled={!detail || edit.busy} data-testid="draft-edit">
                Change settings
              </button>
              <button type="button" className="btn" onClick={() => void remove.run()} disabled={remove.busy} data-testid="draft-delete">
                Delete draft
              </button>
            </>
          )}
          {j.state === 'running' && (
            <button type="button" className="btn" onClick={() => void act.run('jobs.pause')} disabled={act.busy}>
              Pause
            </button>
          )}
          {j.state === 'paused' && (
            <button type="button" className="btn" onClick={() => void act.run('jobs.resume')} disabled={act.busy}>
              Resume
            </button>
          )}
          {active && (
            <button type="button" className="btn" onClick={() => void act.run('jobs.cancel')} disabled={act.busy}>
              Cancel job
            </button>
          )}
          {closable && (
            <button type="button" className="btn" onClick={() => void act.run('jobs.close')} disabled={act.busy}>
              Close and take back the rest
            </button>
          )}
          {browser && out && out.frames.some((f) => f.file) && (
            <a className="btn btn-primary" href={downloadUrl('job', j.id, 'frames.zip')} data-testid="download-zip">
              Download all frames (zip)
            </a>
          )}
          {!browser && (
            <button type="button" className="btn btn-primary" onClick={() => void openFolder.run()}>
              Open output folder
            </button>
          )}
        </div>
        {error && detail === null && <p className="field-error">{error}</p>}
        {(act.error ?? openFolder.error ?? remove.error ?? edit.error) && <p className="field-error">{(act.error ?? openFolder.error ?? remove.error ?? edit.error)!.message}</p>}
        {out?.outDir && (
          <p className="muted small" title={out.outDir} data-testid="job-out-dir">
            {browser ? 'The frames are also kept on the machine running Rayfarm, in its data folder under outputs (hover for the full path).' : 'The frames are saved in the data folder under outputs (hover for the full path).'}
          </p>
        )}
      </section>

      <section className="card" data-testid="job-payments">
        <h2>Payments</h2>
        <dl className="facts">
          <dt>Locked in escrow</dt>
          <dd title={exactTokens(j.funded)}>{tokens(j.funded)}</dd>
          <dt>Paid for verified tasks</dt>
          <dd data-testid="job-paid" title={exactTokens(j.paid)}>
            {tokens(j.paid)}
          </dd>
          <dt>of which network fee</dt>
          <dd title={exactTokens(j.fee)}>{tokens(j.fee)}</dd>
          <dt>of which operators receive</dt>
          <dd data-testid="job-operators-net" title={exactTokens((BigInt(j.paid) - BigInt(j.fee)).toString())}>
            {tokens((BigInt(j.paid) - BigInt(j.fee)).toString())}
          </dd>
          <dt>Price per task</dt>
          <dd title={exactTokens(j.taskPrice)}>{tokens(j.taskPrice)}</dd>
          {j.refund !== null && (
            <>
              <dt>Returned to you</dt>
              <dd title={exactTokens(j.refund)}>{tokens(j.refund)}</dd>
            </>
          )}
        </dl>
        {active && (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              void top.run();
            }}
          >
            <div className="field unlock-field">
              <input
                className="grow"
                inputMode="decimal"
                placeholder="Tokens to add"
                aria-label="Top-up amount"
                value={topUp}
                onChange={(e) => {
                  setTopUp(e.target.value);
                  topErrors.clear('amount');
                }}
                aria-invalid={!!topErrors.of('amount')}
              />
              <FieldError text={topErrors.of('amount')} testId="top-up-error" />
            </div>
            <button type="submit" className="btn" disabled={!/^\d+(\.\d+)?$/.test(topUp.trim()) || top.busy}>
              Top up
            </button>
          </form>
        )}
        <FieldError text={topErrors.general} testId="top-up-general-error" />
        {detail && detail.vouchers.length > 0 && (
          <table className="data">
            <thead>
              <tr>
                <th>Operator</th>
                <th>Tasks</th>
                <th>Voucher (cumulative)</th>
              </tr>
            </thead>
            <tbody>
              {detail.vouchers.map((v) => (
                <tr key={v.operator}>
                  <td className="mono">{short(v.operator)}</td>
                  <td>{v.tasks}</td>
                  <td>{tokens(v.cumulativeAmount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section className="card" data-testid="job-verification">
        <h2>Operators and verification</h2>
        {operators.size === 0 ? (
          <p className="empty">No results yet.</p>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th>Operator</th>
                <th>Verified</th>
                <th>Rejected</th>
              </tr>
            </thead>
            <tbody>
              {[...operators].map(([op, c]) => (
                <tr key={op}>
                  <td className="mono">{short(op)}</td>
                  <td>{c.accepted}</td>
                  <td className={c.rejected ? 'neg-strong' : ''}>{c.rejected}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {detail?.verdicts
          .filter((v) => v.verdict === 'rejected')
          .slice(-5)
          .map((v) => (
            <p key={`${v.taskIndex}-${v.at}`} className="field-error small">
              Task {v.taskIndex} from {short(v.operator)} rejected: {v.reason ?? v.code}
            </p>
          ))}
        {detail && detail.verdicts.length > 0 && (
          <p className="muted small">
            Each result is checked on {detail.verdicts.at(-1)!.pixelsChecked} re-rendered pixels chosen after it arrives; largest error so far{' '}
            {Math.max(...detail.verdicts.filter((v) => v.verdict === 'accepted').map((v) => v.maxError), 0).toExponential(1)}.
          </p>
        )}
      </section>
      {paying && detail && <SubmitDialog spec={detail.spec} existing={j} onClose={() => setPaying(false)} />}
      {viewing !== null && <FrameViewer jobId={j.id} frame={viewing} {...(detail && { output: detail.spec.output })} file={out?.frames.find((f) => f.frame === viewing)?.file ?? null} onClose={() => setViewing(null)} />}
    </>
  );
}
