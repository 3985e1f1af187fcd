import type { StateCreator } from 'zustand';
import type { PublicJob } from '../../../shared/api';
import { api } from '../api/client';
import type { RootState } from './store';

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
  openJob(id: string | null): void;
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
    openJobId: null,
    fundSteps: {},
    async loadJobs() {
      try {
        set({ jobs: await api.call('jobs.list'), jobsError: null });
      } catch (err) {
        set({ jobsError: (err as Error).message });
      }
    },
    openJob(id) {
      set({ openJobId: id });
    },
  };
};
