/** The result protocol: pixels and metadata of a task, answered with a verdict. */
export { ResultProtocol } from './result';
export { RESULT_PROTOCOL, RESULT_LIMITS, MAX_RESULT_BYTES } from './constants';
export * from './messages';
