import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VoucherLedger } from '../../../../../main/core/creator/proof/voucher-ledger';
import type { VerdictRecord } from '../../../../../main/core/creator/proof/voucher-ledger';
import { openStore } from '../../../../../main/core/store';
import type { Store } from '../../../../../main/core/store';

let store: Store | undefined;
afterEach(() => store?.close());

const v = (jobId: string, taskIndex: number, verdict: 'accepted' | 'rejected'): VerdictRecord => ({
  jobId,
  taskIndex,
  operator: '0x' + '1'.repeat(40),
  resultHash: String(taskIndex).padStart(64, '0'),
  verdict,
  price: 1n,
  pixelsChecked: 0,
  maxError: 0,
  patches: [],
  verifyMs: 0,
  at: 0,
});

describe('VoucherLedger.counts', () => {
  it('counts only what was committed, per job, as verdicts keep coming, and a new ledger agrees', () => {
    store = openStore(mkdtempSync(join(tmpdir(), 'rf-ledger-')));
    const ledger = new VoucherLedger(store.db);
    expect(ledger.counts('a')).toEqual({ accepted: 0, rejected: 0 });
    ledger.recordVerdict(v('a', 0, 'accepted'));
    ledger.recordVerdict(v('b', 0, 'accepted'));
    ledger.recordVerdict(v('a', 1, 'rejected'));
    expect(ledger.counts('a')).toEqual({ accepted: 1, rejected: 1 });
    // A verdict in a transaction that rolls back is never counted.
    expect(() =>
      store!.db.transaction(() => {
        ledger.recordVerdict(v('a', 2, 'accepted'));
        throw new Error('rolled back');
      })(),
    ).toThrow('rolled back');
    expect(ledger.counts('a')).toEqual({ accepted: 1, rejected: 1 });
    for (let i = 3; i < 10; i++) ledger.recordVerdict(v(i % 2 ? 'a' : 'b', i, 'accepted'));
    expect(ledger.counts('a')).toEqual({ accepted: 5, rejected: 1 });
    expect(ledger.counts('b')).toEqual({ accepted: 4, rejected: 0 });
    expect(new VoucherLedger(store.db).counts('a')).toEqual({ accepted: 5, rejected: 1 });
  });
});
