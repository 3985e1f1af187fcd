/** The gossipsub topic of job announcements. */
export const ANNOUNCE_TOPIC = '/rayfarm/jobs/1.0.0';

/** Largest announcement accepted. */
export const MAX_ANNOUNCEMENT_BYTES = 16 * 1024;
/** Announcements per second one propagating peer may send us. */
export const ANNOUNCE_RATE = { perSecond: 20, burst: 60 };
/** How long an announcement stays valid unless refreshed. */
export const ANNOUNCEMENT_TTL_MS = 60_000;
/** How often a creator re-announces its open jobs (new peers hear of them). */
export const REANNOUNCE_MS = 5_000;
/** Largest clock difference tolerated between peers. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Latest expiry an announcement may claim, past its receipt: a creator re-announces well within it. */
export const MAX_ANNOUNCEMENT_LIFETIME_MS = ANNOUNCEMENT_TTL_MS + MAX_CLOCK_SKEW_MS;
/** Open jobs kept from one creator; its further jobs are ignored until some close or expire. */
export const MAX_JOBS_PER_CREATOR = 64;
/** Open jobs kept in all; past it the least recently refreshed announcement is dropped. */
export const MAX_ANNOUNCED_JOBS = 2048;
/** Announcements per second one creator may originate, however many peers forward them. */
export const CREATOR_ANNOUNCE_RATE = { perSecond: MAX_JOBS_PER_CREATOR / (REANNOUNCE_MS / 1000) + 5, burst: 2 * MAX_JOBS_PER_CREATOR };
