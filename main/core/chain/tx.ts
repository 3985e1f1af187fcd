import { Interface, isError } from 'ethers';
import type { ContractTransactionResponse, InterfaceAbi, Provider, TransactionReceipt, TransactionResponse } from 'ethers';
import { jobEscrowAbi, renderTokenAbi } from '../../../contracts/generated';
import { RayfarmError } from '../errors';

/** A mined, successful transaction. */
export interface TxOutcome {
  hash: string;
  blockNumber: number;
  gasUsed: bigint;
  receipt: TransactionReceipt;
}

/** Options for sending one transaction. */
export interface SendTxOptions {
  /** How long to wait for the receipt before TX_TIMEOUT. Default 120 s. */
  timeoutMs?: number;
  /** Called once the transaction is broadcast (before it is mined), e.g. to record it. */
  onBroadcast?: (tx: TransactionResponse) => void | Promise<void>;
  /**
   * The sending wallet's address. One wallet's transactions are then broadcast one at a time:
   * each takes its nonce after the one before it was broadcast. The app's own parts (the job
   * service, the allocation batches, the redeemer) send from the same wallet, and two sends
   * that took their nonces at the same moment took the same one ("nonce has already been used").
   */
  from?: string;
}

/** Every custom error our contracts (and the OpenZeppelin parts they use) can revert with. */
export const contractErrors: Interface = (() => {
  const seen = new Set<string>();
  const fragments: InterfaceAbi = [];
  for (const abi of [jobEscrowAbi, renderTokenAbi]) {
    for (const f of abi) {
      if (f.type !== 'error') continue;
      const key = JSON.stringify(f);
      if (seen.has(key)) continue;
      seen.add(key);
      (fragments as unknown[]).push(f);
    }
  }
  return new Interface(fragments);
})();

/** The custom error encoded in revert data, as `{name, args}`, or undefined. */
export function decodeRevert(data: string | null | undefined): { name: string; args: string[] } | undefined {
  if (!data || data === '0x') return undefined;
  try {
    const parsed = contractErrors.parseError(data);
    if (!parsed) return undefined;
    return { name: parsed.name, args: parsed.args.toArray().map((a: unknown) => String(a)) };
  } catch {
    return undefined;
  }
}

function revertData(err: unknown): string | undefined {
  const e = err as { data?: unknown; info?: { error?: { data?: unknown } }; error?: { data?: unknown } };
  for (const d of [e.data, e.info?.error?.data, e.error?.data]) {
    if (typeof d === 'string' && d.startsWith('0x')) return d;
    if (d && typeof d === 'object' && typeof (d as { data?: unknown }).data === 'string') return (d as { data: string }).data;
  }
  return undefined;
}

/**
 * Turns an ethers failure into a RayfarmError with a stable code: TX_REVERTED (with the
 * decoded custom error name), TX_TIMEOUT, TX_DROPPED, WALLET_INSUFFICIENT_FUNDS for gas,
 * CHAIN_UNREACHABLE. Anything already a RayfarmError passes through.
 */
export function toTxError(err: unknown): RayfarmError {
  if (err instanceof RayfarmError) return err;
  if (isError(err, 'CALL_EXCEPTION')) {
    const data = revertData(err);
    const decoded = (err.revert ? { name: err.revert.name, args: err.revert.args.map((a: unknown) => String(a)) } : undefined) ?? decodeRevert(data);
    if (decoded) {
      return new RayfarmError('TX_REVERTED', `The contract rejected the transaction: ${decoded.name}(${decoded.args.join(', ')}).`, {
        cause: err,
        details: { errorName: decoded.name, args: decoded.args },
      });
    }
    return new RayfarmError('TX_REVERTED', `The contract rejected the transaction${err.reason ? `: ${err.reason}` : ''}.`, {
      cause: err,
      details: { errorName: err.reason ?? 'unknown', data: data ?? null },
    });
  }
  if (isError(err, 'INSUFFICIENT_FUNDS')) {
    return new RayfarmError('WALLET_INSUFFICIENT_FUNDS', 'Not enough native coin to pay for gas.', { cause: err });
  }
  if (isError(err, 'TIMEOUT')) {
    return new RayfarmError('TX_TIMEOUT', 'The transaction was sent but not mined in time; it may still be mined later.', { cause: err });
  }
  if (isError(err, 'TRANSACTION_REPLACED')) {
    return new RayfarmError('TX_DROPPED', `The transaction was ${err.cancelled ? 'cancelled' : 'replaced'} by another with the same nonce.`, { cause: err });
  }
  if (isError(err, 'NETWORK_ERROR') || isError(err, 'SERVER_ERROR') || (err as { code?: string }).code === 'ECONNREFUSED') {
    return new RayfarmError('CHAIN_UNREACHABLE', `The chain did not answer: ${(err as Error).message}`, { cause: err });
  }
  return new RayfarmError('TX_FAILED', `The transaction failed: ${(err as Error).message ?? String(err)}`, { cause: err });
}

/** Per sending address: the end of its last send, so the next waits for it. */
const sending = new Map<string, Promise<void>>();

/** Runs `send` after every earlier send from `from` was broadcast or failed (at once without `from`). */
function oneAtATime<T>(from: string | undefined, send: () => Promise<T>): Promise<T> {
  if (!from) return send();
  const key = from.toLowerCase();
  const run = (sending.get(key) ?? Promise.resolve()).then(send);
  const done = run.then(
    () => undefined,
    () => undefined,
  );
  sending.set(key, done);
  void done.then(() => {
    if (sending.get(key) === done) sending.delete(key);
  });
  return run;
}

/**
 * Sends a transaction and waits for its receipt. A transaction that is mined but reverted is
 * replayed with eth_call at its block so the error still gets its custom-error name.
 */
export async function sendTx(
  provider: Provider,
  send: () => Promise<ContractTransactionResponse | TransactionResponse>,
  options: SendTxOptions = {},
): Promise<TxOutcome> {
  let tx: TransactionResponse;
  try {
    tx = await oneAtATime(options.from, send);
  } catch (err) {
    throw toTxError(err);
  }
  await options.onBroadcast?.(tx);
  let receipt: TransactionReceipt | null;
  try {
    receipt = await tx.wait(1, options.timeoutMs ?? 120_000);
  } catch (err) {
    if (isError(err, 'CALL_EXCEPTION') && err.receipt) {
      throw toTxError(await replayRevert(provider, tx, err.receipt.blockNumber, err));
    }
    throw toTxError(err);
  }
  if (!receipt) throw new RayfarmError('TX_DROPPED', `The transaction ${tx.hash} disappeared before it was mined.`);
  return { hash: tx.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, receipt };
}

async function replayRevert(provider: Provider, tx: TransactionResponse, blockNumber: number, original: unknown): Promise<unknown> {
  try {
    await provider.call({ to: tx.to, from: tx.from, data: tx.data, value: tx.value, blockTag: Math.max(0, blockNumber - 1) });
    return original;
  } catch (err) {
    return isError(err, 'CALL_EXCEPTION') ? err : original;
  }
}
