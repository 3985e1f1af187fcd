import { z } from 'zod';
import { call } from './define';

const JobId = z.string().min(1).max(80);

export const OutputTaskSchema = z.object({
  index: z.number().int(),
  frame: z.number().int(),
  tileX: z.number().int(),
  tileY: z.number().int(),
  rect: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }),
  state: z.enum(['pending', 'leased', 'done', 'failed']),
});
export type OutputTask = z.infer<typeof OutputTaskSchema>;

export const JobOutputSchema = z.object({
  jobId: z.string(),
  /** Where the frames are written (shown; the desktop app can open it). */
  outDir: z.string().nullable(),
  format: z.enum(['png8', 'png16', 'exr-half', 'exr-float']),
  width: z.number().int(),
  height: z.number().int(),
  tilesX: z.number().int(),
  tilesY: z.number().int(),
  tasks: z.array(OutputTaskSchema),
  frames: z.array(z.object({ frame: z.number().int(), file: z.string().nullable(), thumbHash: z.string().nullable() })),
});
export type JobOutputInfo = z.infer<typeof JobOutputSchema>;

export const jobOutputCalls = {
  'jobs.output': call(z.object({ jobId: JobId }).strict(), JobOutputSchema, "A job's tasks with their states and its written frames with thumbnails."),
  'jobs.frameImage': call(
    z.object({ jobId: JobId, frame: z.number().int().min(0), exposure: z.number().min(-16).max(16).default(0) }).strict(),
    z.object({ dataUrl: z.string(), width: z.number().int(), height: z.number().int(), hdr: z.boolean() }),
    'A written frame at full size as a PNG, scaled by 2^exposure stops (for EXR frames).',
  ),
  'jobs.openFolder': call(z.object({ jobId: JobId }).strict(), z.object({ opened: z.boolean(), path: z.string().nullable() }), "Opens the job's output folder (desktop app only)."),
};
