/** Job announcements on gossipsub, signed by the creator. */
export { AnnounceProtocol } from './announce';
export * from './constants';
export * from './messages';
