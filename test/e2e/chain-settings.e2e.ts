import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openView } from '../helpers/browser';
import { startHeadless } from '../helpers/headless';
import type { HeadlessApp } from '../helpers/headless';
import { connectApi } from '../helpers/ws-api';

// The payment network chooser (Wallet view, settings card) against the headless app and its
// embedded anvil chain: what cannot work is refused in words before anything is saved.
describe('the payment network chooser', () => {
  let app: HeadlessApp;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    app = await startHeadless();
    browser = await launchBrowser();
    page = await openView(browser, app.url, 'wallet', { height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    expect(await app?.stop()).toBe(0);
  });

  it('lists the presets, starts on the dev chain and refuses a public preset whose contracts are not deployed', async () => {
    await expect.poll(() => page.getByTestId('wallet-chain').textContent(), { timeout: 60_000 }).toContain('Embedded dev chain');
    const select = page.getByLabel('Network');
    expect(await select.inputValue()).toBe('dev');
    expect(await select.locator('option').allTextContents()).toEqual(['Dev chain (embedded)', 'Base Sepolia (test network) (not deployed)', 'Base (not deployed)', 'Custom']);
    await select.selectOption('base-sepolia');
    expect(await page.getByTestId('chain-preset-note').textContent()).toContain('Chain id 84532');
    await page.getByRole('button', { name: 'Use this network' }).click();
    await expect.poll(() => page.getByTestId('chain-error').textContent()).toContain("Rayfarm's contracts are not deployed on Base Sepolia");
  });

  it('refuses a custom network on the wrong chain id, then one without the contract, naming what is wrong', async () => {
    const api = await connectApi(app.url);
    const { rpcUrl } = await api.call<{ rpcUrl: string }>('wallet.chain');
    api.close();
    await page.getByLabel('Network').selectOption('custom');
    await page.getByLabel('RPC URL').fill(rpcUrl);
    await page.getByLabel('Chain id').fill('8453');
    await page.getByLabel('Token address').fill('0x' + '1'.repeat(40));
    await page.getByLabel('Escrow address').fill('0x' + '2'.repeat(40));
    await page.getByRole('button', { name: 'Use this network' }).click();
    await expect.poll(() => page.getByTestId('chain-error').textContent()).toContain('is chain 31337, but the settings say chain 8453');
    await page.getByLabel('Chain id').fill('31337');
    await page.getByRole('button', { name: 'Use this network' }).click();
    await expect.poll(() => page.getByTestId('chain-error').textContent()).toContain('There is no token contract at');
  });

  it('saves the dev chain again, in use now', async () => {
    await page.getByLabel('Network').selectOption('dev');
    await page.getByRole('button', { name: 'Use this network' }).click();
    await expect.poll(() => page.getByTestId('chain-saved').textContent()).toContain('This is the network in use');
  });
});
