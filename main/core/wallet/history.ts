import { dataSlice, getAddress, zeroPadValue } from 'ethers';
import type { Log } from 'ethers';
import type { ChainConnection } from '../chain/network';
import type { SentTx } from './tx-records';

/** What one history line is about. */
export type HistoryKind = 'sent' | 'received' | 'job-opened' | 'job-topped-up' | 'redeemed' | 'job-closed';

/** One line of the wallet's history; amounts in the token's smallest unit as decimal strings. */
export interface HistoryEntry {
  hash: string;
  kind: HistoryKind;
  /** 'pending' only for a local record not yet seen on chain. */
  status: 'pending' | 'confirmed' | 'reverted';
  amount: string;
  /** The other side (recipient, sender, escrow), when there is one. */
  counterparty: string | null;
  /** The job, for escrow lines. */
  jobId: string | null;
  /** For a redemption: the network fee the escrow kept (`amount` is what reached this wallet). */
  fee?: string;
  blockNumber: number | null;
  /** Unix ms: block time when mined, else when recorded. */
  time: number;
}

function topicFor(address: string): string {
  return zeroPadValue(address, 32);
}

/**
 * The wallet's history: token transfers from and to it and the escrow events that name it
 * (jobs it opened, vouchers redeemed to it), merged with locally recorded sends that the
 * chain does not show yet (pending) or shows as reverted. Newest first.
 */
export async function walletHistory(chain: ChainConnection, address: string, sent: SentTx[], limit = 200): Promise<HistoryEntry[]> {
  const { token, escrow, provider, fromBlock } = chain;
  const me = topicFor(address);
  const transfer = token.contract.interface.getEvent('Transfer')!.topicHash;
  const ev = escrow.contract.interface;
  const [outgoing, incoming, opened, redeemed] = await Promise.all([
    provider.getLogs({ address: token.address, topics: [transfer, me], fromBlock }),
    provider.getLogs({ address: token.address, topics: [transfer, null, me], fromBlock }),
    provider.getLogs({ address: escrow.address, topics: [ev.getEvent('JobOpened')!.topicHash, null, me], fromBlock }),
    provider.getLogs({ address: escrow.address, topics: [ev.getEvent('Redeemed')!.topicHash, null, me], fromBlock }),
  ]);
  // Top-ups and closes name only the job; follow the jobs this wallet opened.
  const myJobs = opened.map((l) => l.topics[1]!);
  const [toppedUp, closed] = myJobs.length
    ? await Promise.all([
        provider.getLogs({ address: escrow.address, topics: [ev.getEvent('ToppedUp')!.topicHash, myJobs], fromBlock }),
        provider.getLogs({ address: escrow.address, topics: [ev.getEvent('Closed')!.topicHash, myJobs], fromBlock }),
      ])
    : [[], []];

  type Partial = Omit<HistoryEntry, 'hash' | 'status' | 'blockNumber' | 'time'>;
  const entry = (log: Log, e: Partial): HistoryEntry => ({ ...e, hash: log.transactionHash, status: 'confirmed', blockNumber: log.blockNumber, time: 0 });
  const escrowEntries: HistoryEntry[] = [];
  const addEscrow = (logs: Log[], kind: HistoryKind, field: string): void => {
    for (const l of logs) {
      const args = ev.parseLog(l)!.args;
      const amount = String(args.getValue(field));
      // A redemption says what the treasury kept, so gross, fee and net can be shown side by side.
      const fee = kind === 'redeemed' ? { fee: String(args.getValue('fee')) } : {};
      escrowEntries.push(entry(l, { kind, amount, counterparty: escrow.address, jobId: l.topics[1]!, ...fee }));
    }
  };
  addEscrow(opened, 'job-opened', 'amount');
  addEscrow(toppedUp, 'job-topped-up', 'amount');
  addEscrow(redeemed, 'redeemed', 'operatorAmount');
  addEscrow(closed, 'job-closed', 'refund');
  // An escrow event says more than the token transfer inside the same transaction: show it instead.
  const escrowTxs = new Set(escrowEntries.map((e) => e.hash));
  const transferEntries = [
    ...outgoing.map((l) => entry(l, { kind: 'sent', amount: BigInt(l.data).toString(), counterparty: getAddress(dataSlice(l.topics[2]!, 12)), jobId: null })),
    ...incoming.map((l) => entry(l, { kind: 'received', amount: BigInt(l.data).toString(), counterparty: getAddress(dataSlice(l.topics[1]!, 12)), jobId: null })),
  ].filter((e) => !escrowTxs.has(e.hash));

  const entries = [...escrowEntries, ...transferEntries];
  const onChain = new Set(entries.map((e) => e.hash));
  for (const s of sent) {
    if (onChain.has(s.hash) && s.status !== 'reverted') continue;
    entries.push({
      hash: s.hash,
      kind: 'sent',
      status: s.status,
      amount: s.amount,
      counterparty: s.to,
      jobId: null,
      blockNumber: s.blockNumber,
      time: s.createdAt,
    });
  }
  entries.sort((a, b) => (b.blockNumber ?? Number.MAX_SAFE_INTEGER) - (a.blockNumber ?? Number.MAX_SAFE_INTEGER) || b.time - a.time);
  const shown = entries.slice(0, limit);

  const blocks = [...new Set(shown.filter((e) => e.time === 0 && e.blockNumber !== null).map((e) => e.blockNumber!))];
  const times = new Map<number, number>();
  await Promise.all(
    blocks.map(async (n) => {
      const b = await provider.getBlock(n);
      if (b) times.set(n, b.timestamp * 1000);
    }),
  );
  for (const e of shown) if (e.time === 0 && e.blockNumber !== null) e.time = times.get(e.blockNumber) ?? 0;
  return shown;
}
