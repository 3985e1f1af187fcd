import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { JobSpecSchema } from '../../shared/job-spec';
import { NetService } from '../../main/core/net/service';
import { nativeEngineLoader } from '../../main/core/operator/hardware';
import { ManualIdleSource } from '../../main/core/operator/idle-source';
import { OperatorService } from '../../main/core/operator/operator-service';
import { operatorNetHooks } from '../../main/core/operator/worker-bridge';
import { openStore } from '../../main/core/store';
import { launchBrowser, screenshot } from '../helpers/browser';
import { startHeadless, tempDataDir } from '../helpers/headless';
import type { HeadlessApp } from '../helpers/headless';
import { sampleScene, waitFor } from '../integration/net-helpers';

/**
 * Renders a real job in `dataDir` through the operator's real path: a network of one
 * (dispatcher + worker on libp2p), the native engine, the operator service's policy hooks
 * and history. `rayfarm up` has no job-submission call yet, so the job is rendered here,
 * in the data folder the headless app then opens.
 */
async function renderRealTasks(dataDir: string): Promise<string> {
  const store = openStore(dataDir);
  const op = new OperatorService({ store, idle: new ManualIdleSource({ idleSeconds: 3600, onBattery: false }), engine: nativeEngineLoader() });
  op.start();
  const lines: string[] = [];
  const svc = await NetService.start({ store, listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, log: (l) => lines.push(l), ...operatorNetHooks(op), dispatcher: { pricePerBenchHour: () => '2' } });
  op.attachWorker(svc.worker);
  try {
    const hash = store.blobs.put(await sampleScene('animated.glb'));
    const spec = JobSpecSchema.parse({ sceneId: hash, width: 192, height: 108, spp: 32, output: 'png8', frames: { start: 0, end: 2 } });
    const job = svc.submit({ spec, outDir: mkdtempSync(join(tmpdir(), 'rf-e2e-out-')) });
    await waitFor(() => op.history.list({ jobId: job.id }).filter((e) => e.verdict === 'verified').length === 3, 120_000, 'three verified tasks').catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify({ progress: svc.dispatcher.job(job.id)?.progress, history: op.history.list(), status: op.status().decision, lines })}`);
    });
    return job.id;
  } finally {
    await svc.stop();
    op.stop();
    store.close();
  }
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
  let jobId: string;

  beforeAll(async () => {
    const dataDir = tempDataDir('rayfarm-e2e-op-');
    jobId = await renderRealTasks(dataDir);
    // --always: this headless box cannot read idle time, so render whenever there is work.
    app = await startHeadless({ dataDir, args: ['--always', '--max-threads', '2'] });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, acceptDownloads: true });
    await page.goto(`${app.url}#operator`);
    await page.getByTestId('view-operator').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
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

  it('shows the rendered tasks in the history with their earnings, filters them and exports CSV', async () => {
    const rows = page.getByTestId('history-row');
    await expect.poll(() => rows.count()).toBe(3);
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

  it('shows which settings the command line locked', async () => {
    expect(await page.getByTestId('policy-forced').textContent()).toMatch(/render only when away, max CPU threads/);
    expect(await page.getByTestId('policy-idle-only').isDisabled()).toBe(true);
  });

  it('pauses for an hour and resumes from the policy card', async () => {
    await page.getByTestId('policy-pause-1h').click();
    await expect.poll(() => page.getByTestId('operator-state').textContent()).toBe('Paused');
    await page.getByTestId('policy-resume').click();
    await expect.poll(() => page.getByTestId('operator-state').textContent()).not.toBe('Paused');
    await page.getByTestId('policy-schedule').fill('mon-fri 22-07');
    await page.getByTestId('policy-schedule').press('Enter');
    await expect.poll(() => page.getByTestId('policy-error').textContent()).toMatch(/not valid/);
    await page.getByTestId('policy-schedule').fill('');
    await page.getByTestId('policy-schedule').press('Enter');
  });
});
