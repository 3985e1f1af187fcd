import { useEffect, useState } from 'react';
import { Card } from '../Page';
import { FieldError } from '../../forms/FieldError';
import { POLICY_FIELDS } from '../../state/operator-slice';
import { useStore } from '../../state/store';
import { Toggle } from './Toggle';

const LABELS: Record<string, string> = {
  enabled: 'lend this machine',
  idleOnly: 'render only when away',
  idleMinutes: 'idle minutes',
  schedule: 'schedule',
  onBattery: 'render on battery',
  maxThreads: 'max CPU threads',
  gpuShare: 'GPU share',
};

/** When this machine renders: idle, schedule, battery, pause, limits. */
export function PolicyCard() {
  const status = useStore((s) => s.opStatus);
  const setPolicy = useStore((s) => s.setPolicy);
  const pause = useStore((s) => s.pauseOperator);
  const errors = useStore((s) => s.opPolicyErrors);
  const setFieldError = useStore((s) => s.setPolicyFieldError);
  const policy = status?.policy;
  const [schedule, setSchedule] = useState('');
  const [minutes, setMinutes] = useState('');
  const [threads, setThreads] = useState('');
  useEffect(() => {
    if (!policy) return;
    setSchedule(policy.schedule);
    setMinutes(String(policy.idleMinutes));
    setThreads(policy.maxThreads === null ? '' : String(policy.maxThreads));
  }, [policy?.schedule, policy?.idleMinutes, policy?.maxThreads]);
  if (!policy) return <Card title="When to render" testId="operator-policy"><p className="empty">Loading…</p></Card>;
  const paused = status.decision.reason === 'paused';
  const forced = new Set(status.forced);
  const byFlag = (key: string) => forced.has(key);
  const saveNumber = (raw: string, key: 'idleMinutes' | 'maxThreads') => {
    const n = raw.trim() === '' ? null : Number(raw);
    const ok = key === 'idleMinutes' ? n !== null && Number.isInteger(n) && n >= 0 && n <= 1440 : n === null || (Number.isInteger(n) && n >= 1 && n <= 1024);
    // A value refused before it is sent shows under its own field, in the same words as the API's refusal.
    if (!ok) return setFieldError(key, POLICY_FIELDS.rules[key]);
    setFieldError(key, null);
    void setPolicy({ [key]: n } as { idleMinutes: number } | { maxThreads: number | null });
  };
  const errorFor = (field: keyof typeof POLICY_FIELDS.rules) => errors.fields[field] ?? null;
  return (
    <Card title="When to render" testId="operator-policy">
      <Toggle label="Lend this machine to the network" checked={policy.enabled} onChange={(v) => void setPolicy({ enabled: v })} testId="policy-enabled" />
      <Toggle
        label="Render only when I'm away"
        hint={`Starts after ${policy.idleMinutes} idle minute${policy.idleMinutes === 1 ? '' : 's'} or when the screen locks; stops within a second when you return.`}
        checked={policy.idleOnly}
        onChange={(v) => void setPolicy({ idleOnly: v })}
        disabled={!policy.enabled || byFlag('idleOnly')}
        testId="policy-idle-only"
      />
      <div className="policy-grid">
        <div className="field">
          <label htmlFor="policy-idle-minutes">Idle minutes</label>
          <input id="policy-idle-minutes" type="number" min={0} max={1440} value={minutes} disabled={!policy.idleOnly || byFlag('idleMinutes')} onChange={(e) => setMinutes(e.target.value)} onBlur={() => saveNumber(minutes, 'idleMinutes')} aria-invalid={!!errorFor('idleMinutes')} data-testid="policy-idle-minutes" />
          <FieldError text={errorFor('idleMinutes')} testId="policy-idle-minutes-error" />
        </div>
        <div className="field">
          <label htmlFor="policy-threads">Max CPU threads</label>
          <input id="policy-threads" type="number" min={1} placeholder="all" value={threads} disabled={byFlag('maxThreads')} onChange={(e) => setThreads(e.target.value)} onBlur={() => saveNumber(threads, 'maxThreads')} aria-invalid={!!errorFor('maxThreads')} data-testid="policy-threads" />
          <FieldError text={errorFor('maxThreads')} testId="policy-threads-error" />
        </div>
      </div>
      <div className="field">
        <label htmlFor="policy-schedule">Schedule</label>
        <input
          id="policy-schedule"
          placeholder="any time — e.g. mon-fri 22:00-07:00; sat,sun 00:00-24:00"
          value={schedule}
          disabled={byFlag('schedule')}
          onChange={(e) => setSchedule(e.target.value)}
          onBlur={() => schedule !== policy.schedule && void setPolicy({ schedule })}
          onKeyDown={(e) => e.key === 'Enter' && void setPolicy({ schedule })}
          data-testid="policy-schedule"
        />
        <FieldError text={errorFor('schedule')} testId="policy-schedule-error" />
      </div>
      <div className="field">
        <label htmlFor="policy-gpu">Device share: {policy.gpuShare} %{policy.gpuShare < 100 ? " (rests between tasks)" : ""}</label>
        <input id="policy-gpu" type="range" min={10} max={100} step={10} value={policy.gpuShare} disabled={byFlag('gpuShare')} onChange={(e) => void setPolicy({ gpuShare: Number(e.target.value) })} />
        <FieldError text={errorFor('gpuShare')} testId="policy-gpu-error" />
      </div>
      {(['enabled', 'idleOnly', 'onBattery', 'pausedUntil'] as const).map((f) => (
        <FieldError key={f} text={errorFor(f)} testId={`policy-${f}-error`} />
      ))}
      <FieldError text={errors.general} testId="policy-error" />
      <Toggle label="Render on battery" hint="Off: a laptop renders only on mains power." checked={policy.onBattery} onChange={(v) => void setPolicy({ onBattery: v })} disabled={byFlag('onBattery')} testId="policy-battery" />
      {forced.size > 0 && (
        <p className="op-note" data-testid="policy-forced">
          Locked by the command line or config file: {[...forced].map((k) => LABELS[k] ?? k).join(', ')}.
        </p>
      )}
      <div className="policy-actions">
        {paused ? (
          <button type="button" className="btn" onClick={() => void pause('resume')} data-testid="policy-resume">
            Resume now
          </button>
        ) : (
          <>
            <button type="button" className="btn" disabled={!policy.enabled} onClick={() => void pause('1h')} data-testid="policy-pause-1h">
              Pause 1 hour
            </button>
            <button type="button" className="btn" disabled={!policy.enabled} onClick={() => void pause('tomorrow')}>
              Pause until tomorrow
            </button>
          </>
        )}
      </div>
    </Card>
  );
}
