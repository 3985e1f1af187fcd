import { describe, expect, it } from 'vitest';
import { jobNotice } from '../../shared/job-notices';
import type { JobNoticeInput } from '../../shared/job-notices';

const job = (p: Partial<JobNoticeInput> = {}): JobNoticeInput => ({ id: 'job-abc-12345678', state: 'running', tasks: 4, rejected: 0, note: null, ...p });

describe('jobNotice', () => {
  it('tells once when a job completes', () => {
    expect(jobNotice(job(), job({ state: 'complete' }))?.kind).toBe('complete');
    expect(jobNotice(job({ state: 'complete' }), job({ state: 'complete' }))).toBeNull();
  });

  it('asks for a top-up when the escrow runs low, not for a pause by hand', () => {
    expect(jobNotice(job(), job({ state: 'paused', pausedFor: 'escrow-low', note: 'escrow low: top up to continue' }))?.kind).toBe('escrow-low');
    expect(jobNotice(job(), job({ state: 'paused', pausedFor: 'creator', note: 'escrow low' }))).toBeNull();
  });

  it('warns when results are rejected repeatedly, once', () => {
    expect(jobNotice(job({ rejected: 0 }), job({ rejected: 1 }))).toBeNull();
    expect(jobNotice(job({ rejected: 1 }), job({ rejected: 2 }))?.kind).toBe('rejections');
    expect(jobNotice(job({ rejected: 2 }), job({ rejected: 3 }))).toBeNull();
  });

  it('stays quiet for ordinary progress', () => {
    expect(jobNotice(job(), job({ state: 'running' }))).toBeNull();
    expect(jobNotice(undefined, job({ state: 'funded' }))).toBeNull();
  });

  it('names the job by its scene when it has one, never by its id', () => {
    const body = jobNotice(job(), job({ state: 'complete' }), 'DamagedHelmet')!.body;
    expect(body).toContain('“DamagedHelmet”');
    expect(body).not.toContain('12345678');
  });
});
