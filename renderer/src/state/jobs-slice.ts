import type { StateCreator } from 'zustand';
import type { PublicJob } from '../../../shared/api';
import { api } from '../api/client';
import type { RootState } from './store';
import { navigate, parseRoute } from './ui-slice';

/** One funding transaction's progress, as the submit dialog lists it. */
export interface FundStepInfo {
  step: string;
  status: 'sending' | 'sent' | 'mined';
  txHash?: string;
}

/** The creator's jobs: the list, the open job page, funding progress. */
export interface JobsSlice {
  jobs: PublicJob[];
  jobsError: string | null;
  openJobId: string | null;
  fundSteps: Record<string, FundStepInfo[]>;
  loadJobs(): Promise<void>;
  /** Opens a job's page (null: back to the Creator home); the address bar follows. */
  openJob(id: string | null): void;
  /** Throws a draft away: it was never paid, so nothing on chain changes and it leaves the list. */
  discardDraft(id: string): Promise<void>;
}

/**
 * A draft that was discarded: closed without a token ever locked. It stays in the
 * database (the record of what was priced) but is no longer one of "your jobs".
 */
export function isAbandonedDraft(j: PublicJob): boolean {
  return j.state === 'closed' && BigInt(j.funded) === 0n;
}

export const createJobsSlice: StateCreator<RootState, [], [], JobsSlice> = (set, get) => {
  api.on('job.updated', (job) => {
    const others = get().jobs.filter((j) => j.id !== job.id);
    set({ jobs: [job, ...others].sort((a, b) => b.createdAt - a.createdAt) });
  });
  api.on('job.fundStep', (s) => {
    const list = (get().fundSteps[s.jobId] ?? []).filter((x) => x.step !== s.step);
    set({ fundSteps: { ...get().fundSteps, [s.jobId]: [...list, { step: s.step, status: s.status, ...(s.txHash && { txHash: s.txHash }) }] } });
  });
  return {
    jobs: [],
    jobsError: null,
    openJobId: parseRoute(window.location.hash).jobId,
    fundSteps: {},
    async loadJobs() {
      try {
        const jobs = await api.call('jobs.list');
        set({ jobs, jobsError: null });
      } catch (err) {
        set({ jobsError: (err as Error).message });
      }
    },
    openJob(id) {
      navigate({ mode: 'creator', jobId: id });
      set({ openJobId: id, mode: 'creator' });
    },
    async discardDraft(id) {
      const job = await api.call('jobs.cancel', { jobId: id });
      set({ jobs: get().jobs.map((j) => (j.id === id ? job : j)) });
    },
  };
};
