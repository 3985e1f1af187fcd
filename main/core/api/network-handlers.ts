import type { networkCalls } from '../../../shared/api/network';
import { join } from 'node:path';
import { RayfarmError } from '../errors';
import type { NetService } from '../node/net-service';
import { jobInfo, networkStatus } from '../node/network-status';
import type { HandlerMap } from './api-server';
import { SettingsKeys } from '../settings-keys';
import { newJobId } from '../ids';

/** What the network calls need. */
export interface NetworkHandlerDeps {
  /** The running network service, or null when the network is off or failed to start. */
  net: () => NetService | null;
  /** Why the network is not running, for the error message. */
  problem: () => string | null;
  dataDir: string;
  /** Where the choice of network.setOperator is kept across restarts. */
  settings?: { set(key: string, value: unknown): void };
}

function need(deps: NetworkHandlerDeps): NetService {
  const n = deps.net();
  if (!n) throw new RayfarmError('NET_OFF', deps.problem() ?? 'The network is not running on this node.');
  return n;
}

/** Handlers for network.*. */
export function networkHandlers(deps: NetworkHandlerDeps): HandlerMap<keyof typeof networkCalls> {
  return {
    'network.status': () => networkStatus(need(deps)),
    'network.connect': async (input) => {
      const net = need(deps);
      try {
        await net.stack.node.dial(input.addr);
      } catch (err) {
        throw new RayfarmError('NET_UNREACHABLE', `Could not connect to ${input.addr}: ${(err as Error).message}`);
      }
      return { connected: true };
    },
    'network.setOperator': (input) => {
      const net = need(deps);
      net.setOperator(input.enabled);
      deps.settings?.set(SettingsKeys.netOperator, input.enabled);
      return { enabled: net.operatorEnabled };
    },
    'network.submit': (input) => {
      const net = need(deps);
      const id = newJobId();
      const p = net.submit({ id, spec: input.spec, outDir: join(deps.dataDir, 'outputs', id) });
      return jobInfo(net, p);
    },
    'network.cancel': (input) => {
      const net = need(deps);
      net.dispatcher.cancelJob(input.jobId);
      const j = net.dispatcher.job(input.jobId);
      if (!j) throw new RayfarmError('JOB_NOT_FOUND', `There is no job ${input.jobId}.`);
      return jobInfo(net, j.progress);
    },
  };
}
