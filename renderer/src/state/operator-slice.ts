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
import { api, ApiCallError } from '../api/client';
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
  /** The last failed action, shown on the card (and next to the field) that caused it. */
  opError: { area: 'benchmark' | 'policy' | 'history' | 'hardware'; message: string; field?: keyof OperatorPolicy } | null;
  loadOperator(): Promise<void>;
  refreshHardware(): Promise<void>;
  runBenchmark(): Promise<void>;
  setPolicy(patch: Partial<OperatorPolicy>): Promise<boolean>;
  pauseOperator(what: '1h' | 'tomorrow' | 'resume'): Promise<void>;
  setHistoryFilter(patch: Partial<HistoryForm>): Promise<void>;
  refreshHistory(): Promise<void>;
  exportCsv(): Promise<{ filename: string; csv: string } | null>;
  dismissNotice(at: number): void;
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

/** What each policy field accepts, in words: the schema's own bounds, said as a person would. */
export const POLICY_FIELD_RULES: Partial<Record<keyof OperatorPolicy, string>> = {
  idleMinutes: 'Idle minutes must be a whole number from 0 to 1440 (a day).',
  maxThreads: 'Max CPU threads must be a whole number from 1 to 1024, or empty to use them all.',
  gpuShare: 'The device share must be from 10 to 100 %.',
};

/**
 * A refused policy change in words, for the field it concerns. The API's own validation
 * text names internal call names and schema terms, so it is never shown as it is.
 */
export function policyError(err: unknown, patch: Partial<OperatorPolicy>): { message: string; field?: keyof OperatorPolicy } {
  const keys = Object.keys(patch) as (keyof OperatorPolicy)[];
  const field = keys.length === 1 ? keys[0] : undefined;
  if (err instanceof ApiCallError && err.code === 'API_BAD_INPUT') {
    return { message: (field && POLICY_FIELD_RULES[field]) ?? 'That setting was not accepted; check the values and try again.', ...(field && { field }) };
  }
  return { message: (err as Error).message, ...(field && { field }) };
}

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
      try {
        await api.call('operator.policy.set', patch);
        set({ opStatus: await api.call('operator.status'), opError: null });
        return true;
      } catch (err) {
        set({ opError: { area: 'policy', ...policyError(err, patch) } });
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
        set({ opHistory, opEarnings });
      } catch (err) {
        fail('history', err);
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
    dismissNotice(at) {
      set({ opNotices: get().opNotices.filter((n) => n.at !== at) });
    },
  };
};
