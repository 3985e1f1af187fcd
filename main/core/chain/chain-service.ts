import { RayfarmError } from '../errors';
import { openDevChain, startDevChain } from './dev-chain';
import type { DevChain, DevChainOptions } from './dev-chain';
import { connectChain } from './network';
import type { ChainConfig, ChainConnection } from './network';

/** How to reach the chain: a configured network, or (none configured) the embedded dev chain. */
export interface OpenChainOptions extends DevChainOptions {
  dataDir: string;
  /** A configured network; when absent the dev chain of `dataDir` is used. */
  network?: ChainConfig | null;
  /**
   * 'start' (the app): this process owns the dev chain and refuses if another runs it.
   * 'attach' (a CLI command): use a running one if there is one, else start it for the call.
   */
  devMode?: 'start' | 'attach';
}

/** The chain the rest of the core talks to. */
export interface OpenedChain {
  readonly connection: ChainConnection;
  /** Set when the embedded dev chain is in use. */
  readonly devChain?: DevChain;
  /** Stops what this call started (the dev chain's anvil, with its state dumped). */
  stop(): Promise<void>;
}

/**
 * Opens the chain for the composition root: connects to the configured network (checking
 * its chain id and contracts) or, when none is configured, runs the embedded dev chain.
 */
export async function openChain(options: OpenChainOptions): Promise<OpenedChain> {
  if (options.network) {
    const connection = await connectChain(options.network);
    return { connection, stop: async () => connection.close() };
  }
  if (!options.dataDir) throw new RayfarmError('CHAIN_BAD_CONFIG', 'The dev chain needs a data folder.');
  const devChain = await (options.devMode === 'attach' ? openDevChain : startDevChain)(options.dataDir, options);
  return { connection: devChain.connection, devChain, stop: () => devChain.stop() };
}
