import { z } from 'zod';
import { MAX_FRAMES, MAX_RESOLUTION, MAX_SPP, MAX_TILES_PER_AXIS } from '../../../../shared/job-spec';
import { BindingSchema } from '../identity';

const Hash = z.string().regex(/^[0-9a-f]{64}$/);

/** A creator's signed statement that a job is open (or closed). */
export const AnnouncementSchema = z
  .object({
    v: z.literal(1),
    jobId: z.string().min(1).max(80).regex(/^[A-Za-z0-9_.:-]+$/),
    /** Increases with each re-announcement; the newest wins. */
    seq: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    state: z.enum(['open', 'closed']),
    creator: BindingSchema,
    /** Where the creator listens, to dial it when it is not a direct neighbour. */
    addrs: z.array(z.string().max(300)).max(16),
    scene: z.object({ hash: Hash, bytes: z.number().int().nonnegative() }).strict(),
    engine: z.string().max(40),
    tier: z.string().max(20),
    perBenchHour: z.string().max(40).regex(/^\d{1,30}(\.\d{1,30})?$/),
    width: z.number().int().positive().max(MAX_RESOLUTION),
    height: z.number().int().positive().max(MAX_RESOLUTION),
    spp: z.number().int().positive().max(MAX_SPP),
    frames: z.number().int().positive().max(MAX_FRAMES),
    tasks: z.number().int().positive().max(MAX_FRAMES * MAX_TILES_PER_AXIS * MAX_TILES_PER_AXIS),
    tasksLeft: z.number().int().nonnegative().max(MAX_FRAMES * MAX_TILES_PER_AXIS * MAX_TILES_PER_AXIS),
    createdAt: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    /** Checked on receipt against the receiver's clock: at most MAX_ANNOUNCEMENT_LIFETIME_MS ahead. */
    expiresAt: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/),
  })
  .strict();
export type Announcement = z.infer<typeof AnnouncementSchema>;
export type UnsignedAnnouncement = Omit<Announcement, 'signature'>;
