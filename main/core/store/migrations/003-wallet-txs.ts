import type { Migration } from './types';

/** Token transfers the wallet broadcast, so pending ones survive a restart (main/core/wallet). */
export const walletTxs: Migration = {
  version: 3,
  name: 'wallet-txs',
  up(db) {
    db.exec(`
      CREATE TABLE wallet_txs (
        hash TEXT PRIMARY KEY,
        chain_id INTEGER NOT NULL,
        from_address TEXT NOT NULL,
        to_address TEXT NOT NULL,
        token TEXT NOT NULL,
        amount TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'reverted')),
        block_number INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX wallet_txs_by_sender ON wallet_txs (chain_id, from_address, created_at);
    `);
  },
};
