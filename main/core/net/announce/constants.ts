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
