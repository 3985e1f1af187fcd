import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openView, screenshot } from '../helpers/browser';
import { startHeadless } from '../helpers/headless';
import type { HeadlessApp } from '../helpers/headless';

const ROOT = resolve(import.meta.dirname, '../..');

/** Drops files on an element the way a person's drag does (a DataTransfer with Files). */
async function dropGlb(page: Page, name: string): Promise<void> {
  const b64 = readFileSync(join(ROOT, 'resources/scenes', name)).toString('base64');
  await page.getByTestId('dropzone').evaluate(
    (el, f) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0))], f.name, { type: 'model/gltf-binary' }));
      el.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { name, b64 },
  );
}

// The world light a scene gets, as the creator sees it: the summary says which and why, the
// preview shows it, and the job form lets them change it.
describe('the world light in the Creator view', () => {
  let app: HeadlessApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startHeadless({ env: { RAYFARM_MDNS: '0' } });
    browser = await launchBrowser();
    page = await openView(browser, app.url, 'creator');
  });

  afterAll(async () => {
    await browser?.close();
    expect(await app?.stop()).toBe(0);
  });

  it('lights a model with only a small emissive badge with the studio, says why, and its preview is not dark', async () => {
    await dropGlb(page, 'emissive-only.glb');
    await page.getByTestId('scene-summary').waitFor({ timeout: 90_000 });
    await expect.poll(() => page.getByTestId('scene-environment').getAttribute('data-kind'), { timeout: 30_000 }).toBe('studio');
    expect(await page.getByTestId('scene-environment').textContent()).toMatch(/Studio environment — the scene has no lights, and its emissive surfaces alone would leave the frame dark \(predicted brightness \d+ of 255, below 16\)/);
    await page.getByTestId('scene-preview').locator('img').waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('scene-preview').getAttribute('data-exposure'), { timeout: 30_000 }).toBe('ok');
    expect(await page.getByTestId('exposure-warning').count()).toBe(0);
    expect(await page.getByLabel('World light').locator('option').first().textContent()).toBe('Automatic (studio environment)');
    await screenshot(page, 'environment-emissive-only');
  });

  it('lights a scene with its own HDRI, offers the map in the job form, and prices the other choices', async () => {
    await page.getByRole('button', { name: '← Another scene' }).click();
    await dropGlb(page, 'hdri.glb');
    await expect.poll(() => page.getByTestId('scene-environment').getAttribute('data-kind'), { timeout: 90_000 }).toBe('hdri');
    expect(await page.getByTestId('scene-environment').textContent()).toContain('Environment map — the scene comes with its own environment map');
    await page.getByTestId('scene-preview').locator('img').waitFor({ timeout: 60_000 });
    // The extension is Rayfarm's own: no warning that it renders without it.
    expect(await page.getByTestId('import-problems').count()).toBe(0);
    const options = await page.getByLabel('World light').locator('option').allTextContents();
    expect(options).toContain('Environment map sky.hdr (256×128)');
    // Each choice is a spec the API accepts (the estimate follows it), and the preview renders with it.
    const choices: [string, string][] = [
      ["None (the scene's own lights only)", 'none'],
      ['Environment map sky.hdr (256×128)', 'hdri'],
      ['Uniform colour', 'color'],
    ];
    for (const [label, kind] of choices) {
      await page.getByLabel('World light').selectOption({ label });
      await expect.poll(() => page.getByTestId('scene-preview').getAttribute('data-preview-environment'), { timeout: 60_000 }).toBe(kind);
      await expect.poll(() => page.getByTestId('estimate-total').textContent(), { timeout: 60_000 }).toMatch(/RFT/);
      if (kind === 'none') await screenshot(page, 'environment-hdri-scene-without-world-light');
    }
    expect(await page.getByLabel('World colour').count()).toBe(1);
    await page.getByLabel('World light').selectOption({ label: 'Environment map sky.hdr (256×128)' });
    await expect.poll(() => page.getByTestId('scene-preview').getAttribute('data-preview-environment'), { timeout: 60_000 }).toBe('hdri');
    await screenshot(page, 'environment-hdri');
  });
});
