import type { StateCreator } from 'zustand';
import type {
  BenchmarkProgress,
  BenchmarkResult,
  Earnings,
  HardwareInfo,
  HistoryEntry,
  HistoryFilter,
  OperatorNotice,
  OperatorPolicy,
  OperatorStatus,
} from '../../../shared/api';
import { api } from '../api/client';
import { mapApiError, mergeFieldErrors, NO_FIELD_ERRORS } from '../forms/field-errors';
import type { FieldErrors, FieldMap } from '../forms/field-errors';
import { HISTORY_FIELDS } from '../forms/operator-fields';
import type { RootState } from './store';

/** The history table's filters as the form holds them (dates as YYYY-MM-DD). */
export interface HistoryForm {
  job: string;
  verdict: '' | NonNullable<HistoryFilter['verdict']>;
  from: string;
  to: string;
}

/** The Operator view's state: hardware, benchmark, policy, status, history, earnings. */
export interface OperatorSlice {
  opHardware: HardwareInfo | null;
  opStatus: OperatorStatus | null;
  opBenchmarks: BenchmarkResult[];
  opBenchProgress: BenchmarkProgress | null;
  opHistory: HistoryEntry[];
  opEarnings: Earnings | null;
  opFilter: HistoryForm;
  opNotices: OperatorNotice[];
  /** The last failed action, shown on the card that caused it. */
  opError: { area: 'benchmark' | 'policy' | 'history' | 'hardware'; message: string } | null;
  /** Refused policy changes, each under its own field (a save forgets only its own fields' errors). */
  opPolicyErrors: FieldErrors<PolicyField>;
  /** A refused history filter, under its field. */
  opHistoryErrors: FieldErrors<'job' | 'verdict' | 'from' | 'to'>;
  /** Shows the form's own check of a policy field (null clears it). */
  setPolicyFieldError(field: PolicyField, message: string | null): void;
  loadOperator(): Promise<void>;
  refreshHardware(): Promise<void>;
  runBenchmark(): Promise<void>;
  setPolicy(patch: Partial<OperatorPolicy>): Promise<boolean>;
  pauseOperator(what: '1h' | 'tomorrow' | 'resume'): Promise<void>;
  setHistoryFilter(patch: Partial<HistoryForm>): Promise<void>;
  refreshHistory(): Promise<void>;
  exportCsv(): Promise<{ filename: string; csv: string } | null>;
  dismissNotice(at: number): void;
  /** Works for a stopped creator again; throws the API's refusal for the card to show. */
  resumeCreator(creator: string): Promise<void>;
  /** Sets the unpaid-work limit (RFT as typed; null: one task at a time); throws the API's refusal. */
  setMaxUnpaid(maxUnpaid: string | null): Promise<void>;
  /** Renders .blend jobs with the Blender at `path` (null: blender on the PATH); throws the API's refusal. */
  setBlenderPath(path: string | null): Promise<void>;
}

/** Local-midnight bounds of the form's dates as an API filter. */
export function toFilter(f: HistoryForm): HistoryFilter {
  const out: HistoryFilter = {};
  if (f.job.trim()) out.jobId = f.job.trim();
  if (f.verdict) out.verdict = f.verdict;
  if (f.from) out.from = new Date(`${f.from}T00:00:00`).getTime();
  if (f.to) out.to = new Date(`${f.to}T23:59:59.999`).getTime();
  return out;
}

const utcOffsetMinutes = () => -new Date().getTimezoneOffset();

/** A field of the policy card. */
export type PolicyField = keyof OperatorPolicy;

/** The policy's fields as the API names them, and what each accepts in words (the schema's own bounds, said as a person would). */
export const POLICY_FIELDS: FieldMap<PolicyField> = {
  paths: { enabled: 'enabled', idleOnly: 'idleOnly', idleMinutes: 'idleMinutes', schedule: 'schedule', onBattery: 'onBattery', maxThreads: 'maxThreads', gpuShare: 'gpuShare', pausedUntil: 'pausedUntil' },
  codes: { POLICY_BAD_SCHEDULE: 'schedule' },
  rules: {
    enabled: 'Lending this machine is either on or off.',
    idleOnly: 'Rendering only when away is either on or off.',
    idleMinutes: 'Idle minutes must be a whole number from 0 to 1440 (a day).',
    schedule: 'The schedule is too long: at most 500 characters, such as mon-fri 22:00-07:00; sat,sun 00:00-24:00.',
    onBattery: 'Rendering on battery is either on or off.',
    maxThreads: 'Max CPU threads must be a whole number from 1 to 1024, or empty to use them all.',
    gpuShare: 'The device share must be from 10 to 100 %.',
    pausedUntil: 'The pause must end at a time, or not be set.',
  },
};

export const createOperatorSlice: StateCreator<RootState, [], [], OperatorSlice> = (set, get) => {
  let historyTimer: ReturnType<typeof setTimeout> | undefined;
  const refreshSoon = () => {
    // A redemption touches many rows at once: one refresh for the burst.
    clearTimeout(historyTimer);
    historyTimer = setTimeout(() => void get().refreshHistory(), 150);
  };
  api.on('operator.status', (opStatus) => set({ opStatus }));
  api.on('operator.benchmark.progress', (opBenchProgress) => set({ opBenchProgress }));
  api.on('operator.history.changed', () => refreshSoon());
  api.on('operator.notice', (n) => set({ opNotices: [...get().opNotices.slice(-2), n] }));
  const fail = (area: NonNullable<OperatorSlice['opError']>['area'], err: unknown) => set({ opError: { area, message: (err as Error).message } });

  return {
    opHardware: null,
    opStatus: null,
    opBenchmarks: [],
    opBenchProgress: null,
    opHistory: [],
    opEarnings: null,
    opFilter: { job: '', verdict: '', from: '', to: '' },
    opNotices: [],
    opError: null,
    opPolicyErrors: NO_FIELD_ERRORS,
    opHistoryErrors: NO_FIELD_ERRORS,
    setPolicyFieldError(field, message) {
      set({ opPolicyErrors: mergeFieldErrors(get().opPolicyErrors, [field], { fields: message ? { [field]: message } : {}, general: get().opPolicyErrors.general }) });
    },
    async loadOperator() {
      try {
        const [opStatus, opBenchmarks] = await Promise.all([api.call('operator.status'), api.call('operator.benchmark.history')]);
        set({ opStatus, opBenchmarks });
      } catch (err) {
        fail('policy', err);
      }
      await Promise.all([get().refreshHistory(), get().refreshHardware()]);
    },
    async refreshHardware() {
      try {
        set({ opHardware: await api.call('operator.hardware') });
      } catch (err) {
        fail('hardware', err);
      }
    },
    async runBenchmark() {
      set({ opError: null, opBenchProgress: { running: true, fraction: 0, step: 0, steps: 1, message: 'Starting…' } });
      try {
        const r = await api.call('operator.benchmark.run');
        set({ opBenchmarks: [...get().opBenchmarks.filter((b) => b.id !== r.id), r] });
        set({ opStatus: await api.call('operator.status') });
      } catch (err) {
        set({ opBenchProgress: null });
        fail('benchmark', err);
      }
    },
    async setPolicy(patch) {
      const saved = Object.keys(patch) as PolicyField[];
      try {
        await api.call('operator.policy.set', patch);
        set({ opStatus: await api.call('operator.status'), opPolicyErrors: mergeFieldErrors(get().opPolicyErrors, saved, NO_FIELD_ERRORS) });
        return true;
      } catch (err) {
        set({ opPolicyErrors: mergeFieldErrors(get().opPolicyErrors, saved, mapApiError(err, POLICY_FIELDS)) });
        return false;
      }
    },
    async pauseOperator(what) {
      try {
        await api.call('operator.pause', { for: what });
        set({ opStatus: await api.call('operator.status') });
      } catch (err) {
        fail('policy', err);
      }
    },
    async setHistoryFilter(patch) {
      set({ opFilter: { ...get().opFilter, ...patch } });
      await get().refreshHistory();
    },
    async refreshHistory() {
      try {
        const [opHistory, opEarnings] = await Promise.all([
          api.call('operator.history', toFilter(get().opFilter)),
          api.call('operator.earnings', { days: 14, utcOffsetMinutes: utcOffsetMinutes() }),
        ]);
        set({ opHistory, opEarnings, opHistoryErrors: NO_FIELD_ERRORS });
      } catch (err) {
        set({ opHistoryErrors: mapApiError(err, HISTORY_FIELDS) });
      }
    },
    async exportCsv() {
      try {
        return await api.call('operator.history.csv', toFilter(get().opFilter));
      } catch (err) {
        fail('history', err);
        return null;
      }
    },
    async resumeCreator(creator) {
      set({ opStatus: await api.call('operator.payments.resume', { creator }) });
    },
    async setMaxUnpaid(maxUnpaid) {
      set({ opStatus: await api.call('operator.payments.maxUnpaid', { maxUnpaid }) });
    },
    async setBlenderPath(path) {
      set({ opHardware: await api.call('operator.blender.set', { path }) });
    },
    dismissNotice(at) {
      set({ opNotices: get().opNotices.filter((n) => n.at !== at) });
    },
  };
};
