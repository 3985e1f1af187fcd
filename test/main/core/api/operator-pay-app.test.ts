/**
 * operator.payments.* in the composition root: the person resumes work for a creator the
 * operator stopped working for, and sets the unpaid-work limit, on a real app (embedded dev
 * chain, wallet, network node).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../main/core/app';
import type { App } from '../../../../main/core/app';
import { waitFor } from '../../../integration/net-helpers';

const CREATOR = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo';
let app: App | undefined;
afterAll(async () => {
  await app?.stop();
});

describe('operator payments in the app', () => {
  it('resumes a stopped creator (the resume is kept in settings) and sets the unpaid-work limit, refusing bad values in words', async () => {
    app = await createApp({ dataDir: mkdtempSync(join(tmpdir(), 'rf-op-pay-')), walletScryptN: 1024, log: () => undefined, net: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false } });
    const a = app;
    // As a missing voucher leaves it: the stop is kept in settings and read when paid work starts.
    a.store.settings.set('operator.paymentStops', { [CREATOR]: { reason: 'it sent no voucher for a task it accepted', at: 1 } });
    // Locked (no wallet yet): nothing to resume, said in words.
    await expect(a.api.call('operator.payments.resume', { creator: CREATOR })).rejects.toMatchObject({ code: 'WALLET_LOCKED' });
    // The limit is a setting: it can be set before a wallet exists.
    expect(await a.api.call('operator.payments.maxUnpaid', { maxUnpaid: '2.5' })).toMatchObject({ maxUnpaid: '2.5', maxUnpaidForced: false });

    await a.api.call('wallet.create', { password: 'long enough password' });
    await waitFor(async () => ((await a.api.call('operator.status')).paymentStops.length ? true : undefined), 20_000, 'paid work with the remembered stop');
    // The limit set before the wallet existed is the one paid work started with.
    expect(a.publicMode()!.operator.unpaidLimit()).toBe(25n * 10n ** 17n);
    expect((await a.api.call('operator.status')).paymentStops).toEqual([expect.objectContaining({ creator: CREATOR, reason: expect.stringMatching(/no voucher/) })]);

    const resumed = await a.api.call('operator.payments.resume', { creator: CREATOR });
    expect(resumed.paymentStops).toEqual([]);
    expect(a.store.settings.get('operator.paymentStops', null)).toEqual({});
    await expect(a.api.call('operator.payments.resume', { creator: CREATOR })).rejects.toMatchObject({ code: 'OPERATOR_NOT_STOPPED' });

    // The limit: what the API refuses names the field (for the form) and never applies.
    const bad = await a.api.invoke('operator.payments.maxUnpaid', { maxUnpaid: '-1' }, { transport: 'local' });
    expect(bad.ok === false && bad.error).toMatchObject({ code: 'API_BAD_INPUT', details: { fields: ['maxUnpaid'] } });
    await expect(a.api.call('operator.payments.maxUnpaid', { maxUnpaid: '0' })).rejects.toMatchObject({ code: 'OPERATOR_BAD_MAX_UNPAID' });
    await expect(a.api.call('operator.payments.maxUnpaid', { maxUnpaid: '1.0000000000000000001' })).rejects.toMatchObject({ code: 'API_BAD_INPUT' });
    expect((await a.api.call('operator.status')).maxUnpaid).toBe('2.5');
    expect(a.publicMode()!.operator.unpaidLimit()).toBe(25n * 10n ** 17n);
    // A new limit applies to the running operator at once, and is kept for the next start.
    expect(await a.api.call('operator.payments.maxUnpaid', { maxUnpaid: '0.75' })).toMatchObject({ maxUnpaid: '0.75' });
    expect(a.publicMode()!.operator.unpaidLimit()).toBe(75n * 10n ** 16n);
    expect(a.store.settings.get('operator.maxUnpaid', null)).toBe('0.75');
    expect(await a.api.call('operator.payments.maxUnpaid', { maxUnpaid: null })).toMatchObject({ maxUnpaid: null });
    expect(a.publicMode()!.operator.unpaidLimit()).toBeUndefined();
  });
});
