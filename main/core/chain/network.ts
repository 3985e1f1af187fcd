import { JsonRpcProvider, Network, getAddress, isAddress } from 'ethers';
import { z } from 'zod';
import { RayfarmError } from '../errors';
import { DEV_CHAIN_ID } from './anvil';
import { EscrowClient, TokenClient } from './contracts';

const address = z.string().refine((a) => isAddress(a), 'expected an address');

/** A configured network: where to reach it and where its contracts are. */
export const ChainConfigSchema = z.object({
  rpcUrl: z.string().url(),
  chainId: z.number().int().positive(),
  token: address,
  escrow: address,
  /** First block worth scanning for events (the escrow's deployment block). */
  fromBlock: z.number().int().nonnegative().optional(),
});
/** A configured network. */
export type ChainConfig = z.infer<typeof ChainConfigSchema>;

/** A verified connection to a chain and its two contracts. */
export interface ChainConnection {
  readonly rpcUrl: string;
  readonly chainId: number;
  readonly provider: JsonRpcProvider;
  readonly token: TokenClient;
  readonly escrow: EscrowClient;
  /** True on the dev chain (faucet and anvil_* calls available). */
  readonly isDevChain: boolean;
  /** First block to scan for events. */
  readonly fromBlock: number;
  /** Stops the provider's timers; the chain itself keeps running. */
  close(): void;
}

/** A JSON-RPC provider that never probes the network on its own and polls quickly. */
export function makeProvider(rpcUrl: string, chainId: number): JsonRpcProvider {
  const network = Network.from(chainId);
  return new JsonRpcProvider(rpcUrl, network, { staticNetwork: network, pollingInterval: 250, batchMaxCount: 1, cacheTimeout: -1 });
}

/** eth_chainId with a hard timeout, so an unreachable URL fails fast and clearly. */
export async function probeChainId(rpcUrl: string, timeoutMs = 5000): Promise<number> {
  let res: Response;
  try {
    res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new RayfarmError('CHAIN_UNREACHABLE', `The chain at ${rpcUrl} did not answer (${(err as Error).message}).`, { cause: err, details: { rpcUrl } });
  }
  let body: { result?: unknown };
  try {
    body = (await res.json()) as { result?: unknown };
  } catch (err) {
    throw new RayfarmError('CHAIN_UNREACHABLE', `${rpcUrl} is not a JSON-RPC endpoint (HTTP ${res.status}).`, { cause: err, details: { rpcUrl } });
  }
  if (typeof body.result !== 'string') {
    throw new RayfarmError('CHAIN_UNREACHABLE', `${rpcUrl} did not return a chain id.`, { details: { rpcUrl } });
  }
  return Number(BigInt(body.result));
}

/**
 * Connects to a configured network and checks it before anything uses it: the RPC answers
 * (CHAIN_UNREACHABLE), it is the chain the config names (CHAIN_WRONG_ID), and both contracts
 * exist there (CHAIN_NO_CONTRACT) and belong together (CHAIN_WRONG_TOKEN).
 */
export async function connectChain(config: ChainConfig, options: { timeoutMs?: number } = {}): Promise<ChainConnection> {
  const parsed = ChainConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new RayfarmError('CHAIN_BAD_CONFIG', `The network settings are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  }
  const actual = await probeChainId(config.rpcUrl, options.timeoutMs);
  if (actual !== config.chainId) {
    throw new RayfarmError('CHAIN_WRONG_ID', `${config.rpcUrl} is chain ${actual}, but the settings say chain ${config.chainId}.`, {
      details: { expected: config.chainId, actual },
    });
  }
  const provider = makeProvider(config.rpcUrl, config.chainId);
  try {
    for (const [what, addr] of [
      ['token', config.token],
      ['escrow', config.escrow],
    ] as const) {
      if ((await provider.getCode(addr)) === '0x') {
        throw new RayfarmError('CHAIN_NO_CONTRACT', `There is no ${what} contract at ${addr} on chain ${config.chainId}.`, { details: { what, address: addr } });
      }
    }
    const escrow = new EscrowClient(getAddress(config.escrow), provider);
    const escrowToken = await escrow.token().catch((err: unknown) => {
      throw new RayfarmError('CHAIN_NO_CONTRACT', `The contract at ${config.escrow} is not a JobEscrow.`, { cause: err, details: { what: 'escrow', address: config.escrow } });
    });
    if (getAddress(escrowToken) !== getAddress(config.token)) {
      throw new RayfarmError('CHAIN_WRONG_TOKEN', `The escrow at ${config.escrow} holds token ${escrowToken}, not the configured ${config.token}.`);
    }
    return {
      rpcUrl: config.rpcUrl,
      chainId: config.chainId,
      provider,
      token: new TokenClient(getAddress(config.token), provider),
      escrow,
      isDevChain: config.chainId === DEV_CHAIN_ID,
      fromBlock: config.fromBlock ?? 0,
      close: () => provider.destroy(),
    };
  } catch (err) {
    provider.destroy();
    if (err instanceof RayfarmError) throw err;
    throw new RayfarmError('CHAIN_UNREACHABLE', `The chain at ${config.rpcUrl} failed: ${(err as Error).message}`, { cause: err });
  }
}
