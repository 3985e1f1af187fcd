/** Options shared by the commands that join the network (`node`, `submit`). */
import type { NodeNetOptions } from '../../core/node/start-node';
import { readStudioKey } from '../../core/net/studio-key';
import type { ParsedCommand } from '../options';

export const netOptions = {
  listen: { type: 'string', multiple: true },
  bootstrap: { type: 'string', multiple: true },
  'studio-key': { type: 'string' },
  'no-mdns': { type: 'boolean', default: false },
} as const;

export const netOptionsHelp = `  --listen MULTIADDR      where to listen (default /ip4/0.0.0.0/tcp/0; repeatable)
  --bootstrap MULTIADDR   a peer to connect to (repeatable); LAN peers are found by mDNS
  --studio-key FILE       join the private farm of this key (rayfarm studio-key new)
  --no-mdns               do not look for peers on the LAN`;

/** The network part of a service config from parsed options. */
export function netConfigFrom(args: ParsedCommand): NodeNetOptions {
  const key = args.str('studio-key');
  const listen = args.strs('listen');
  return {
    ...(listen.length ? { listen } : {}),
    bootstrap: args.strs('bootstrap'),
    mdns: !args.bool('no-mdns') && process.env.RAYFARM_MDNS !== '0',
    ...(key ? { studioKey: readStudioKey(key) } : {}),
  };
}

/** Resolves on Ctrl-C or SIGTERM. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
