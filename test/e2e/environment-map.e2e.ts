import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HDNodeWallet } from 'ethers';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_MNEMONIC } from '../../main/core/chain/anvil';
import { openStore } from '../../main/core/store';
import { WalletService } from '../../main/core/wallet';
import { makeSkyHdr } from '../../scripts/scenes/lighting';
import { launchBrowser, openView, screenshot } from '../helpers/browser';
import { startHeadless, tempDataDir } from '../helpers/headless';
import type { HeadlessApp } from '../helpers/headless';
import { connectApi } from '../helpers/ws-api';
import type { WsApi } from '../helpers/ws-api';
import { rayfarm } from '../integration/cli-procs';
import type { Proc } from '../integration/cli-procs';

const ROOT = resolve(import.meta.dirname, '../..');
const PASSWORD = 'correct horse battery';

/** Mean brightness (0–255) of the scene preview's picture, read back in the page. */
async function previewBrightness(page: Page): Promise<number> {
  const src = await page.getByTestId('scene-preview').locator('img').getAttribute('src');
  return imageBrightness(page, src!);
}

/** Mean brightness (0–255) of a PNG data URL or address, read in the page. */
function imageBrightness(page: Page, src: string): Promise<number> {
  return page.evaluate(async (url) => {
    const img = new Image();
    img.src = url;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    for (let i = 0; i < d.length; i += 4) sum += d[i]! + d[i + 1]! + d[i + 2]!;
    return sum / ((d.length / 4) * 3);
  }, src);
}

// A creator with a plain glTF and a separate studio .hdr: "Add an environment map…" in the
// job form packs it into the scene, the preview is lit by it, and the paid job renders with it.
describe('adding an environment map from the job form', () => {
  let app: HeadlessApp;
  let api: WsApi;
  let browser: Browser;
  let page: Page;
  let operator: Proc | undefined;
  const files = mkdtempSync(join(tmpdir(), 'rf-e2e-envmap-'));
  const sky = makeSkyHdr(64, 32);

  beforeAll(async () => {
    writeFileSync(join(files, 'sky.hdr'), sky);
    // A PNG renamed .hdr: what an attacker (or a slip) hands the form.
    writeFileSync(join(files, 'fake.hdr'), readFileSync(join(ROOT, 'resources/icons/tray-rendering.png')));
    app = await startHeadless({ env: { RAYFARM_MDNS: '0' } });
    api = await connectApi(app.url);
    await api.call('wallet.create', { password: PASSWORD });
    await api.call('wallet.faucet');
    browser = await launchBrowser();
    page = await openView(browser, app.url, 'creator');
  });

  afterAll(async () => {
    await browser?.close();
    api?.close();
    await operator?.kill('SIGTERM');
    expect(await app?.stop()).toBe(0);
  });

  it('refuses a file that is not an environment map under the field, then packs a real .hdr and the preview is lit by it', async () => {
    const glb = readFileSync(join(ROOT, 'resources/scenes/spheres.glb'));
    await page.getByTestId('dropzone').evaluate((el, b64) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'spheres.glb', { type: 'model/gltf-binary' }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, glb.toString('base64'));
    await page.getByTestId('scene-summary').waitFor({ timeout: 90_000 });
    const firstScene = (await api.call<{ sceneId: string }[]>('creator.listScenes'))[0]!.sceneId;
    // No world light: the scene has no lights of its own, so its preview is dark.
    await page.getByLabel('World light').selectOption({ label: "None (the scene's own lights only)" });
    await expect.poll(() => page.getByTestId('scene-preview').getAttribute('data-preview-environment'), { timeout: 60_000 }).toBe('none');
    const dark = await previewBrightness(page);

    await page.getByTestId('environment-map-input').setInputFiles(join(files, 'fake.hdr'));
    await expect.poll(() => page.getByTestId('job-environment-error').textContent(), { timeout: 60_000 }).toContain('fake.hdr is not a Radiance .hdr or OpenEXR image');
    expect(await api.call<unknown[]>('creator.listScenes')).toHaveLength(1);
    await screenshot(page, 'environment-map-refused');

    await page.getByTestId('environment-map-input').setInputFiles(join(files, 'sky.hdr'));
    const sha = createHash('sha256').update(sky).digest('hex');
    await expect.poll(() => page.getByLabel('World light').inputValue(), { timeout: 90_000 }).toBe(`hdri:${sha}`);
    expect(await page.getByLabel('World light').locator('option:checked').textContent()).toBe('Environment map sky.hdr (64×32)');
    expect(await page.getByTestId('job-environment-error').count()).toBe(0);
    await expect.poll(() => page.getByTestId('scene-preview').getAttribute('data-preview-environment'), { timeout: 60_000 }).toBe('hdri');
    await expect.poll(() => previewBrightness(page), { timeout: 60_000 }).toBeGreaterThan(dark + 20);
    // A new package: the first scene is still in the library.
    const scenes = await api.call<{ sceneId: string }[]>('creator.listScenes');
    expect(scenes.map((s) => s.sceneId)).toContain(firstScene);
    expect(scenes).toHaveLength(2);
    await expect.poll(() => page.getByTestId('estimate-total').textContent(), { timeout: 60_000 }).toMatch(/RFT/);
    await screenshot(page, 'environment-map-added');
  });

  it('creates and pays for a job that names the map, and an operator renders its frame lit by it', async () => {
    // The price of the preview-sized job, to wait for the small job's own below (a button
    // enabled by the old estimate turns disabled while the new one is measured).
    const before = await page.getByTestId('estimate-total').textContent();
    await page.getByLabel('Resolution').selectOption('custom');
    await page.getByLabel('Width (px)').fill('64');
    await page.getByLabel('Height (px)').fill('36');
    await page.getByLabel('Samples per pixel').fill('8');
    await page.getByLabel('First frame').fill('0');
    await page.getByLabel('Last frame').fill('0');
    await expect.poll(() => page.getByTestId('estimate-total').textContent(), { timeout: 60_000 }).not.toBe(before);
    await expect.poll(() => page.getByTestId('job-submit').isEnabled(), { timeout: 90_000 }).toBe(true);
    await page.getByTestId('job-submit').click();
    await page.getByTestId('submit-dialog').waitFor();
    await expect.poll(() => page.getByTestId('confirm-pay').isEnabled(), { timeout: 30_000 }).toBe(true);
    await page.getByTestId('confirm-pay').click();
    await page.getByTestId('job-page').waitFor({ timeout: 60_000 });
    const [job] = await api.call<{ id: string }[]>('jobs.list');
    const { spec } = await api.call<{ spec: { sceneId: string; environment: unknown } }>('jobs.get', { jobId: job!.id });
    const sha = createHash('sha256').update(sky).digest('hex');
    expect(spec.environment).toEqual({ hdri: sha });
    const scene = await api.call<{ summary: { environmentMaps: { sha256: string }[] } }>('creator.getScene', { sceneId: spec.sceneId });
    expect(scene.summary.environmentMaps.map((m) => m.sha256)).toContain(sha);

    // One operator fetches the new package by its id and renders the frame with the map.
    const chain = await api.call<{ rpcUrl: string }>('wallet.chain');
    const net = await api.call<{ listenAddrs: string[] }>('network.status');
    const dir = tempDataDir('rf-e2e-envmap-op-');
    const store = openStore(dir);
    const w = new WalletService({ dataDir: dir, chain: null, db: store.db, scryptN: 1024 });
    await w.import('privateKey', HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, "m/44'/60'/0'/0/5").privateKey, PASSWORD);
    w.dispose();
    store.close();
    process.env.RAYFARM_PASSWORD = PASSWORD;
    operator = rayfarm(['node', '--data-dir', dir, '--chain', chain.rpcUrl, '--bootstrap', net.listenAddrs.find((a) => a.startsWith('/ip4/127.0.0.1/'))!, '--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns', '--json']);
    await operator.line(/^\{"peerId"/, 90_000);
    await expect.poll(() => page.getByTestId('frame-cell').locator('img').count(), { timeout: 180_000, interval: 1000 }).toBe(1);
    const src = (await page.getByTestId('frame-cell').locator('img').getAttribute('src'))!;
    // Lit by the map (the scene has no lights of its own: without it the frame is black).
    expect(await imageBrightness(page, src)).toBeGreaterThan(20);
    await screenshot(page, 'environment-map-job');
  });
});
