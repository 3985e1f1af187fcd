import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../../../main/core/app';
import type { App } from '../../../../main/core/app';
import { sampleScene } from '../../../integration/net-helpers';
import { waitFor } from '../net/helpers';

let apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  apps = [];
});

async function app(): Promise<App> {
  const a = await createApp({ dataDir: mkdtempSync(join(tmpdir(), 'rf-app-')), chain: 'off', walletScryptN: 1024, log: () => undefined, net: { listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false } });
  apps.push(a);
  return a;
}

describe('the app on its defaults is a network of one', () => {
  it('reports its node in network.status and renders its own submitted job', async () => {
    const a = await app();
    const status = await a.api.call('network.status');
    expect(status).toMatchObject({ mode: 'public', operator: true, peers: [], jobs: [] });
    expect(status.listenAddrs[0]).toMatch(/^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3/);
    const hash = a.store.blobs.put(await sampleScene('animated.glb'));
    const job = await a.api.call('network.submit', { spec: { sceneId: hash, width: 32, height: 32, spp: 2, frames: { start: 0, end: 2 } } });
    expect(job).toMatchObject({ state: 'active', tasks: 3 });
    const done = await waitFor(async () => (await a.api.call('network.status')).jobs.find((j) => j.id === job.id && j.framesWritten === 3 && j.state === 'done'), 30_000, 'job done (finished once its last acceptance is answered)');
    expect(done.state).toBe('done');
    for (const f of [0, 1, 2]) expect(existsSync(join(a.store.dataDir, 'outputs', job.id, `frame-000${f}.png`))).toBe(true);
    // The operator side recorded the tasks it rendered.
    expect(a.operator.history.list({}).length).toBe(3);
  });

  it('two apps find each other by bootstrap and list each other as bound peers', async () => {
    const a = await app();
    const b = await app();
    await b.api.call('network.connect', { addr: (await a.api.call('network.status')).listenAddrs[0]! });
    const peer = await waitFor(async () => (await a.api.call('network.status')).peers.find((p) => p.address), 10_000, 'bound peer');
    expect(peer).toMatchObject({ id: b.network!.stack.node.peerId, role: 'creator+operator', connected: true, score: 0, reach: 'lan' });
    await expect(a.api.call('network.connect', { addr: '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWBScYDMSmZxS8r5aiAZ3nDyEeKgYGBVoUbmak6fyiTho7' })).rejects.toMatchObject({ code: 'NET_UNREACHABLE' });
  });

  it('in public mode, binds its peer id to the wallet on unlock and keeps it when the wallet locks (new paid tasks pause instead)', async () => {
    const a = await app();
    const b = await app();
    await b.api.call('network.connect', { addr: (await a.api.call('network.status')).listenAddrs[0]! });
    const nodeAddress = b.network!.stack.node.signer.address.toLowerCase();
    await waitFor(async () => (await a.api.call('network.status')).peers.find((p) => p.address === nodeAddress), 10_000, 'node-key binding');
    const { address } = await b.api.call('wallet.create', { password: 'correct horse battery staple' });
    await waitFor(async () => (await a.api.call('network.status')).peers.find((p) => p.address === address.toLowerCase()), 10_000, 'wallet binding');
    expect((await b.api.call('operator.status')).paidPause).toBeNull();
    await b.api.call('wallet.lock');
    // The lock pauses new paid tasks, with the reason in the operator status; the identity stays.
    await waitFor(async () => (await b.api.call('operator.status')).paidPause, 10_000, 'paid work paused');
    expect(b.network!.stack.node.signer.address.toLowerCase()).toBe(address.toLowerCase());
    expect((await a.api.call('network.status')).peers.find((p) => p.id === b.network!.stack.node.peerId)?.address).toBe(address.toLowerCase());
    await b.api.call('wallet.unlock', { password: 'correct horse battery staple' });
    await waitFor(async () => (await b.api.call('operator.status')).paidPause === null, 10_000, 'paid work resumed');
  });
});
