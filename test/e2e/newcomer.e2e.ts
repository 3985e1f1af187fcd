import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../helpers/browser';
import { alive, childrenOf, startHeadless, startHeadlessViaNpm } from '../helpers/headless';
import { installTamper, tamper, untamper } from '../helpers/tamper';
import type { HeadlessApp, NpmHeadless } from '../helpers/headless';

const PASSWORD = 'correct horse battery';
const WAIT = { timeout: 30_000 };

/**
 * A scene a newcomer might bring: a .gltf with its .bin beside it, a faintly emissive quad
 * and a lamp far too weak to see by, on a black background, so its preview is nearly black.
 * (Without the lamp, `auto` would light it with the studio environment: issue 17.)
 */
function darkScene(): { gltf: Buffer; bin: Buffer } {
  const positions = new Float32Array([-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0]);
  const normals = new Float32Array([0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
  const indices = new Uint16Array([0, 1, 2, 0, 2, 3]);
  const bin = Buffer.concat([Buffer.from(positions.buffer), Buffer.from(normals.buffer), Buffer.from(indices.buffer)]);
  const gltf = {
    asset: { version: '2.0' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, name: 'Panel', children: [1] }, { name: 'Faint lamp', translation: [0, 0, 2], extensions: { KHR_lights_punctual: { light: 0 } } }],
    extensionsUsed: ['KHR_lights_punctual'],
    extensions: { KHR_lights_punctual: { lights: [{ type: 'point', intensity: 0.001 }] } },
    meshes: [{ primitives: [{ attributes: { POSITION: 0, NORMAL: 1 }, indices: 2, material: 0 }] }],
    materials: [{ name: 'Dim glow', emissiveFactor: [0.002, 0.002, 0.002], pbrMetallicRoughness: { baseColorFactor: [0.5, 0.5, 0.5, 1] } }],
    accessors: [
      { bufferView: 0, componentType: 5126, count: 4, type: 'VEC3', min: [-1, -1, 0], max: [1, 1, 0] },
      { bufferView: 1, componentType: 5126, count: 4, type: 'VEC3' },
      { bufferView: 2, componentType: 5123, count: 6, type: 'SCALAR' },
    ],
    bufferViews: [
      { buffer: 0, byteOffset: 0, byteLength: 48 },
      { buffer: 0, byteOffset: 48, byteLength: 48 },
      { buffer: 0, byteOffset: 96, byteLength: 12 },
    ],
    buffers: [{ byteLength: bin.length, uri: 'dark.bin' }],
  };
  return { gltf: Buffer.from(JSON.stringify(gltf)), bin };
}

/** Drops files on an element the way a person's drag does (a DataTransfer with Files). */
async function dropFiles(page: Page, testId: string, files: { name: string; bytes: Buffer; type?: string }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, b64: f.bytes.toString('base64'), type: f.type ?? 'application/octet-stream' }));
  await page.getByTestId(testId).evaluate((el, list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: f.type }));
    el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
}

/**
 * What a person must never read: an HTTP status, raw validation text, literal backticks,
 * a stack, or an internal id (a job id, an upload folder, a token, a full hash).
 */
async function expectNoRawText(page: Page): Promise<void> {
  const text = await page.locator('body').innerText();
  expect(text).not.toMatch(/HTTP \d{3}/);
  expect(text).not.toMatch(/Invalid input for|expected (number|string) to be|Too (small|big)|API_BAD_INPUT/);
  expect(text).not.toContain('`');
  expect(text).not.toMatch(/\n\s+at \S+ \(/);
  expect(text).not.toMatch(/\bjob-[0-9a-z]{6,}-[0-9a-f]{8}\b/);
  expect(text).not.toMatch(/(?<!0x)\b[0-9a-f]{24,}\b/);
}

// The walk a newcomer takes, from `npm run headless` to SIGTERM, in Chromium against the
// real headless app (its anvil chain, its own network node rendering its own jobs).
describe('a newcomer, first hour', () => {
  let app: NpmHeadless;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let jobHash = '';
  let restarted: HeadlessApp | undefined;

  beforeAll(async () => {
    app = await startHeadlessViaNpm({ env: { RAYFARM_MDNS: '0' } });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, acceptDownloads: true });
    // Lets a step send what the form's own checks would stop (helpers/tamper.ts).
    await installTamper(context);
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    if (app && alive(app.nodePid)) process.kill(app.nodePid, 'SIGTERM');
    await restarted?.stop();
  });

  it('is told what happened and how to get in when the address lacks its token or carries a stale one', async () => {
    const bare = await context.newPage();
    await bare.goto(`http://127.0.0.1:${app.port}/`);
    await expect.poll(() => bare.getByTestId('connection-problem').textContent(), { timeout: 30_000 }).toMatch(/no access token.*printed in the terminal/);
    await screenshot(bare, 'newcomer-missing-token');
    await bare.close();

    const stale = await context.newPage();
    await stale.goto(`http://127.0.0.1:${app.port}/?token=${'0'.repeat(48)}`);
    await expect.poll(() => stale.getByTestId('connection-problem').textContent(), { timeout: 30_000 }).toMatch(/no longer accepts.*printed in the terminal/);
    // An upload from that tab is refused in words, not with a bare status.
    const { gltf, bin } = darkScene();
    await dropFiles(stale, 'dropzone', [
      { name: 'dark.gltf', bytes: gltf },
      { name: 'dark.bin', bytes: bin },
    ]);
    await expect.poll(() => stale.getByTestId('import-failed').textContent(), { timeout: 30_000 }).toMatch(/access token/);
    await expectNoRawText(stale);
    await screenshot(stale, 'newcomer-stale-token');
    await stale.close();
  });

  it('opens the printed address, creates a wallet and gets test tokens', async () => {
    expect(readFileSync(app.tokenFile, 'utf8').trim()).toBe(new URL(app.url).searchParams.get('token'));
    await page.goto(app.url);
    // Before any wallet exists nothing offers to unlock one: the Operator view asks to create it.
    await page.getByTestId('nav-operator').click();
    await expect.poll(() => page.getByTestId('operator-status').textContent(), WAIT).toContain('No wallet yet: create or import one');
    expect(await page.locator('body').innerText()).not.toMatch(/\bUnlock\b/);
    expect(await page.getByTestId('wallet-lock-state').count()).toBe(0);
    await screenshot(page, 'newcomer-no-wallet');
    await page.getByTestId('nav-wallet').click();
    await page.getByLabel('Password for this wallet').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create wallet' }).click();
    await page.getByTestId('mnemonic').waitFor();
    const words = await page.getByTestId('mnemonic').locator('li').allTextContents();
    await page.getByRole('button', { name: 'I have written it down' }).click();
    // A wrong word is said to be wrong, next to it.
    const first = (await page.getByTestId('wallet-confirm').locator('label').first().textContent())!;
    await page.getByLabel(first, { exact: true }).fill('zzzzzzzz');
    expect(await page.getByTestId(`word-${first.replace(/\D/g, '')}-error`).textContent()).toMatch(/That is not word #\d+ of your phrase/);
    await screenshot(page, 'newcomer-phrase-check');
    for (const label of await page.getByTestId('wallet-confirm').locator('label').allTextContents()) {
      await page.getByLabel(label, { exact: true }).fill(words[Number(label.replace(/\D/g, '')) - 1]!);
    }
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.getByTestId('wallet-faucet').click();
    await expect.poll(() => page.getByTestId('balance-token').textContent(), { timeout: 30_000 }).toBe('1000');
    await expect.poll(() => page.getByTestId('wallet-lock-state').textContent()).toBe('Wallet unlocked');
    // The faucet is named, and money in carries its sign.
    await expect.poll(() => page.getByTestId('wallet-history').textContent(), { timeout: 30_000 }).toContain('test-token faucet');
    expect(await page.getByTestId('wallet-history-amount').first().textContent()).toMatch(/^\+1,?000 RFT$/);
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-wallet-faucet');
  });

  it('uploads a .gltf with its .bin and is warned, next to the preview, that the scene is nearly black', async () => {
    await page.getByTestId('nav-creator').click();
    // A wrong file first: the answer names what was dropped, not the folder it was staged in.
    await dropFiles(page, 'dropzone', [{ name: 'notes.txt', bytes: Buffer.from('not a scene'), type: 'text/plain' }]);
    await expect.poll(() => page.getByTestId('scene-problems').textContent(), { timeout: 60_000 }).toContain('What you dropped holds no .gltf or .glb file');
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-wrong-file');
    const { gltf, bin } = darkScene();
    // The .gltf alone: a browser user is told to select the scene's files together.
    await dropFiles(page, 'dropzone', [{ name: 'dark.gltf', bytes: gltf, type: 'model/gltf+json' }]);
    await expect.poll(() => page.getByTestId('scene-problems').textContent(), { timeout: 60_000 }).toMatch(/dark\.bin.*is missing.*select all the scene's files \(or drop its folder\)/);
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-missing-bin');
    await dropFiles(page, 'dropzone', [
      { name: 'dark.gltf', bytes: gltf, type: 'model/gltf+json' },
      { name: 'dark.bin', bytes: bin },
    ]);
    await page.getByTestId('scene-summary').waitFor({ timeout: 90_000 });
    // The summary says what it counts and guesses no unit the file does not state.
    const summary = (await page.getByTestId('scene-summary').textContent())!;
    expect(summary).toMatch(/Materials used\s*1/);
    expect(summary).toContain('(file units)');
    expect(summary).not.toMatch(/\d m long|\bmm\b|\bcm\b/);
    await page.getByTestId('scene-preview').locator('img').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('scene-preview').getAttribute('data-exposure'), { timeout: 30_000 }).toBe('dark');
    expect(await page.getByTestId('exposure-warning').textContent()).toMatch(/nearly black \(average brightness \d+ of 255\)/);
    // The preview is then rendered at the size it is shown (device pixels), refined in passes.
    await expect.poll(() => page.getByTestId('scene-preview').getAttribute('data-preview-spp'), { timeout: 90_000 }).toBe('32');
    const shown = await page.getByTestId('scene-preview').evaluate((el) => Math.round(el.clientWidth * window.devicePixelRatio));
    expect(await page.getByTestId('scene-preview').locator('img').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(shown);
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-dark-scene');
  });

  it('sees the time estimated for the operators actually there, as a range, not for ten imagined nodes', async () => {
    await page.getByLabel('Resolution').selectOption('custom');
    await page.getByLabel('Width (px)').fill('64');
    await page.getByLabel('Height (px)').fill('36');
    await page.getByLabel('Samples per pixel').fill('4');
    await expect.poll(() => page.getByTestId('estimate-total').textContent(), { timeout: 60_000 }).toMatch(/RFT/);
    expect(await page.getByTestId('estimate-operators').textContent()).toContain('1 operator seen (this computer)');
    expect(await page.getByTestId('estimate').textContent()).not.toMatch(/nodes/);
    expect(await page.getByTestId('estimate').textContent()).toContain('bench-hours');
    expect(await page.getByTestId('estimate').locator('abbr').getAttribute('title')).toMatch(/A bench-hour \(BH\) is one hour of a computer that scores 100/);
    // Money rounded to what matters, the exact value on hover.
    expect(await page.getByTestId('estimate-fee').textContent()).toMatch(/^(\d+(\.\d{1,4})?|0\.0*[1-9]\d?) RFT$/);
    expect(await page.getByTestId('estimate-fee').getAttribute('title')).toMatch(/^\d+(\.\d+)? RFT exactly$/);
    // With the camera Automatic (this scene has none), every field stays inside its card.
    expect(await page.getByLabel('Camera').inputValue()).toBe('auto');
    const overflow = await page.getByTestId('job-form').evaluate((card) => {
      const edge = card.getBoundingClientRect().right;
      return Array.from(card.querySelectorAll('input, select')).map((el) => el.getBoundingClientRect().right - edge).filter((d) => d > 0);
    });
    expect(overflow).toEqual([]);
    await screenshot(page, 'newcomer-estimate');
  });

  it('cancels the review without leaving a draft behind, and the review warns about the dark frames', async () => {
    await expect.poll(() => page.getByTestId('job-submit').isEnabled(), { timeout: 60_000 }).toBe(true);
    await page.getByTestId('job-submit').click();
    await expect.poll(() => page.getByTestId('confirm-pay').isEnabled(), { timeout: 30_000 }).toBe(true);
    expect(await page.getByTestId('confirm-exposure').textContent()).toMatch(/nearly black/);
    await screenshot(page, 'newcomer-review-dark');
    await page.getByTestId('confirm-cancel').click();
    await page.getByTestId('submit-dialog').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('job-list').textContent()).toContain('No jobs yet');
    expect(await page.getByTestId('job-row').count()).toBe(0);
    await screenshot(page, 'newcomer-cancelled-review');
  });

  it('finds a draft left by a reload, with Pay, Change settings and Delete, and pays it from its page', async () => {
    await page.getByTestId('job-submit').click();
    await expect.poll(() => page.getByTestId('confirm-pay').isEnabled(), { timeout: 30_000 }).toBe(true);
    await page.reload();
    await page.getByTestId('nav-creator').click();
    await expect.poll(() => page.getByTestId('job-row').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('job-row').getAttribute('data-state')).toBe('draft');
    expect(await page.getByTestId('job-scene-name').textContent()).toBe('dark');
    await page.getByTestId('job-row').click();
    await page.getByTestId('draft-note').waitFor();
    for (const id of ['draft-pay', 'draft-edit', 'draft-delete']) expect(await page.getByTestId(id).isVisible()).toBe(true);
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-draft-page');
    // Change settings: the form comes back with the draft's values and the draft leaves the list.
    await page.getByTestId('draft-edit').click();
    await page.getByTestId('job-form').waitFor();
    expect(await page.getByLabel('Width (px)').inputValue()).toBe('64');
    expect(await page.getByLabel('Samples per pixel').inputValue()).toBe('4');
    await expect.poll(() => page.getByTestId('job-row').count(), { timeout: 30_000 }).toBe(0);
    // Priced again and left again (a reload), then paid from the draft's own page.
    await expect.poll(() => page.getByTestId('job-submit').isEnabled(), { timeout: 60_000 }).toBe(true);
    await page.getByTestId('job-submit').click();
    await expect.poll(() => page.getByTestId('confirm-pay').isEnabled(), { timeout: 30_000 }).toBe(true);
    await page.reload();
    await page.getByTestId('nav-creator').click();
    await expect.poll(() => page.getByTestId('job-row').count(), { timeout: 30_000 }).toBe(1);
    await page.getByTestId('job-row').click();
    await page.getByTestId('draft-pay').click();
    await expect.poll(() => page.getByTestId('confirm-pay').isEnabled(), { timeout: 30_000 }).toBe(true);
    await page.getByTestId('confirm-pay').click();
    await page.getByTestId('submit-dialog').waitFor({ state: 'detached', timeout: 60_000 });
    await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state'), { timeout: 30_000 }).not.toBe('draft');
  });

  it('keeps the job in the address: reload, Creator in the sidebar, back and forward', async () => {
    jobHash = new URL(page.url()).hash;
    expect(jobHash).toMatch(/^#creator\/job\/[A-Za-z0-9_-]+$/);
    await page.reload();
    await page.getByTestId('job-page').waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).hash).toBe(jobHash);
    await page.getByTestId('nav-creator').click();
    await page.getByTestId('job-list').waitFor();
    expect(await page.getByTestId('job-page').count()).toBe(0);
    expect(new URL(page.url()).hash).toBe('#creator');
    await page.goBack();
    await page.getByTestId('job-page').waitFor();
    await page.goForward();
    await page.getByTestId('job-list').waitFor();
    await page.goBack();
    await page.getByTestId('job-page').waitFor();
    await screenshot(page, 'newcomer-job-page');
  });

  it('watches the frame arrive, downloads it, and tells its jobs apart by scene and thumbnail', async () => {
    await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state'), { timeout: 150_000, interval: 1000 }).toMatch(/complete|closed/);
    await expect.poll(() => page.getByTestId('frame-cell').locator('img').count(), { timeout: 30_000 }).toBe(1);
    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').click()]);
    const file = join(mkdtempSync(join(tmpdir(), 'rf-newcomer-')), zip.suggestedFilename());
    await zip.saveAs(file);
    expect(readFileSync(file).subarray(0, 2).toString()).toBe('PK');
    // The viewer names the file's real bit depth, not "8/16-bit".
    await page.getByTestId('frame-cell').click();
    await page.getByTestId('viewer-image').waitFor(WAIT);
    expect(await page.getByTestId('frame-viewer').textContent()).toContain('PNG, 8-bit, sRGB');
    expect(await page.getByTestId('frame-viewer').textContent()).not.toContain('8/16');
    await screenshot(page, 'newcomer-frame-viewer');
    await page.getByTestId('frame-viewer').getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('frame-viewer').waitFor({ state: 'detached', timeout: 30_000 });
    await expectNoRawText(page);
    await page.getByTestId('nav-creator').click();
    const row = page.getByTestId('job-row').first();
    expect(await row.getByTestId('job-scene-name').textContent()).toBe('dark');
    await row.locator('.job-thumb img').waitFor();
    await page.getByTestId('job-list').scrollIntoViewIfNeeded();
    await screenshot(page, 'newcomer-job-list');
  });

  it('sees gross, fee and net agree between the Wallet and the Operator view once the pay is redeemed', async () => {
    await page.getByTestId('nav-wallet').click();
    // The node redeems its own voucher when the job ends; the wallet's history shows the split.
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId('wallet-history-fee').count();
        },
        { timeout: 120_000, interval: 3000 },
      )
      .toBeGreaterThan(0);
    // Money out carries its minus sign.
    const funded = page.getByRole('row').filter({ hasText: 'Job funded' }).first();
    expect(await funded.getByTestId('wallet-history-amount').textContent()).toMatch(/^−/);
    const split = await page.getByTestId('wallet-history-fee').first().textContent();
    expect(split).toMatch(/earned − .* fee/);
    await page.getByTestId('wallet-history-fee').first().scrollIntoViewIfNeeded();
    await screenshot(page, 'newcomer-wallet-fee');
    await page.getByTestId('nav-operator').click();
    const line = await page.getByTestId('earnings-redeemed-split').textContent({ timeout: 30_000 });
    expect(line).toMatch(/earned − .*network fee = .*received in\s+your wallet/);
    await page.getByTestId('earnings-redeemed-split').scrollIntoViewIfNeeded();
    await screenshot(page, 'newcomer-operator-earnings');
  });

  it('states in the Operator view that its own jobs render here even when it renders only when away, and runs the benchmark', async () => {
    await page.getByTestId('policy-idle-only').check({ force: true });
    await expect.poll(() => page.getByTestId('operator-own-jobs').textContent(), { timeout: 30_000 }).toMatch(/Your own jobs always render here/);
    // Careless input is answered in words, under the field it concerns.
    await page.getByTestId('policy-idle-minutes').fill('-1');
    await page.getByTestId('policy-idle-minutes').blur();
    expect(await page.getByTestId('policy-idle-minutes-error').textContent()).toBe('Idle minutes must be a whole number from 0 to 1440 (a day).');
    expect(await page.getByTestId('policy-schedule-error').count()).toBe(0);
    // A value the form would stop, sent anyway: the API's refusal is in words, under its own
    // field, and leaves the other field's error where it is.
    await tamper(page, 'operator.policy.set', { maxThreads: 0 }, 'maxThreads');
    await page.getByTestId('policy-threads').fill('2');
    await page.getByTestId('policy-threads').blur();
    expect(await page.getByTestId('policy-threads-error').textContent({ timeout: 30_000 })).toBe('Max CPU threads must be a whole number from 1 to 1024, or empty to use them all.');
    expect(await page.getByTestId('policy-idle-minutes-error').textContent()).toBe('Idle minutes must be a whole number from 0 to 1440 (a day).');
    expect(await page.getByTestId('policy-error').count()).toBe(0);
    await expectNoRawText(page);
    await page.getByTestId('operator-policy').scrollIntoViewIfNeeded();
    await screenshot(page, 'newcomer-api-error-policy');
    await untamper(page, 'operator.policy.set');
    await page.getByTestId('policy-threads').fill('');
    await page.getByTestId('policy-threads').blur();
    await expect.poll(() => page.getByTestId('policy-threads-error').count(), WAIT).toBe(0);
    await page.getByTestId('policy-idle-minutes').fill('5');
    await page.getByTestId('policy-idle-minutes').blur();
    await expect.poll(() => page.getByTestId('policy-idle-minutes-error').count()).toBe(0);
    await page.getByTestId('benchmark-run').click();
    await expect.poll(() => page.getByTestId('benchmark-score').textContent(), { timeout: 180_000 }).toMatch(/^\d+\.\d$/);
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-operator');
  });

  it('reads the Network view without contradictions', async () => {
    await page.getByTestId('nav-network').click();
    const text = await page.getByTestId('network-announcements').textContent({ timeout: 30_000 });
    expect(text).not.toContain('No job announcements heard yet');
    expect(await page.getByTestId('network-peers').textContent()).not.toMatch(/0 connected\)/);
    // Every node here is on 127.0.0.1 and none is a relay: reachable from its own network only, said in words.
    expect(await page.getByTestId('self-reach').getAttribute('data-reach')).toBe('lan');
    expect(await page.getByTestId('self-reach').textContent()).toMatch(/^Own network only no public address is confirmed and no relay slot is held yet/);
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-network');
  });

  it('is told when the wallet locks, and still reads its jobs while paid work is paused', async () => {
    await page.getByTestId('nav-wallet').click();
    await page.getByTestId('wallet-lock').click();
    await page.getByTestId('toast').filter({ hasText: 'The wallet is locked' }).waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('wallet-lock-state').textContent()).toBe('Wallet locked — paid work paused');
    await page.getByTestId('nav-operator').click();
    expect(await page.getByTestId('operator-wallet-locked').textContent({ timeout: 30_000 })).toMatch(/Paid work is paused: the wallet is locked/);
    await screenshot(page, 'newcomer-operator-locked');
    await page.getByTestId('nav-creator').click();
    await page.reload();
    await expect.poll(() => page.getByTestId('job-row').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('job-scene-name').textContent()).toBe('dark');
    await expectNoRawText(page);
    await page.getByTestId('job-list').scrollIntoViewIfNeeded();
    await screenshot(page, 'newcomer-creator-locked');
  });

  it('stops cleanly on SIGTERM to npm run headless, node and anvil included, and the same address works after a restart', async () => {
    // The scene open and priced, so the tab has a "Review and pay" to offer.
    await page.getByTestId('scene-tile').first().click();
    await expect.poll(() => page.getByTestId('job-submit').isEnabled(), { timeout: 60_000 }).toBe(true);
    const children = childrenOf(app.nodePid);
    expect(children.length).toBeGreaterThan(0);
    // npm re-raises the signal on itself once its child is gone, so it ends by SIGTERM, not a code.
    await app.stop();
    await expect.poll(() => alive(app.nodePid), { timeout: 60_000, interval: 250 }).toBe(false);
    for (const pid of children) await expect.poll(() => alive(pid), { timeout: 30_000, interval: 250 }).toBe(false);
    expect(app.stderr()).toContain('rayfarm: stopped.');
    // The open tab says the server is gone, in words.
    await expect.poll(() => page.getByTestId('connection-problem').textContent(), { timeout: 30_000 }).toMatch(/not answering/);
    expect(await page.getByTestId('job-submit').isEnabled()).toBe(false);
    await screenshot(page, 'newcomer-server-stopped');
    // Started again on the same folder and port, the bookmarked address (and this tab) work again.
    restarted = await startHeadless({ dataDir: app.dataDir, args: ['--port', String(app.port)], env: { RAYFARM_MDNS: '0' } });
    expect(restarted.url).toBe(app.url);
    await expect.poll(() => page.getByTestId('connection-state').textContent(), { timeout: 60_000 }).toMatch(/^Connected/);
    expect(await page.getByTestId('connection-problem').count()).toBe(0);
    // A new tab on the restarted server opens the same scene priced from the stored measurement.
    const fresh = await context.newPage();
    await fresh.goto(app.url);
    await fresh.getByTestId('scene-tile').first().click();
    await expect.poll(() => fresh.getByTestId('estimate').getAttribute('data-measured'), { timeout: 60_000 }).toBe('false');
    expect(await fresh.getByTestId('estimate').textContent()).not.toContain('Measuring the scene');
    await screenshot(fresh, 'newcomer-estimate-reused');
    await fresh.close();
    expect(await restarted.stop()).toBe(0);
    restarted = undefined;
  });
});
