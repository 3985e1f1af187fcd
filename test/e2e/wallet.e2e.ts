import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openView, screenshot } from '../helpers/browser';
import { startHeadless } from '../helpers/headless';
import type { HeadlessApp } from '../helpers/headless';

// The Wallet view against the headless form with its embedded anvil dev chain.
describe('the Wallet view', () => {
  let app: HeadlessApp;
  let browser: Browser;
  let page: Page;
  const password = 'correct horse battery';

  beforeAll(async () => {
    app = await startHeadless();
    browser = await launchBrowser();
    page = await openView(browser, app.url, 'wallet', { height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    expect(await app?.stop()).toBe(0);
  });

  it('creates a wallet, shows the phrase once and asks for two of its words back', async () => {
    await page.getByTestId('wallet-setup').waitFor();
    await expect.poll(() => page.getByTestId('wallet-chain').textContent()).toContain('Embedded dev chain');
    await page.getByLabel('Password for this wallet').fill(password);
    await page.getByLabel('Repeat the password').fill('different');
    expect(await page.getByText('The two passwords differ.').isVisible()).toBe(true);
    await page.getByLabel('Repeat the password').fill(password);
    await page.getByRole('button', { name: 'Create wallet' }).click();
    await page.getByTestId('mnemonic').waitFor();
    const words = await page.getByTestId('mnemonic').locator('li').allTextContents();
    expect(words).toHaveLength(12);
    await screenshot(page, 'wallet-recovery-phrase');
    await page.getByRole('button', { name: 'I have written it down' }).click();
    const finish = page.getByRole('button', { name: 'Finish' });
    expect(await finish.isDisabled()).toBe(true);
    for (const label of await page.getByTestId('wallet-confirm').locator('label').allTextContents()) {
      const n = Number(label.replace(/\D/g, ''));
      await page.getByLabel(label).fill(words[n - 1]!);
    }
    await finish.click();
    await page.getByTestId('wallet-address').waitFor();
    expect(await page.getByTestId('wallet-address-text').textContent()).toMatch(/^0x[0-9a-fA-F]{40}$/);
  });

  it('gets test tokens from the dev faucet', async () => {
    await expect.poll(() => page.getByTestId('balance-token').textContent()).toBe('0');
    await page.getByTestId('wallet-faucet').click();
    await expect.poll(() => page.getByTestId('balance-token').textContent(), { timeout: 30_000 }).toBe('1000');
  });

  it('explains a bad address and an amount above the balance next to their fields', async () => {
    await page.getByLabel('To address').fill('0x1234');
    await expect.poll(() => page.getByTestId('send-to-error').textContent()).toContain('40 hexadecimal');
    await page.getByLabel('To address').fill('0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
    await page.getByLabel('Amount (tokens)').fill('5000');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByTestId('send-amount-error').textContent()).toContain('Not enough tokens');
    await screenshot(page, 'wallet-send-error');
  });

  it('sends tokens and lists the transfer in the history', async () => {
    await page.getByLabel('Amount (tokens)').fill('12.5');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('send-ok').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('balance-token').textContent()).toBe('987.5');
    await expect.poll(() => page.getByTestId('wallet-history').textContent()).toContain('Sent');
    expect(await page.getByTestId('wallet-history').textContent()).toContain('12.5');
    await screenshot(page, 'wallet-unlocked');
  });

  it('locks, refuses a wrong password with a clear message, and unlocks', async () => {
    await page.getByTestId('wallet-lock').click();
    await page.getByTestId('wallet-unlock').waitFor();
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await expect.poll(() => page.getByTestId('wallet-unlock').textContent()).toMatch(/password/i);
    await screenshot(page, 'wallet-wrong-password');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByTestId('wallet-address').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('balance-token').textContent()).toBe('987.5');
  });
});
