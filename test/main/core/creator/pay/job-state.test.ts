import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_STATES, JobStateStore, canTransition } from '../../../../../main/core/creator/pay/job-state';
import { ReputationBook, admitByReputation, reputationScore } from '../../../../../main/core/creator/dispatch/reputation';
import { taskPriceOf } from '../../../../../main/core/creator/pay/job-service';
import { openDatabase } from '../../../../../main/core/store/database';
import { migrations } from '../../../../../main/core/store/migrations';
import { JobSpecSchema } from '../../../../../shared/job-spec';
import { feeOf } from '../../../../../shared/pricing';

let dir: string;
let db: Database;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rf-jobstate-'));
  db = openDatabase(join(dir, 'db.sqlite'), migrations);
});
afterAll(() => {
  db?.close();
  rmSync(dir, { recursive: true, force: true });
});

const spec = JobSpecSchema.parse({ sceneId: 'a'.repeat(64), width: 32, height: 32, spp: 4 });
function newJob(store: JobStateStore, id: string) {
  return store.create({
    id, chainJobId: `0x${id.padStart(64, '0')}`, spec, specHash: '0x', sceneHash: spec.sceneId, sceneBytes: 10, tier: 'economy', feeBps: 50, tasks: 1,
    taskPrice: '10000', budget: '10000', maxPrice: null, benchHours: 0.1, chainId: 31337, escrow: null, creator: null, outDir: null, fundTx: null,
    closeTx: null, closableAt: null, refund: null, note: null,
  });
}

describe('job state machine', () => {
  it('allows exactly the documented transitions', () => {
    const allowed = JOB_STATES.flatMap((a) => JOB_STATES.filter((b) => canTransition(a, b)).map((b) => `${a}>${b}`));
    expect(allowed.sort()).toEqual(
      ['draft>funded', 'draft>cancelled', 'funded>running', 'funded>cancelled', 'running>paused', 'running>complete', 'running>cancelled', 'paused>running', 'paused>complete', 'paused>cancelled', 'complete>closed', 'cancelled>closed'].sort(),
    );
  });

  it('persists transitions with their log and refuses the others with JOB_BAD_TRANSITION', () => {
    const store = new JobStateStore(db);
    const seen: string[] = [];
    store.onChange((j, from) => seen.push(`${from}>${j.state}`));
    newJob(store, 'j1');
    expect(() => store.transition('j1', 'running')).toThrow(expect.objectContaining({ code: 'JOB_BAD_TRANSITION' }));
    store.transition('j1', 'funded', undefined, { funded: '10000' });
    store.transition('j1', 'running');
    store.transition('j1', 'paused', 'escrow low');
    store.transition('j1', 'running', 'topped up');
    store.transition('j1', 'complete');
    store.update('j1', { closableAt: 123 });
    store.transition('j1', 'closed', undefined, { refund: '0' });
    const again = new JobStateStore(db).get('j1');
    expect(again).toMatchObject({ state: 'closed', funded: '10000', closableAt: 123, refund: '0', spec });
    expect(new JobStateStore(db).events('j1').map((e) => e.to)).toEqual(['draft', 'funded', 'running', 'paused', 'running', 'complete', 'closed']);
    expect(seen).toEqual(['null>draft', 'draft>funded', 'funded>running', 'running>paused', 'paused>running', 'running>complete', 'complete>complete', 'complete>closed']);
    expect(() => store.get('nope')).toThrow(expect.objectContaining({ code: 'JOB_NOT_FOUND' }));
  });
});

describe('reputation', () => {
  it('scores with Laplace smoothing and weighs a rejection four times a timeout', () => {
    expect(reputationScore({ verified: 0, rejected: 0, timedOut: 0 })).toBe(0.5);
    expect(reputationScore({ verified: 20, rejected: 0, timedOut: 0 })).toBeCloseTo(21 / 22);
    expect(reputationScore({ verified: 20, rejected: 1, timedOut: 0 })).toBeCloseTo(21 / 26);
  });

  it('admits by tier: trusted needs a record, priority a good score, economy bans repeat cheats', () => {
    expect(admitByReputation({ verified: 0, rejected: 0, timedOut: 0 }, 'economy')).toBeUndefined();
    expect(admitByReputation({ verified: 0, rejected: 0, timedOut: 0 }, 'priority')).toBeUndefined();
    expect(admitByReputation({ verified: 0, rejected: 0, timedOut: 0 }, 'trusted')).toMatch(/trusted/);
    expect(admitByReputation({ verified: 10, rejected: 0, timedOut: 0 }, 'trusted')).toBeUndefined();
    expect(admitByReputation({ verified: 0, rejected: 1, timedOut: 0 }, 'priority')).toMatch(/priority/);
    // With no better operator asking, a weaker one still gets priority work.
    expect(admitByReputation({ verified: 0, rejected: 1, timedOut: 0 }, 'priority', false)).toBeUndefined();
    expect(admitByReputation({ verified: 0, rejected: 2, timedOut: 0 }, 'economy')).toMatch(/too low/);
  });

  it('counts per operator address in SQLite', () => {
    const book = new ReputationBook(db);
    const a = '0x00000000000000000000000000000000000000aa';
    book.verified(a);
    book.verified(a);
    book.rejected(a);
    book.timedOut(a);
    expect(new ReputationBook(db).get(a)).toMatchObject({ verified: 2, rejected: 1, timedOut: 1 });
    expect(book.list()[0]!.address.toLowerCase()).toBe(a);
  });
});

describe('task price', () => {
  it('is the job bench-hours over its tasks × the tier rate, rounded up to whole 10 000 units so fees are exact', () => {
    const p = taskPriceOf(0.02, 4, 'economy', 2n * 10n ** 18n);
    expect(p % 10_000n).toBe(0n);
    expect(p).toBeGreaterThanOrEqual((2n * 10n ** 18n * 2n) / 100n / 4n);
    expect(feeOf(p * 3n, 50)).toBe(feeOf(p, 50) * 3n);
    expect(taskPriceOf(0.02, 4, 'trusted', 2n * 10n ** 18n)).toBe(p * 4n);
  });
});
