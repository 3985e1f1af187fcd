import type { Database } from 'better-sqlite3';

/** Where a transaction this wallet sent stands. */
export type SentTxStatus = 'pending' | 'confirmed' | 'reverted';

/** One transaction this wallet broadcast (kept locally: the chain cannot say what is pending). */
export interface SentTx {
  hash: string;
  chainId: number;
  from: string;
  to: string;
  token: string;
  /** Smallest unit, decimal string. */
  amount: string;
  status: SentTxStatus;
  blockNumber: number | null;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  hash: string;
  chain_id: number;
  from_address: string;
  to_address: string;
  token: string;
  amount: string;
  status: SentTxStatus;
  block_number: number | null;
  created_at: number;
  updated_at: number;
}

function fromRow(r: Row): SentTx {
  return {
    hash: r.hash,
    chainId: r.chain_id,
    from: r.from_address,
    to: r.to_address,
    token: r.token,
    amount: r.amount,
    status: r.status,
    blockNumber: r.block_number,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The wallet_txs table (migration 'wallet-txs'): transactions this wallet broadcast. */
export class SentTxStore {
  constructor(private readonly db: Database) {}

  /** Records a transaction the moment it is broadcast, before it is mined. */
  addPending(tx: Omit<SentTx, 'status' | 'blockNumber' | 'createdAt' | 'updatedAt'>, now: number): void {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO wallet_txs (hash, chain_id, from_address, to_address, token, amount, status, block_number, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'pending', NULL, ?, ?)`,
      )
      .run(tx.hash, tx.chainId, tx.from, tx.to, tx.token, tx.amount, now, now);
  }

  /** Marks a recorded transaction mined (confirmed or reverted). */
  settle(hash: string, status: Exclude<SentTxStatus, 'pending'>, blockNumber: number | null, now: number): void {
    this.db.prepare('UPDATE wallet_txs SET status = ?, block_number = ?, updated_at = ? WHERE hash = ?').run(status, blockNumber, now, hash);
  }

  /** This address's transactions on a chain, newest first. */
  list(chainId: number, from: string, limit = 500): SentTx[] {
    const rows = this.db
      .prepare('SELECT * FROM wallet_txs WHERE chain_id = ? AND from_address = ? ORDER BY created_at DESC LIMIT ?')
      .all(chainId, from, limit) as Row[];
    return rows.map(fromRow);
  }
}
