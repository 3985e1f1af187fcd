import type { jobOutputCalls } from '../../../shared/api';
import type { JobOutputReader } from '../output/job-output';
import { framePreviewPng } from '../output/job-output';
import { RayfarmError } from '../errors';
import type { HandlerMap } from './api-server';

/** What the job-output calls need. */
export interface JobOutputDeps {
  reader: JobOutputReader;
  /** Opens a folder in the OS file manager (the desktop shell provides it). */
  openPath?: (path: string) => Promise<void>;
}

/** Handlers for jobs.output, jobs.frameImage and jobs.openFolder. */
export function jobOutputHandlers(deps: JobOutputDeps): HandlerMap<keyof typeof jobOutputCalls> {
  return {
    'jobs.output': ({ jobId }) => deps.reader.output(jobId),
    'jobs.frameImage': ({ jobId, frame, exposure }) => {
      const img = framePreviewPng(deps.reader.framePath(jobId, frame), exposure);
      return { dataUrl: `data:image/png;base64,${Buffer.from(img.png).toString('base64')}`, width: img.width, height: img.height, hdr: img.hdr };
    },
    'jobs.openFolder': async ({ jobId }) => {
      const out = deps.reader.output(jobId);
      if (!deps.openPath) return { opened: false, path: out.outDir };
      if (!out.outDir) throw new RayfarmError('JOB_NO_OUTPUT', 'This job has no output folder yet.');
      await deps.openPath(out.outDir);
      return { opened: true, path: out.outDir };
    },
  };
}
