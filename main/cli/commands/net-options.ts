/** Options shared by the commands that join the network (`node`, `submit`). */
import { readFarmNetwork } from '../../core/node/farm-network';
import type { NodeNetOptions } from '../../core/node/start-node';
import { readStudioKey } from '../../core/net/studio-key';
import type { ParsedCommand } from '../options';

export const netOptions = {
  listen: { type: 'string', multiple: true },
  bootstrap: { type: 'string', multiple: true },
  'studio-key': { type: 'string' },
  'no-mdns': { type: 'boolean', default: false },
  relay: { type: 'boolean', default: false },
  'dht-server': { type: 'boolean', default: false },
  'no-relay-reservation': { type: 'boolean', default: false },
  'no-upnp': { type: 'boolean', default: false },
} as const;

export const netOptionsHelp = `  --listen MULTIADDR      where to listen (default /ip4/0.0.0.0/tcp/0; repeatable)
  --bootstrap MULTIADDR   a peer to connect to (repeatable); the DHT finds the others from it,
                          LAN peers are found by mDNS
  --studio-key FILE       join the private farm of this key (rayfarm studio-key new)
  --no-mdns               do not look for peers on the LAN
  --relay                 relay for peers behind NAT (a machine with a public address)
  --dht-server            answer DHT queries even before a public address is confirmed
  --no-relay-reservation  do not reserve a slot on a relay (by default a node with bootstrap
                          peers, or any node of the public network, reserves one)
  --no-upnp               do not ask the router for a port mapping`;

/** The network part of a service config from parsed options (and the config file's [network], if any). */
export function netConfigFrom(args: ParsedCommand, env: NodeJS.ProcessEnv = process.env): NodeNetOptions {
  const key = args.str('studio-key');
  const listen = args.strs('listen');
  const configFile = args.str('config') ?? (env.RAYFARM_CONFIG || undefined);
  const file = configFile ? readFarmNetwork(configFile) : {};
  const bootstrap = [...args.strs('bootstrap'), ...(file.bootstrap ?? [])];
  const relay = args.bool('relay') || file.relay === true;
  return {
    ...(listen.length ? { listen } : {}),
    bootstrap,
    mdns: !args.bool('no-mdns') && env.RAYFARM_MDNS !== '0',
    ...(key ? { studioKey: readStudioKey(key) } : {}),
    relay,
    ...(args.bool('dht-server') || file['dht-server'] !== undefined ? { dhtServer: args.bool('dht-server') || file['dht-server'] === true } : {}),
    // A node that reaches beyond its LAN may sit behind NAT: a relayed address lets others dial it.
    reserveRelay: !relay && !args.bool('no-relay-reservation') && (!key || bootstrap.length > 0),
    upnp: !args.bool('no-upnp') && file.upnp !== false && env.RAYFARM_UPNP !== '0',
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
