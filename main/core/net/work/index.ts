/** The work protocol: leases of tasks from creators to operators. */
export { WorkProtocol } from './work';
export { WORK_PROTOCOL, WORK_LIMITS, ENGINE_ID, MAX_TASKS_PER_REQUEST, jobEngine } from './constants';
export * from './messages';
