/** The hello protocol: signed peer-id ↔ address bindings and roles. */
export { HelloProtocol } from './hello';
export { HELLO_PROTOCOL, HELLO_LIMITS } from './constants';
