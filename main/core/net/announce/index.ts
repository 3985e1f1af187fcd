/** Job announcements on gossipsub, signed by the creator. */
export { AnnounceProtocol, signAnnouncement } from './announce';
export type { AnnounceLimits } from './announce';
export * from './constants';
export * from './messages';
