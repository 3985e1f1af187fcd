/** The work protocol: leases of tasks from creators to operators. */
export { WorkProtocol } from './work';
export { WORK_PROTOCOL, WORK_LIMITS, ENGINE_ID } from './constants';
export * from './messages';
