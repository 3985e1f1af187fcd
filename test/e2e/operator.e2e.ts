import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { JobSpecSchema } from '../../shared/job-spec';
import { NetService } from '../../main/core/node/net-service';
import { WebSocket } from 'ws';
import { openStore } from '../../main/core/store';
import { launchBrowser, screenshot } from '../helpers/browser';
import { startHeadless, tempDataDir } from '../helpers/headless';
import type { HeadlessApp } from '../helpers/headless';
import { ROOT, sampleScene } from '../integration/net-helpers';

/** A small client for the headless API over its WebSocket (what the UI uses), for the test's own calls. */
async function apiClient(appUrl: string) {
  const u = new URL(appUrl);
  const ws = new WebSocket(`ws://${u.host}/api?token=${u.searchParams.get('token')}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  const pending = new Map<number, (m: { ok: boolean; value?: unknown; error?: { message: string } }) => void>();
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { id?: number; ok: boolean; value?: unknown; error?: { message: string } };
    if (typeof m.id === 'number') pending.get(m.id)?.(m);
  });
  return {
    async call<T>(call: string, input?: unknown): Promise<T> {
      const id = next++;
      const reply = await new Promise<{ ok: boolean; value?: unknown; error?: { message: string } }>((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, call, input }));
      });
      pending.delete(id);
      if (!reply.ok) throw new Error(`${call}: ${reply.error?.message}`);
      return reply.value as T;
    },
    close: () => ws.close(),
  };
}

/**
 * Another creator on the network: a node on loopback that offers jobs at 2 RFT per
 * bench-hour and does not render them itself.
 */
async function startCreator() {
  const store = openStore(tempDataDir('rayfarm-e2e-creator-'));
  const svc = await NetService.start({ store, operator: false, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, log: () => {}, dispatcher: { pricePerBenchHour: () => '2' } });
  return {
    svc,
    store,
    async stop() {
      await svc.stop();
      store.close();
    },
  };
}

/** A screenshot of the whole view: the window grows to the height of the scrolling content first. */
async function wholeView(page: Page, name: string): Promise<void> {
  const height = await page.evaluate(() => document.querySelector('.content')?.scrollHeight ?? 900);
  await page.setViewportSize({ width: 1360, height: Math.max(900, height + 40) });
  await screenshot(page, name);
  await page.setViewportSize({ width: 1360, height: 900 });
}

describe('the Operator view in Chromium against the headless form', () => {
  let app: HeadlessApp;
  let browser: Browser;
  let page: Page;
  let creator: Awaited<ReturnType<typeof startCreator>>;
  let api: Awaited<ReturnType<typeof apiClient>>;

  beforeAll(async () => {
    creator = await startCreator();
    // --always: this headless box cannot read idle time, so render whenever there is work.
    app = await startHeadless({ args: ['--always', '--max-threads', '2'] });
    api = await apiClient(app.url);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    await page.goto(`${app.url}#operator`);
    await page.getByTestId('view-operator').waitFor();
  });

  afterAll(async () => {
    api?.close();
    await browser?.close();
    await creator?.stop();
    expect(await app?.stop()).toBe(0);
  });

  it('shows the hardware with the engine devices and a clear line about the GPU', async () => {
    const hw = page.getByTestId('operator-hardware');
    await hw.getByTestId('hw-cpu').waitFor();
    expect(await hw.textContent()).toMatch(/Engine devices:.*CPU/);
    if ((await hw.getByTestId('hw-gpu').count()) === 0) expect(await hw.getByTestId('hw-note').first().textContent()).toMatch(/No usable GPU: .*CPU backend/);
  });

  it('runs the benchmark with a progress bar and shows the score and its chart', async () => {
    await page.getByTestId('benchmark-run').click();
    const bar = page.getByTestId('benchmark-progress');
    await bar.waitFor();
    await expect.poll(() => bar.getByRole('progressbar').getAttribute('aria-valuenow'), { timeout: 60_000 }).not.toBe('0');
    await screenshot(page, 'operator-benchmark-running');
    await expect.poll(() => page.getByTestId('benchmark-score').textContent(), { timeout: 120_000 }).toMatch(/^\d+\.\d$/);
    await bar.waitFor({ state: 'detached' });
    await page.getByTestId('benchmark-chart').waitFor();
    const score = Number(await page.getByTestId('benchmark-score').textContent());
    expect(score).toBeGreaterThan(0);
    await wholeView(page, 'operator-benchmark');
  });

  it('renders a creator\'s job and shows its tasks in the history with their earnings, filters them and exports CSV', async () => {
    // This node joins the creator, which offers a three-frame job; the operator renders it.
    await api.call('network.connect', { addr: creator.svc.stack.node.listenAddrs()[0] });
    const me = (await api.call<{ peerId: string }>('network.status')).peerId;
    await expect.poll(() => !!creator.svc.stack.node.peers.get(me)?.address, { timeout: 20_000 }).toBe(true);
    const hash = creator.store.blobs.put(await sampleScene('animated.glb'));
    const spec = JobSpecSchema.parse({ sceneId: hash, width: 192, height: 108, spp: 32, output: 'png8', frames: { start: 0, end: 2 } });
    const jobId = creator.svc.submit({ spec, outDir: mkdtempSync(join(tmpdir(), 'rf-e2e-out-')) }).id;
    const rows = page.getByTestId('history-row');
    // The table fills live from the API's events while the tasks render and are verified.
    await expect.poll(() => page.getByTestId('history-table').locator('.verdict-verified').count(), { timeout: 120_000 }).toBe(3);
    expect(await rows.count()).toBe(3);
    expect(await rows.first().textContent()).toMatch(/Verified/);
    expect(await page.getByTestId('earnings-today').textContent()).toMatch(/^(0\.0*[1-9]\d*|[1-9][\d.]*) RFT$/);
    await page.getByTestId('earnings-chart').waitFor();
    await wholeView(page, 'operator-history');

    await page.getByTestId('history-filter-verdict').selectOption('rejected');
    await page.getByTestId('history-empty').waitFor();
    await page.getByTestId('history-filter-verdict').selectOption('verified');
    await expect.poll(() => rows.count()).toBe(3);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('history-export').click()]);
    expect(download.suggestedFilename()).toMatch(/^rayfarm-operator-history-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toMatch(/^task_id,job_id,job_name,frame/);
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).every((l) => l.includes(jobId) && l.includes(',verified,'))).toBe(true);
  });

  it('renders its own job submitted through the API (a network of one)', async () => {
    const imported = await api.call<{ ok: boolean; scene: { sceneId: string } }>('creator.importScene', { path: join(ROOT, 'resources', 'scenes', 'spheres.glb') });
    expect(imported.ok).toBe(true);
    const job = await api.call<{ id: string }>('network.submit', { spec: { sceneId: imported.scene.sceneId, width: 64, height: 48, spp: 4, frames: { start: 0, end: 0 } } });
    await page.getByTestId('history-filter-verdict').selectOption('');
    await page.getByTestId('history-filter-job').fill(job.id);
    await expect.poll(() => page.getByTestId('history-table').locator('.verdict-verified').count(), { timeout: 60_000 }).toBe(1);
    await page.getByTestId('history-filter-job').fill('');
  });

  it('shows which settings the command line locked', async () => {
    expect(await page.getByTestId('policy-forced').textContent()).toMatch(/render only when away, max CPU threads/);
    expect(await page.getByTestId('policy-idle-only').isDisabled()).toBe(true);
  });

  it('reads well in the dark theme', async () => {
    await page.getByRole('radio', { name: 'Dark theme' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await wholeView(page, 'operator-dark');
    await page.getByRole('radio', { name: 'Follow the system theme' }).click();
  });

  it('pauses for an hour and resumes from the policy card', async () => {
    await page.getByTestId('policy-pause-1h').click();
    await expect.poll(() => page.getByTestId('operator-state').textContent()).toBe('Paused');
    await page.getByTestId('policy-resume').click();
    await expect.poll(() => page.getByTestId('operator-state').textContent()).not.toBe('Paused');
    await page.getByTestId('policy-schedule').fill('mon-fri 22-07');
    await page.getByTestId('policy-schedule').press('Enter');
    await expect.poll(() => page.getByTestId('policy-schedule-error').textContent()).toMatch(/not valid/);
    await page.getByTestId('policy-schedule').fill('');
    await page.getByTestId('policy-schedule').press('Enter');
  });
});
