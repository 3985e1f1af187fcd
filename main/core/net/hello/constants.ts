import type { ProtocolLimits } from '../rpc';

/** Exchange of signed bindings (peer id ↔ address) and roles. */
export const HELLO_PROTOCOL = '/rayfarm/hello/1.0.0';

export const HELLO_LIMITS: ProtocolLimits = {
  maxMessageBytes: 4 * 1024,
  timeoutMs: 5000,
  rate: { perSecond: 2, burst: 10 },
  maxInboundStreams: 8,
};
