import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../../../main/core/store';
import type { Store } from '../../../../main/core/store';
import { csvField, historyToCsv, OperatorHistory } from '../../../../main/core/operator/history';
import { tempDataDir } from '../../../helpers/headless';

const TOKEN = 10n ** 18n;
// Wednesday 25 November 2026, 12:00 UTC; the earnings are asked for in UTC (offset 0) unless stated.
const NOW = Date.UTC(2026, 10, 25, 12, 0);
const DAY = 86_400_000;

describe('OperatorHistory', () => {
  let store: Store;
  let h: OperatorHistory;

  beforeEach(() => {
    store = openStore(tempDataDir());
    h = new OperatorHistory(store.db);
  });
  afterEach(() => store.close());

  function task(id: string, startedAt: number, price: bigint, jobId = 'job-a') {
    h.recordStarted({ taskId: id, jobId, jobName: `Scene ${jobId}`, frame: Number(id.replace(/\D/g, '')) || 0, price, startedAt, creator: '0xabc' });
  }

  it('follows a task from start to redemption, and survives a reopen', () => {
    const changes: string[] = [];
    h.onChange((id) => changes.push(id));
    task('t1', NOW - 60_000, 2n * TOKEN);
    expect(h.get('t1')).toMatchObject({ verdict: 'rendering', finishedAt: null, price: (2n * TOKEN).toString() });
    h.recordFinished('t1', { outcome: 'submitted', finishedAt: NOW - 30_000 });
    expect(h.get('t1')).toMatchObject({ verdict: 'submitted', durationMs: 30_000 });
    h.recordVerdict('t1', { verdict: 'verified', voucher: '0xsig', voucherAmount: 2n * TOKEN, at: NOW - 20_000 });
    expect(h.recordRedemption({ jobId: 'job-a', txHash: '0xtx1', at: NOW })).toBe(1);
    expect(h.recordRedemption({ jobId: 'job-a', txHash: '0xtx2', at: NOW })).toBe(0); // already paid
    expect(changes).toEqual(['t1', 't1', 't1', 't1']);
    const dir = store.dataDir;
    store.close();
    store = openStore(dir);
    h = new OperatorHistory(store.db);
    expect(h.get('t1')).toMatchObject({ verdict: 'verified', voucher: '0xsig', redemptionTx: '0xtx1', redeemedAt: NOW, durationMs: 30_000 });
  });

  it('marks the tasks an on-chain redemption paid, by the escrow job of their vouchers', () => {
    const chainJob = `0x${'ab'.repeat(32)}`;
    const voucher = (amount: bigint) => JSON.stringify({ jobId: chainJob, operator: `0x${'11'.repeat(20)}`, cumulativeAmount: amount.toString(), resultsRoot: `0x${'00'.repeat(32)}`, signature: `0x${'22'.repeat(65)}` });
    for (const [id, cum] of [['a', 1n], ['b', 2n], ['c', 3n]] as const) {
      task(id, NOW - 1000, TOKEN);
      h.recordFinished(id, { outcome: 'submitted', finishedAt: NOW - 500 });
      h.recordVerdict(id, { verdict: 'verified', voucher: voucher(cum * TOKEN), voucherAmount: cum * TOKEN, at: NOW - 400 });
    }
    task('other', NOW - 1000, TOKEN);
    h.recordVerdict('other', { verdict: 'verified', voucher: 'not json', at: NOW });
    // The redeemed voucher covered the first two results only.
    expect(h.recordRedemption({ chainJobId: chainJob.toUpperCase().replace('0X', '0x'), upTo: (2n * TOKEN).toString(), txHash: '0xfeed', at: NOW })).toBe(2);
    expect(h.list({ verdict: 'verified' }).filter((e) => e.redemptionTx === '0xfeed').map((e) => e.taskId).sort()).toEqual(['a', 'b']);
    expect(h.recordRedemption({ chainJobId: chainJob, txHash: '0xbeef', at: NOW })).toBe(1);
    expect(h.get('c')!.redemptionTx).toBe('0xbeef');
    expect(h.get('other')!.redemptionTx).toBeNull();
  });

  it('after a crash, a task left rendering is marked handed back', () => {
    task('t9', NOW - 5000, TOKEN);
    expect(h.recoverInterrupted(NOW)).toBe(1);
    expect(h.get('t9')).toMatchObject({ verdict: 'handed-back', reason: expect.stringMatching(/interrupted/), durationMs: 5000 });
    expect(h.recoverInterrupted(NOW)).toBe(0);
  });

  it('keeps a handed-back task with its reason and no earnings', () => {
    task('t2', NOW - 5000, TOKEN);
    h.recordFinished('t2', { outcome: 'handed-back', reason: 'The user came back.', finishedAt: NOW });
    expect(h.get('t2')).toMatchObject({ verdict: 'handed-back', reason: 'The user came back.' });
    expect(h.earnings({ now: NOW }).today).toBe('0');
  });

  it('refuses unknown tasks and bad amounts with typed errors', () => {
    expect(() => h.recordFinished('nope', { outcome: 'failed' })).toThrow(/No task nope/);
    expect(() => task('t3', NOW, -1n)).toThrow(/smallest token unit/);
  });

  it('filters by job, verdict and date range, newest first', () => {
    task('t1', NOW - 3 * DAY, TOKEN, 'job-a');
    task('t2', NOW - 2 * DAY, TOKEN, 'job-b');
    task('t3', NOW - 1 * DAY, TOKEN, 'job-a');
    h.recordVerdict('t3', { verdict: 'rejected', reason: 'patch mismatch' });
    expect(h.list().map((e) => e.taskId)).toEqual(['t3', 't2', 't1']);
    expect(h.list({ jobId: 'job-a' }).map((e) => e.taskId)).toEqual(['t3', 't1']);
    expect(h.list({ jobId: 'Scene job-b' }).map((e) => e.taskId)).toEqual(['t2']); // by name too
    expect(h.list({ verdict: 'rejected' }).map((e) => e.taskId)).toEqual(['t3']);
    expect(h.list({ from: NOW - 2.5 * DAY, to: NOW - 1.5 * DAY }).map((e) => e.taskId)).toEqual(['t2']);
    expect(h.list({ limit: 1 })).toHaveLength(1);
  });

  it('totals earnings per day and per week, with exact bigint sums', () => {
    const verified = (id: string, at: number, price: bigint) => {
      task(id, at - 1000, price);
      h.recordFinished(id, { outcome: 'submitted', finishedAt: at });
      h.recordVerdict(id, { verdict: 'verified', at });
    };
    verified('t1', NOW - 1000, TOKEN / 2n); // today
    verified('t2', NOW - 2000, TOKEN + 1n); // today, odd unit
    verified('t3', NOW - 2 * DAY, 3n * TOKEN); // Monday
    verified('t4', NOW - 4 * DAY, 5n * TOKEN); // previous Saturday: last week
    task('t5', NOW - 500, 7n * TOKEN);
    h.recordVerdict('t5', { verdict: 'rejected', at: NOW - 400 });
    h.recordRedemption({ taskIds: ['t3'], txHash: '0xtx', at: NOW - 1000 });

    const e = h.earnings({ days: 7, now: NOW });
    expect(e.days).toHaveLength(7);
    expect(e.days.at(-1)).toMatchObject({ period: '2026-11-25', tasks: 3, verified: 2, rejected: 1, earned: (TOKEN / 2n + TOKEN + 1n).toString(), redeemed: (3n * TOKEN).toString() });
    expect(e.days.at(-3)).toMatchObject({ period: '2026-11-23', verified: 1, earned: (3n * TOKEN).toString() });
    expect(e.days.at(-4)).toMatchObject({ period: '2026-11-22', tasks: 0, earned: '0' });
    expect(e.today).toBe((TOKEN / 2n + TOKEN + 1n).toString());
    expect(h.earnedToday(0, NOW)).toBe(e.today);
    expect(h.earnedToday(13 * 60, NOW)).toBe(e.today); // in UTC+13 they are Thursday's, and it is Thursday there
    expect(e.total).toBe((TOKEN / 2n + TOKEN + 1n + 3n * TOKEN + 5n * TOKEN).toString());
    expect(e.weeks.map((w) => w.period)).toEqual(['2026-11-16', '2026-11-23']);
    expect(e.weeks[0]).toMatchObject({ verified: 1, earned: (5n * TOKEN).toString() });
    expect(e.weeks[1]).toMatchObject({ verified: 3, earned: (TOKEN / 2n + TOKEN + 1n + 3n * TOKEN).toString() });
    // In UTC+13 it is already Thursday 00:59: today's two tasks fall on the 26th there.
    const east = h.earnings({ days: 2, now: NOW, utcOffsetMinutes: 13 * 60 });
    expect(east.days.map((d) => d.period)).toEqual(['2026-11-25', '2026-11-26']);
    expect(east.days[1]).toMatchObject({ verified: 2, earned: e.today });
    expect(east.days[0]).toMatchObject({ verified: 0, tasks: 0 });
    expect(east.total).toBe(e.total);
  });

  it('exports CSV with escaping and formula-safe text', () => {
    h.recordStarted({ taskId: 't1', jobId: 'j1', jobName: 'Shot "A", take 2\nfinal', frame: 3, price: TOKEN / 4n, startedAt: NOW });
    h.recordStarted({ taskId: 't2', jobId: 'j2', jobName: '=HYPERLINK("http://evil")', frame: 1, price: TOKEN, startedAt: NOW - 1 });
    h.recordFinished('t1', { outcome: 'submitted', finishedAt: NOW + 1500 });
    const csv = historyToCsv(h.list());
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('task_id,job_id,job_name,frame,tile,creator,started_at,finished_at,duration_s,price_tokens,verdict,reason,voucher_amount_tokens,redemption_tx,redeemed_at');
    // The line break inside the quoted name is kept; the record ends at CRLF.
    expect(lines[1]).toBe('t1,j1,"Shot ""A"", take 2\nfinal",3,,,2026-11-25T12:00:00.000Z,2026-11-25T12:00:01.500Z,1.500,0.25,submitted,,,,');
    expect(csv).toContain(`t2,j2,"'=HYPERLINK(""http://evil"")",1,`);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csvField(-3)).toBe('-3');
    expect(csvField('-3')).toBe("'-3");
    expect(csvField(null)).toBe('');
  });
});
