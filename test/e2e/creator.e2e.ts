import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HDNodeWallet } from 'ethers';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_MNEMONIC } from '../../main/core/chain/anvil';
import { openStore } from '../../main/core/store';
import { WalletService } from '../../main/core/wallet';
import { rayfarm } from '../integration/cli-procs';
import type { Proc } from '../integration/cli-procs';
import { launchBrowser, openView, RESULTS_DIR, screenshot } from '../helpers/browser';
import { startHeadless, tempDataDir } from '../helpers/headless';
import type { HeadlessApp } from '../helpers/headless';
import { connectApi } from '../helpers/ws-api';
import type { WsApi } from '../helpers/ws-api';

const ROOT = resolve(import.meta.dirname, '../..');
const PASSWORD = 'correct horse battery';

/** Drops files on an element the way a person's drag does (a DataTransfer with Files). */
async function dropFiles(page: Page, testId: string, files: { name: string; bytes: Buffer; type?: string }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, b64: f.bytes.toString('base64'), type: f.type ?? 'application/octet-stream' }));
  await page.getByTestId(testId).evaluate((el, list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bin = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bin], f.name, { type: f.type }));
    }
    el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
}

/** A data folder holding dev account `i`'s key, for an operator node. */
async function operatorDir(i: number): Promise<string> {
  const dir = tempDataDir('rf-e2e-op-');
  const store = openStore(dir);
  const w = new WalletService({ dataDir: dir, chain: null, db: store.db, scryptN: 1024 });
  await w.import('privateKey', HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).privateKey, PASSWORD);
  w.dispose();
  store.close();
  return dir;
}

// The creator's whole flow in Chromium against the headless app with every real part
// behind it: its embedded anvil, its own network node, two operator nodes, the engine.
describe('the Creator view, scene to downloaded frames', () => {
  let app: HeadlessApp;
  let api: WsApi;
  let browser: Browser;
  let page: Page;
  const operators: Proc[] = [];

  beforeAll(async () => {
    app = await startHeadless({ env: { RAYFARM_MDNS: '0' } });
    api = await connectApi(app.url);
    const chain = await api.call<{ rpcUrl: string }>('wallet.chain');
    const net = await api.call<{ listenAddrs: string[] }>('network.status');
    const bootstrap = net.listenAddrs.find((a) => a.startsWith('/ip4/127.0.0.1/'))!;
    process.env.RAYFARM_PASSWORD = PASSWORD;
    for (const i of [5, 6]) {
      const p = rayfarm(['node', '--data-dir', await operatorDir(i), '--chain', chain.rpcUrl, '--bootstrap', bootstrap, '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', '--json']);
      operators.push(p);
      await p.line(/^\{"peerId"/, 90_000);
    }
    // The creator's own wallet, through the same API the Wallet view uses (its UI has its own test).
    await api.call('wallet.create', { password: PASSWORD });
    await api.call('wallet.faucet');
    browser = await launchBrowser();
    page = await openView(browser, app.url, 'creator', { acceptDownloads: true });
  });

  afterAll(async () => {
    await browser?.close();
    api?.close();
    await Promise.all(operators.map((p) => p.kill('SIGTERM')));
    expect(await app?.stop()).toBe(0);
  });

  it('names an import problem next to its cause', async () => {
    const gltf = {
      asset: { version: '2.0' },
      scenes: [{ nodes: [0] }],
      nodes: [{ mesh: 0 }],
      meshes: [{ primitives: [{ attributes: { POSITION: 0 }, material: 0 }] }],
      materials: [{ name: 'Table', pbrMetallicRoughness: { baseColorTexture: { index: 0 } } }],
      textures: [{ source: 0 }],
      images: [{ uri: 'wood.png' }],
      accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] }],
      bufferViews: [{ buffer: 0, byteLength: 36 }],
      buffers: [{ byteLength: 36, uri: `data:application/octet-stream;base64,${Buffer.from(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]).buffer).toString('base64')}` }],
    };
    await dropFiles(page, 'dropzone', [{ name: 'table.gltf', bytes: Buffer.from(JSON.stringify(gltf)), type: 'model/gltf+json' }]);
    await page.getByTestId('import-problems').waitFor({ timeout: 60_000 });
    const problem = page.getByTestId('scene-problems').locator('li').filter({ hasText: 'wood.png' }).first();
    expect(await problem.textContent()).toMatch(/Table/);
    expect(await problem.getByTestId('problem-subject').textContent()).toContain('wood.png');
    await screenshot(page, 'creator-import-error');
  });

  it('imports a dropped GLB and shows its summary and preview', async () => {
    const glb = readFileSync(join(ROOT, 'resources/scenes/animated.glb'));
    await dropFiles(page, 'dropzone', [{ name: 'animated.glb', bytes: glb, type: 'model/gltf-binary' }]);
    await page.getByTestId('scene-summary').waitFor({ timeout: 90_000 });
    await page.getByTestId('scene-preview').locator('img').waitFor({ timeout: 30_000 });
    expect(Number((await page.getByTestId('scene-triangles').textContent())!.replace(/,/g, ''))).toBeGreaterThan(0);
    await screenshot(page, 'creator-scene-summary');
  });

  it('prices a 4-frame job as the fields change and pays for it', async () => {
    await page.getByLabel('Resolution').selectOption('custom');
    await page.getByLabel('Width (px)').fill('64');
    await page.getByLabel('Height (px)').fill('36');
    await page.getByLabel('Samples per pixel').fill('abc');
    expect(await page.getByTestId('job-form').textContent()).toContain('samples per pixel must be a number');
    await page.getByLabel('Samples per pixel').fill('8');
    await page.getByLabel('First frame').fill('0');
    await page.getByLabel('Last frame').fill('3');
    await expect.poll(() => page.getByTestId('estimate-total').textContent(), { timeout: 60_000 }).toMatch(/RFT/);
    await expect.poll(() => page.getByTestId('job-submit').isEnabled(), { timeout: 60_000 }).toBe(true);
    // A price for other settings is never offered beside "Review and pay": a change disables it
    // at once (before the new estimate is even asked for), and going back to priced settings re-enables it.
    await page.getByLabel('Samples per pixel').fill('9');
    expect(await page.getByTestId('job-submit').isDisabled()).toBe(true);
    await page.getByLabel('Samples per pixel').fill('8');
    await expect.poll(() => page.getByTestId('job-submit').isEnabled(), { timeout: 60_000 }).toBe(true);
    await screenshot(page, 'creator-job-form');
    await page.getByTestId('job-submit').click();
    await page.getByTestId('submit-dialog').waitFor();
    await expect.poll(() => page.getByTestId('confirm-pay').isEnabled(), { timeout: 30_000 }).toBe(true);
    expect(await page.getByTestId('confirm-balance').textContent()).toContain('1000');
    await screenshot(page, 'creator-confirm');
    await page.getByTestId('confirm-pay').click();
    await page.getByTestId('job-page').waitFor({ timeout: 60_000 });
  });

  it('fills the frame grid as frames are verified', async () => {
    await expect.poll(() => page.getByTestId('frame-cell').count(), { timeout: 30_000 }).toBe(4);
    await screenshot(page, 'creator-job-running');
    await expect
      .poll(async () => (await page.getByTestId('frame-cell').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).filter((s) => s === 'done').length, {
        timeout: 150_000,
        interval: 1000,
      })
      .toBe(4);
    await expect.poll(() => page.getByTestId('frame-cell').locator('img').count(), { timeout: 30_000 }).toBe(4);
    await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state'), { timeout: 60_000 }).toMatch(/complete|closed/);
    expect(await page.getByTestId('job-paid').textContent()).not.toMatch(/^0 RFT/);
    await page.getByTestId('toast').filter({ hasText: 'Render complete' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'creator-job-complete');
  });

  it('opens a finished frame and downloads it and the zip', async () => {
    await page.getByTestId('frame-cell').first().click();
    await page.getByTestId('viewer-image').waitFor();
    await screenshot(page, 'creator-frame-viewer');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-frame').click()]);
    const dir = mkdtempSync(join(tmpdir(), 'rf-dl-'));
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    expect(download.suggestedFilename()).toBe('frame-0000.png');
    expect(readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
    await page.getByRole('button', { name: 'Close' }).click();
    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').click()]);
    const zipFile = join(dir, zip.suggestedFilename());
    await zip.saveAs(zipFile);
    const bytes = readFileSync(zipFile);
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    for (let f = 0; f < 4; f++) expect(bytes.includes(Buffer.from(`frame-000${f}.png`))).toBe(true);
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, 'creator-downloaded-frame-0000.png'), readFileSync(file));
  });
});
