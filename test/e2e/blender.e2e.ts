import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../main/core/store';
import { SettingsKeys } from '../../main/core/settings-keys';
import { ANIMATE_CAMERA_PY, BASE_SCENE_PY, blenderPath, makeBlend, sayIfNoBlender, texturedCubePy, writePngPy } from '../helpers/blender';
import { launchBrowser, openView, RESULTS_DIR, screenshot } from '../helpers/browser';
import { startHeadless, tempDataDir } from '../helpers/headless';
import type { HeadlessApp } from '../helpers/headless';
import { connectApi } from '../helpers/ws-api';
import type { WsApi } from '../helpers/ws-api';

const PASSWORD = 'correct horse battery';

/** Drops files on an element the way a person's drag does (a DataTransfer with Files). */
async function dropFiles(page: Page, testId: string, files: { name: string; bytes: Buffer }[]): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, b64: f.bytes.toString('base64') }));
  await page.getByTestId(testId).evaluate((el, list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: 'application/x-blender' }));
    el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
}

// A creator whose Blender cannot be used is told why at the drop, in words (runs with or without Blender).
describe('the Creator view, a .blend where the creator has no usable Blender', () => {
  let app: HeadlessApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const dataDir = tempDataDir('rf-e2e-noblender-');
    const store = openStore(dataDir);
    store.settings.set(SettingsKeys.operatorBlenderPath, '/nonexistent/blender');
    store.close();
    app = await startHeadless({ dataDir, env: { RAYFARM_MDNS: '0' } });
    browser = await launchBrowser();
    page = await openView(browser, app.url, 'creator');
  });

  afterAll(async () => {
    await browser?.close();
    expect(await app?.stop()).toBe(0);
  });

  it('refuses the .blend and says which Blender is missing and how to get one', async () => {
    await dropFiles(page, 'dropzone', [{ name: 'cube.blend', bytes: Buffer.from('BLENDER-v304 not a real scene') }]);
    await page.getByTestId('import-problems').waitFor({ timeout: 60_000 });
    const text = await page.getByTestId('problem-BLENDER_NOT_FOUND').textContent();
    expect(text).toMatch(/The Blender set for this computer cannot be used: There is no Blender at \/nonexistent\/blender\./);
    expect(text).toMatch(/install Blender 3\.0 or newer/);
    expect(await page.getByTestId('scene-summary').count()).toBe(0);
  });

  it("refuses, on the Operator view, a Blender path that is missing or is not Blender, saying why, and keeps the one set", async () => {
    await page.getByTestId('nav-operator').click();
    const field = page.getByTestId('op-blender-path');
    const error = page.getByTestId('op-blender-path-error');
    await field.fill('/nowhere/blender');
    await page.getByTestId('op-blender-use').click();
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toBe('That Blender cannot be used: There is no Blender at /nowhere/blender. The Blender in use is unchanged.');
    // A program that is not Blender (it runs, but never answers as Blender) is not kept either.
    await field.fill('/bin/true');
    await page.getByTestId('op-blender-use').click();
    await expect.poll(async () => (await error.textContent()) ?? '', { timeout: 60_000 }).toMatch(/^That Blender cannot be used: .+ The Blender in use is unchanged\.$/s);
    expect(await page.getByTestId('op-blender-saved').count()).toBe(0);
    const api = await connectApi(app.url);
    try {
      await expect(api.call('operator.blender.set', { path: '/bin/true' })).rejects.toMatchObject({ code: expect.stringMatching(/^BLENDER_/) });
    } finally {
      api.close();
    }
    // The Blender set before is still the one used: a drop still names it.
    await page.getByTestId('nav-creator').click();
    await page.reload();
    await page.getByTestId('nav-creator').click();
    await dropFiles(page, 'dropzone', [{ name: 'cube.blend', bytes: Buffer.from('BLENDER-v304 not a real scene') }]);
    await page.getByTestId('problem-BLENDER_NOT_FOUND').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('problem-BLENDER_NOT_FOUND').textContent()).toMatch(/There is no Blender at \/nonexistent\/blender\./);
  });
});

sayIfNoBlender('the .blend Creator view end-to-end test');

// A .blend through the real UI with the creator's own Blender: refused with its missing texture
// named, or imported with what Blender found, the form on the file's settings, priced, paid,
// and its frames rendered by this node's own worker with Blender (a network of one).
describe.skipIf(!blenderPath)('the Creator view, a .blend to verified frames', () => {
  let app: HeadlessApp;
  let api: WsApi;
  let browser: Browser;
  let page: Page;
  const dir = mkdtempSync(join(tmpdir(), 'rf-e2e-blend-'));

  beforeAll(async () => {
    const missing = join(dir, 'missing');
    mkdirSync(missing);
    makeBlend(join(missing, 'missing.blend'), `${BASE_SCENE_PY}${writePngPy(join(missing, 'wood.png'))}${texturedCubePy(join(missing, 'wood.png'), 'Table')}\nimport os\nos.remove(${JSON.stringify(join(missing, 'wood.png'))})\n`);
    // The animated camera over frames 1–4 and a texture packed into the file.
    makeBlend(join(dir, 'cube.blend'), `${BASE_SCENE_PY}${ANIMATE_CAMERA_PY}${writePngPy(join(dir, 'checker.png'))}${texturedCubePy(join(dir, 'checker.png'), 'Checker')}\nbpy.ops.file.pack_all()\n`);
    app = await startHeadless({ env: { RAYFARM_MDNS: '0', RAYFARM_BLENDER: '1' } });
    api = await connectApi(app.url);
    await api.call('wallet.create', { password: PASSWORD });
    await api.call('wallet.faucet');
    browser = await launchBrowser();
    page = await openView(browser, app.url, 'creator', { height: 1100 });
  });

  afterAll(async () => {
    await browser?.close();
    api?.close();
    expect(await app?.stop()).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a .blend whose texture is missing, naming the file and its material, beside what Blender found', async () => {
    await dropFiles(page, 'dropzone', [{ name: 'missing.blend', bytes: readFileSync(join(dir, 'missing', 'missing.blend')) }]);
    await page.getByTestId('import-problems').waitFor({ timeout: 120_000 });
    const problem = page.getByTestId('problem-SCENE_MISSING_FILE');
    expect(await problem.textContent()).toMatch(/"wood\.png" used by material "Table" is missing/);
    expect(await problem.getByTestId('problem-subject').textContent()).toContain('wood.png');
    // Named as the person dropped it, not by the random folder the upload was staged in.
    expect(await problem.textContent()).not.toContain('/uploads/');
    expect(await page.getByTestId('blend-engine').textContent()).toBe('Cycles');
    expect(await page.getByTestId('blend-file').getAttribute('data-state')).toBe('missing');
    expect(await page.getByTestId('scene-summary').count()).toBe(0);
    await screenshot(page, 'blender-import-missing-texture');
  });

  it("imports a .blend, shows what Blender found and offers the file's frames, size and samples", async () => {
    await dropFiles(page, 'dropzone', [{ name: 'cube.blend', bytes: readFileSync(join(dir, 'cube.blend')) }]);
    const card = page.locator('[data-testid="scene-summary"][data-kind="blender"]');
    await card.waitFor({ timeout: 180_000 });
    expect(await page.getByTestId('scene-kind').textContent()).toBe('Blender scene (.blend)');
    expect(await page.getByTestId('blend-version').textContent()).toMatch(/saved with \d+\.\d+; checked with \d+\.\d+\.\d+ \(operators render it with blender-cycles\/\d+\.\d+\)/);
    expect(await page.getByTestId('blend-engine').textContent()).toBe('Cycles');
    expect(await page.getByTestId('blend-frames').textContent()).toMatch(/^1–4 at 24 fps$/);
    expect(await page.getByTestId('blend-resolution').textContent()).toContain('64 × 48 px (100 %');
    expect(await page.getByTestId('blend-samples').textContent()).toBe('8');
    expect(await page.getByTestId('blend-cameras').textContent()).toBe('Camera (active: Camera)');
    expect(await page.getByTestId('blend-file').getAttribute('data-state')).toBe('packed');
    expect(await page.getByTestId('blend-denoiser').textContent()).toMatch(/available|built without OpenImageDenoise/);
    // Blender's own preview of frame 1.
    await page.getByTestId('scene-preview').locator('img').waitFor({ timeout: 30_000 });
    await card.screenshot({ path: join(RESULTS_DIR, 'blender-summary-card.png') });
    // The job form starts from the file; the glTF engine's world light is not offered.
    expect(await page.getByLabel('Resolution').inputValue()).toBe('custom');
    expect(await page.getByLabel('Width (px)').inputValue()).toBe('64');
    expect(await page.getByLabel('Height (px)').inputValue()).toBe('48');
    expect(await page.getByLabel('Samples per pixel').inputValue()).toBe('8');
    expect(await page.getByLabel('First frame').inputValue()).toBe('1');
    expect(await page.getByLabel('Last frame').inputValue()).toBe('4');
    expect(await page.getByLabel('World light').count()).toBe(0);
    expect(await page.getByTestId('job-blend-camera').textContent()).toContain('Camera');
    // Denoising is off, and refused in words when this Blender cannot do it.
    expect(await page.getByLabel('Denoise frames after verification').isDisabled()).toBe(true);
    expect(await page.getByTestId('job-denoise-why').textContent()).toMatch(/this Blender was built without OpenImageDenoise|Not in the app yet/);
    await expect.poll(() => page.getByTestId('estimate-total').textContent(), { timeout: 180_000 }).toMatch(/RFT/);
    expect(await page.getByTestId('estimate').textContent()).toContain('4 (4 frames)');
    await page.getByTestId('job-form').screenshot({ path: join(RESULTS_DIR, 'blender-job-form.png') });
    await screenshot(page, 'blender-creator');
  });

  it('pays for the job and its four frames land on the job page as they are verified', async () => {
    await expect.poll(() => page.getByTestId('job-submit').isEnabled(), { timeout: 60_000 }).toBe(true);
    await page.getByTestId('job-submit').click();
    await expect.poll(() => page.getByTestId('confirm-pay').isEnabled(), { timeout: 30_000 }).toBe(true);
    await page.getByTestId('confirm-pay').click();
    await page.getByTestId('job-page').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('frame-cell').count(), { timeout: 30_000 }).toBe(4);
    await expect
      .poll(async () => (await page.getByTestId('frame-cell').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).filter((s) => s === 'done').length, { timeout: 300_000, interval: 1000 })
      .toBe(4);
    await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state'), { timeout: 60_000 }).toMatch(/complete|closed/);
    const [job] = await api.call<{ accepted: number; rejected: number }[]>('jobs.list');
    expect(job!.accepted).toBe(4);
    expect(job!.rejected).toBe(0);
    await screenshot(page, 'blender-job-complete');
  });

  it("shows this node's Blender with its Cycles score on the Operator view's hardware card", async () => {
    await page.getByTestId('nav-operator').click();
    const cycles = page.getByTestId('hw-cycles');
    await expect.poll(() => cycles.getAttribute('data-score'), { timeout: 120_000 }).toMatch(/^\d+(\.\d+)?$/);
    expect(await cycles.textContent()).toMatch(/^Cycles score \d+\.\d on the CPU \(\d+ threads, Blender \d+\.\d+\.\d+\); it prices this node's Blender work\. .*only the CPU is measured\.$/i);
    await screenshot(page, 'blender-operator-hardware');
  });

  it('takes a Blender path typed on the Operator view once it has checked it', async () => {
    await page.getByTestId('op-blender-path').fill(blenderPath!);
    await page.getByTestId('op-blender-use').click();
    await page.getByTestId('op-blender-saved').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('op-blender-saved').textContent()).toMatch(/^Using \/.+\.$/);
    expect(await page.getByTestId('hw-blender').textContent()).toMatch(/^Blender: \d+\.\d+\.\d+ — takes blender-cycles\/\d+\.\d+ jobs on CPU/);
    const hw = await api.call<{ blender: { path: string } | null }>('operator.hardware');
    expect(hw.blender?.path).toMatch(/blender/);
  });
});
