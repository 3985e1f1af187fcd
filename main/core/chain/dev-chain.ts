import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RayfarmError } from '../errors';
import { DEV_CHAIN_ID, startAnvil } from './anvil';
import type { AnvilProcess } from './anvil';
import { writeFileAtomic } from '../store/atomic-write';
import { isAlive } from '../store/lock';
import { DEV_GRACE_PERIOD, devAddresses, ensureDevContracts } from './deploy';
import type { DevAddresses } from './deploy';
import { connectChain, makeProvider, probeChainId } from './network';
import type { ChainConnection } from './network';

/** Options for the embedded dev chain. */
export interface DevChainOptions {
  /** TCP port; 0 (default) takes a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1 (a LAN devnet passes 0.0.0.0). */
  host?: string;
  /** Seconds between state dumps; default 2. */
  stateInterval?: number;
  log?: (line: string) => void;
}

/** A dev chain this process started or attached to. */
export interface DevChain {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly addresses: DevAddresses;
  /** Verified connection with typed token and escrow clients. */
  readonly connection: ChainConnection;
  /** The anvil process, when this process started it (undefined when attached). */
  readonly anvil?: AnvilProcess;
  readonly statePath: string;
  /** Closes the connection and, if this process started anvil, stops it (state dumped). */
  stop(): Promise<void>;
}

/** What `<dataDir>/chain/deployment.json` remembers. */
export interface DevDeployment extends DevAddresses {
  chainId: number;
  gracePeriod: number;
  updatedAt: string;
}

interface RunningMarker {
  anvilPid: number;
  ownerPid: number;
  rpcUrl: string;
  startedAt: string;
}

/** The dev chain's files in a data folder. */
export function devChainPaths(dataDir: string): { dir: string; state: string; deployment: string; running: string } {
  const dir = join(dataDir, 'chain');
  return { dir, state: join(dir, 'state.json'), deployment: join(dir, 'deployment.json'), running: join(dir, 'running.json') };
}

/** The remembered deployment, if any. */
export function readDeployment(dataDir: string): DevDeployment | undefined {
  const file = devChainPaths(dataDir).deployment;
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DevDeployment;
  } catch {
    return undefined; // a damaged record is rebuilt from the chain on the next start
  }
}

/** The RPC URL of a dev chain already serving this data folder (another process's), if any. */
export async function findRunningDevChain(dataDir: string): Promise<string | undefined> {
  const file = devChainPaths(dataDir).running;
  let marker: RunningMarker;
  try {
    marker = JSON.parse(readFileSync(file, 'utf8')) as RunningMarker;
  } catch {
    return undefined;
  }
  if (!Number.isInteger(marker.anvilPid) || !isAlive(marker.anvilPid)) return undefined;
  try {
    return (await probeChainId(marker.rpcUrl, 1500)) === DEV_CHAIN_ID ? marker.rpcUrl : undefined;
  } catch {
    return undefined;
  }
}

async function connectDev(rpcUrl: string, dataDir: string, log?: (line: string) => void): Promise<{ connection: ChainConnection; addresses: DevAddresses }> {
  const provider = makeProvider(rpcUrl, DEV_CHAIN_ID);
  try {
    const result = await ensureDevContracts(provider, DEV_GRACE_PERIOD);
    const { deployed, ...addresses } = result;
    if (deployed) log?.(`dev chain: deployed RenderToken at ${addresses.token} and JobEscrow at ${addresses.escrow}`);
    const record: DevDeployment = { ...addresses, chainId: DEV_CHAIN_ID, gracePeriod: DEV_GRACE_PERIOD, updatedAt: new Date().toISOString() };
    const previous = readDeployment(dataDir);
    if (!previous || previous.token !== record.token || previous.escrow !== record.escrow) {
      writeFileAtomic(devChainPaths(dataDir).deployment, `${JSON.stringify(record, null, 2)}\n`, 0o644);
    }
    const connection = await connectChain({ rpcUrl, chainId: DEV_CHAIN_ID, token: addresses.token, escrow: addresses.escrow });
    return { connection, addresses };
  } finally {
    provider.destroy();
  }
}

/**
 * Starts the embedded dev chain on `<dataDir>/chain/state.json` (balances and escrows survive
 * a restart), deploys the contracts if their code is missing, and remembers the addresses.
 * Refuses (CHAIN_ALREADY_RUNNING) when another process already runs this folder's chain.
 */
export async function startDevChain(dataDir: string, options: DevChainOptions = {}): Promise<DevChain> {
  const paths = devChainPaths(dataDir);
  const running = await findRunningDevChain(dataDir);
  if (running) {
    throw new RayfarmError('CHAIN_ALREADY_RUNNING', `The dev chain of ${dataDir} is already running at ${running}.`, { details: { rpcUrl: running } });
  }
  const anvil = await startAnvil({
    statePath: paths.state,
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    stateInterval: options.stateInterval ?? 2,
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    const marker: RunningMarker = { anvilPid: anvil.pid, ownerPid: process.pid, rpcUrl: anvil.rpcUrl, startedAt: new Date().toISOString() };
    writeFileAtomic(paths.running, `${JSON.stringify(marker)}\n`, 0o644);
    const { connection, addresses } = await connectDev(anvil.rpcUrl, dataDir, options.log);
    let stopped: Promise<void> | undefined;
    return {
      rpcUrl: anvil.rpcUrl,
      chainId: DEV_CHAIN_ID,
      addresses,
      connection,
      anvil,
      statePath: paths.state,
      stop() {
        stopped ??= (async () => {
          connection.close();
          await anvil.stop();
          removeMarker(paths.running, anvil.pid);
        })();
        return stopped;
      },
    };
  } catch (err) {
    await anvil.stop();
    removeMarker(paths.running, anvil.pid);
    throw err;
  }
}

/**
 * The dev chain of a data folder for a short task (a CLI command): attaches to the one the app
 * or a devnet already runs, else starts it. `stop()` stops only what this call started.
 */
export async function openDevChain(dataDir: string, options: DevChainOptions = {}): Promise<DevChain> {
  const running = await findRunningDevChain(dataDir);
  if (!running) return startDevChain(dataDir, options);
  const { connection, addresses } = await connectDev(running, dataDir, options.log);
  return {
    rpcUrl: running,
    chainId: DEV_CHAIN_ID,
    addresses,
    connection,
    statePath: devChainPaths(dataDir).state,
    stop: async () => connection.close(),
  };
}

function removeMarker(path: string, anvilPid: number): void {
  try {
    const marker = JSON.parse(readFileSync(path, 'utf8')) as RunningMarker;
    if (marker.anvilPid === anvilPid) rmSync(path, { force: true });
  } catch {
    // Already gone.
  }
}

export { devAddresses };
