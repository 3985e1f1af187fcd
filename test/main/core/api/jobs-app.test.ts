/**
 * Public mode in the composition root: the embedded dev chain, a wallet that is created,
 * funded by the faucet and unlocked, then a paid job through the jobs.* API rendered by
 * the app's own worker (a network of one) — and no paid work while the wallet is locked.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../../main/core/app';
import type { App } from '../../../../main/core/app';
import { sampleScene, waitFor } from '../../../integration/net-helpers';

let app: App | undefined;
afterAll(async () => {
  await app?.stop();
});

describe('jobs API in the app', () => {
  it('prices nothing until the wallet is unlocked, runs a paid job end to end, and keeps the list readable while locked', async () => {
    app = await createApp({ dataDir: mkdtempSync(join(tmpdir(), 'rf-app-pay-')), walletScryptN: 1024, log: () => undefined, net: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false } });
    const a = app;
    // Reading needs no key: the list answers (empty) while pricing and paying wait for a wallet.
    expect(await a.api.call('jobs.list')).toEqual([]);
    await expect(a.api.call('jobs.reputation')).rejects.toMatchObject({ code: 'JOBS_UNAVAILABLE' });
    await a.api.call('wallet.create', { password: 'long enough password' });
    await a.api.call('wallet.faucet');
    await waitFor(async () => (await a.api.call('jobs.reputation').catch(() => undefined)) !== undefined, 20_000, 'public mode');
    const sceneId = a.store.blobs.put(await sampleScene('animated.glb'));
    const spec = { sceneId, width: 32, height: 32, spp: 2, maxDepth: 2, frames: { start: 0, end: 1 }, output: 'exr-float' as const };
    const updates: string[] = [];
    a.api.subscribe((e) => {
      if (e.event === 'job.updated') updates.push((e.payload as { state: string }).state);
    });
    const draft = await a.api.call('jobs.create', { spec, benchHours: 0.01 });
    await a.api.call('jobs.fund', { jobId: draft.id });
    await a.api.call('jobs.start', { jobId: draft.id });
    const done = await waitFor(async () => {
      const d = await a.api.call('jobs.get', { jobId: draft.id });
      return d.job.state === 'complete' && d.job.closableAt !== null ? d : undefined;
    }, 60_000, 'the paid job to complete');
    expect(done.verdicts.every((v) => v.verdict === 'accepted')).toBe(true);
    expect(done.job.paid).toBe((BigInt(draft.taskPrice) * 2n).toString());
    expect(done.job.outDir).toContain(join('outputs', draft.id));
    expect(updates).toEqual(expect.arrayContaining(['draft', 'funded', 'running', 'complete']));

    // A draft the person walks away from is thrown away: closed, nothing locked, nothing refunded.
    const abandoned = await a.api.call('jobs.create', { spec, benchHours: 0.01 });
    const gone = await a.api.call('jobs.cancel', { jobId: abandoned.id });
    expect(gone).toMatchObject({ state: 'closed', funded: '0', refund: '0' });

    // Locked, the jobs stay readable with their scene and money; paying waits for the key.
    await a.api.call('wallet.lock');
    await waitFor(async () => ((await a.api.call('jobs.reputation').then(() => 'up', (e: { code: string }) => e.code)) === 'JOBS_UNAVAILABLE' ? true : undefined), 20_000, 'public mode to stop');
    await expect(a.api.call('jobs.create', { spec, benchHours: 0.01 })).rejects.toMatchObject({ code: 'JOBS_UNAVAILABLE' });
    const listed = await a.api.call('jobs.list');
    expect(listed.find((j) => j.id === draft.id)).toMatchObject({ sceneId, state: 'complete', paid: done.job.paid, done: 2 });
    expect((await a.api.call('jobs.get', { jobId: draft.id })).verdicts).toHaveLength(2);
  });
});
