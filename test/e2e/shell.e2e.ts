import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot } from '../helpers/browser';
import { startHeadless } from '../helpers/headless';
import type { HeadlessApp } from '../helpers/headless';

describe('the UI shell in Chromium against the headless form', () => {
  let app: HeadlessApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startHeadless();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterAll(async () => {
    await browser?.close();
    const code = await app?.stop();
    expect(code).toBe(0);
  });

  it('connects with the token and shows the status bar from the real API', async () => {
    await page.goto(app.url);
    await expect.poll(() => page.getByTestId('connection-state').textContent()).toContain('Connected');
    await expect.poll(() => page.getByTestId('data-dir').textContent()).toBe(app.dataDir);
    expect(await page.getByTestId('schema-version').textContent()).toMatch(/^schema v\d+$/);
    expect(await page.getByTestId('app-version').textContent()).toMatch(/^Rayfarm \d+\.\d+\.\d+/);
  });

  for (const mode of ['creator', 'operator', 'wallet', 'network'] as const) {
    it(`shows the ${mode} mode`, async () => {
      await page.getByTestId(`nav-${mode}`).click();
      await page.getByTestId(`view-${mode}`).waitFor();
      expect(await page.getByTestId(`nav-${mode}`).getAttribute('aria-current')).toBe('page');
      await screenshot(page, `shell-${mode}`);
    });
  }

  it('switches to the dark theme and remembers it across a reload', async () => {
    await page.getByRole('radio', { name: 'Dark theme' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.reload();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await screenshot(page, 'shell-dark-theme');
    await page.getByRole('radio', { name: 'Follow the system theme' }).click();
  });

  it('imports a sample scene with one click from the Creator view', async () => {
    await page.getByTestId('nav-creator').click();
    await page.getByTestId('samples').getByRole('button', { name: 'Cornell box' }).click();
    await page.getByTestId('scene-summary').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('scene-name').textContent()).toMatch(/Cornell/i);
    await screenshot(page, 'creator-sample-scene');
  });

  it('shows a clear message when the token is wrong', async () => {
    const bad = await browser.newPage();
    await bad.goto(app.url.replace(/token=\w+/, 'token=wrong'));
    await expect.poll(() => bad.getByTestId('connection-state').textContent()).toContain('Disconnected');
    // What happened and how to get in, not "is it still running?" while it is.
    await expect.poll(() => bad.getByTestId('connection-problem').textContent()).toMatch(/no longer accepts.*Open the address printed in the terminal/);
    await bad.close();
  });
});
