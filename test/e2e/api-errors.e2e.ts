import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../main/core/store';
import { launchBrowser, screenshot } from '../helpers/browser';
import { startHeadless } from '../helpers/headless';
import { installTamper, tamper, untamper } from '../helpers/tamper';
import type { HeadlessApp } from '../helpers/headless';

const PASSWORD = 'correct horse battery';
const WAIT = { timeout: 30_000 };

/**
 * What a person must never read when the API refuses a value: zod's own words, schema
 * paths, error codes, call names.
 */
async function expectNoRawText(page: Page): Promise<void> {
  const text = await page.locator('body').innerText();
  expect(text).not.toMatch(/Invalid (input|option|type)|Too (small|big)|\bexpected (number|string|boolean|one of)/);
  expect(text).not.toMatch(/\b(spec|frames|tiles)\.[a-z]/);
  expect(text).not.toMatch(/\b[A-Z]{3,}_[A-Z_]{3,}\b/);
  expect(text).not.toMatch(/\b(wallet|creator|operator|jobs)\.[a-z]+(\.[a-z]+)?\b/i);
}

/** The words under one field, once shown. */
async function errorUnder(page: Page, testId: string): Promise<string> {
  await page.getByTestId(testId).waitFor(WAIT);
  return (await page.getByTestId(testId).textContent())!;
}

// Values the form's own checks would stop, sent anyway: a script in the page rewrites the input
// of chosen calls as its WebSocket sends them to the real headless server (helpers/tamper.ts).
// Each refusal must come back under the field it concerns, in words.
describe('every API refusal shown in a form is in words, under its own field', () => {
  let app: HeadlessApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    app = await startHeadless({ env: { RAYFARM_MDNS: '0' } });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    await installTamper(context);
    page = await context.newPage();
    await page.goto(app.url);
  });

  afterAll(async () => {
    await browser?.close();
    expect(await app?.stop()).toBe(0);
  });

  it('wallet set-up: a refused password, import kind and recovery phrase each under their field', async () => {
    await page.getByTestId('nav-wallet').click();
    await page.getByTestId('wallet-setup').waitFor(WAIT);
    await tamper(page, 'wallet.create', { password: '' });
    await page.getByLabel('Password for this wallet').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create wallet' }).click();
    expect(await errorUnder(page, 'wallet-password-error')).toBe('Choose a password of 8 to 1024 characters.');
    expect(await page.getByTestId('wallet-setup-error').count()).toBe(0);
    await expectNoRawText(page);
    await untamper(page, 'wallet.create');

    await page.getByRole('tab', { name: 'Import a wallet' }).click();
    // A kind the form does not offer, and a password the API refuses, from one answer: each under its own field.
    await tamper(page, 'wallet.import', { kind: 'seed', password: 'x'.repeat(2000) });
    await page.getByLabel('Recovery phrase').fill('abandon abandon abandon');
    await page.getByLabel('Password for this wallet').fill(PASSWORD);
    await page.getByRole('button', { name: 'Import wallet' }).click();
    expect(await errorUnder(page, 'import-kind-error')).toBe('Pick what you have: a recovery phrase, a private key or a keystore file.');
    expect(await errorUnder(page, 'wallet-password-error')).toBe('Type a password of at most 1024 characters.');
    await untamper(page, 'wallet.import');
    // Untouched, the core's own refusal (already in words) lands under the phrase.
    await page.getByRole('button', { name: 'Import wallet' }).click();
    expect(await errorUnder(page, 'import-secret-error')).toMatch(/not a valid BIP-39 recovery phrase/);
    await expect.poll(() => page.getByTestId('import-kind-error').count(), WAIT).toBe(0);
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-api-errors-wallet');

    // A real wallet for what follows.
    await page.getByRole('tab', { name: 'Create a new wallet' }).click();
    await page.getByLabel('Password for this wallet').fill(PASSWORD);
    await page.getByLabel('Repeat the password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create wallet' }).click();
    await page.getByTestId('mnemonic').waitFor(WAIT);
    const words = await page.getByTestId('mnemonic').locator('li').allTextContents();
    await page.getByRole('button', { name: 'I have written it down' }).click();
    for (const label of await page.getByTestId('wallet-confirm').locator('label').allTextContents()) {
      await page.getByLabel(label, { exact: true }).fill(words[Number(label.replace(/\D/g, '')) - 1]!);
    }
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.getByTestId('wallet-faucet').click();
    await expect.poll(() => page.getByTestId('balance-token').textContent(), WAIT).toBe('1000');
  });

  it('send: the address and the amount refused in one answer, each under its field; the checksum in the core’s words', async () => {
    await tamper(page, 'wallet.send', { to: 'x'.repeat(101), amount: '' });
    await page.getByLabel('To address').fill('0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
    await page.getByLabel('Amount (tokens)').fill('1');
    await page.getByTestId('wallet-send').getByRole('button', { name: 'Send' }).click();
    expect(await errorUnder(page, 'send-to-error')).toBe('An address is 0x followed by 40 hexadecimal characters.');
    expect(await errorUnder(page, 'send-amount-error')).toBe('Type an amount such as 12 or 0.5.');
    expect(await page.getByTestId('send-error').count()).toBe(0);
    await untamper(page, 'wallet.send');
    // A wrong checksum passes the form's pattern; the core refuses it, under the address only.
    await page.getByLabel('To address').fill('0x70997970c51812dc3a010c7d01b50e0d17dc79C8');
    await page.getByTestId('wallet-send').getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByTestId('send-to-error').textContent(), WAIT).toMatch(/not a valid address/);
    await expect.poll(() => page.getByTestId('send-amount-error').count(), WAIT).toBe(0);
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-api-errors-send');
  });

  it('unlock: a refused and a wrong password under the password field', async () => {
    await page.getByTestId('wallet-lock').click();
    await page.getByTestId('wallet-unlock').waitFor(WAIT);
    await tamper(page, 'wallet.unlock', { password: '' });
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    expect(await errorUnder(page, 'unlock-password-error')).toBe('Type the wallet password (at most 1024 characters).');
    await untamper(page, 'wallet.unlock');
    await page.getByLabel('Password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await expect.poll(() => page.getByTestId('unlock-password-error').textContent(), WAIT).toBe('Wrong wallet password.');
    expect(await page.getByTestId('unlock-error').count()).toBe(0);
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-api-errors-unlock');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByTestId('wallet-unlock').waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('render settings: samples and a hidden width refused by the estimate show under Samples per pixel and Resolution', async () => {
    await tamper(page, 'creator.estimate', { spec: { spp: 0, width: 5 } });
    await page.getByTestId('nav-creator').click();
    await page.getByTestId('samples').getByRole('button', { name: 'Cornell box' }).click();
    await page.getByTestId('job-form').waitFor({ timeout: 90_000 });
    expect(await errorUnder(page, 'job-spp-error')).toBe('Samples per pixel must be a whole number from 1 to 65536.');
    // The width field is hidden behind the preset: its refusal shows under Resolution.
    expect(await errorUnder(page, 'job-preset-error')).toBe('The width must be a whole number of pixels from 16 to 16384.');
    expect(await page.getByTestId('estimate').textContent()).toContain('Fix the fields above to see the price.');
    expect(await page.getByTestId('job-submit').isDisabled()).toBe(true);
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-api-errors-job-form');
    await untamper(page, 'creator.estimate');
    // Editing the field forgets the API's refusal of it; the estimate then comes.
    await page.getByLabel('Samples per pixel').fill('8');
    await expect.poll(() => page.getByTestId('job-spp-error').count(), WAIT).toBe(0);
    await expect.poll(() => page.getByTestId('estimate-total').textContent(), { timeout: 90_000 }).toMatch(/RFT/);
    // Refused when the draft is priced (Review and pay): the dialog closes and the form says which field.
    await tamper(page, 'jobs.create', { spec: { tiles: { x: 0 } } });
    await expect.poll(() => page.getByTestId('job-submit').isEnabled(), { timeout: 60_000 }).toBe(true);
    await page.getByTestId('job-submit').click();
    expect(await errorUnder(page, 'job-tilesX-error')).toBe('Tiles across must be a whole number from 1 to 64.');
    expect(await page.getByTestId('submit-dialog').count()).toBe(0);
    expect(await page.getByTestId('job-submit').isDisabled()).toBe(true);
    await untamper(page, 'jobs.create');
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-api-errors-review');
    await page.getByLabel('Tiles across').fill('2');
    await expect.poll(() => page.getByTestId('job-tilesX-error').count(), WAIT).toBe(0);
  });

  it('operator: a refused idle time and a bad thread count show side by side; the unpaid-work limit under its own field', async () => {
    await page.getByTestId('nav-operator').click();
    await page.getByTestId('policy-idle-only').check({ force: true });
    await expect.poll(() => page.getByTestId('policy-idle-minutes').isEnabled(), WAIT).toBe(true);
    // The form's own check of one field...
    await page.getByTestId('policy-threads').fill('0');
    await page.getByTestId('policy-threads').blur();
    expect(await errorUnder(page, 'policy-threads-error')).toBe('Max CPU threads must be a whole number from 1 to 1024, or empty to use them all.');
    // ...is not replaced by the API's refusal of another.
    await tamper(page, 'operator.policy.set', { idleMinutes: -1 }, 'idleMinutes');
    await page.getByTestId('policy-idle-minutes').fill('7');
    await page.getByTestId('policy-idle-minutes').blur();
    expect(await errorUnder(page, 'policy-idle-minutes-error')).toBe('Idle minutes must be a whole number from 0 to 1440 (a day).');
    expect(await page.getByTestId('policy-threads-error').textContent()).toBe('Max CPU threads must be a whole number from 1 to 1024, or empty to use them all.');
    expect(await page.getByTestId('policy-error').count()).toBe(0);
    await untamper(page, 'operator.policy.set');

    await tamper(page, 'operator.payments.maxUnpaid', { maxUnpaid: '-1' });
    await page.getByTestId('op-max-unpaid').fill('3');
    await page.getByTestId('op-max-unpaid').press('Enter');
    expect(await errorUnder(page, 'op-max-unpaid-error')).toMatch(/^Type an amount of RFT above 0/);
    expect(await page.getByTestId('policy-idle-minutes-error').count()).toBe(1);
    await expectNoRawText(page);
    await page.getByTestId('operator-payments').scrollIntoViewIfNeeded();
    await screenshot(page, 'newcomer-api-errors-operator');
    await untamper(page, 'operator.payments.maxUnpaid');
    await page.getByTestId('op-max-unpaid').fill('2.5');
    await page.getByTestId('op-max-unpaid').press('Enter');
    await expect.poll(() => page.getByTestId('op-max-unpaid-saved').textContent(), WAIT).toBe('Saved: 2.5 RFT per job.');
    expect(await page.getByTestId('op-max-unpaid-error').count()).toBe(0);
  });

  it('task history filter and peer address: refusals under the filter and the address field', async () => {
    await tamper(page, 'operator.history', { jobId: 'x'.repeat(300) });
    await page.getByTestId('history-filter-job').fill('abc');
    expect(await errorUnder(page, 'history-filter-job-error')).toBe('Type part of a job name or id (at most 200 characters).');
    await untamper(page, 'operator.history');
    await page.getByTestId('history-filter-job').fill('');
    await expect.poll(() => page.getByTestId('history-filter-job-error').count(), WAIT).toBe(0);

    await page.getByTestId('nav-network').click();
    await tamper(page, 'network.connect', { addr: '/'.repeat(400) });
    await page.getByLabel('Peer address').fill('/ip4/127.0.0.1/tcp/1/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo');
    await page.getByRole('button', { name: 'Connect' }).click();
    expect(await errorUnder(page, 'peer-addr-error')).toMatch(/^Type the peer's full address \(at most 300 characters\)/);
    expect(await page.getByTestId('peer-connect-error').count()).toBe(0);
    await untamper(page, 'network.connect');
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-api-errors-network');
  });

  it('upload: a refused upload is said at the drop zone, without the folder id', async () => {
    await page.getByTestId('nav-creator').click();
    await page.getByRole('button', { name: '← Another scene' }).click();
    await page.getByTestId('dropzone').waitFor(WAIT);
    await tamper(page, 'creator.importScene', { uploadId: 'not an id!' });
    await page.getByTestId('dropzone').evaluate((el) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new TextEncoder().encode('{"asset":{"version":"2.0"}}')], 'empty.gltf', { type: 'model/gltf+json' }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    expect(await errorUnder(page, 'import-failed')).toBe("The scene's files did not reach Rayfarm as they should. Drop the scene's files (or its folder) again.");
    await untamper(page, 'creator.importScene');
    await expectNoRawText(page);
    await screenshot(page, 'newcomer-api-errors-upload');
  });

  it('operator: a creator stopped for not paying is explained, with what resuming risks, and the button resumes it', async () => {
    // The stop as the operator records it when a creator withholds a voucher (the adversarial
    // suite makes a real one); written into the stopped app's data folder, read at its next start.
    const { dataDir, port } = app;
    expect(await app.stop()).toBe(0);
    const store = openStore(dataDir);
    store.settings.set('operator.paymentStops', { '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo': { reason: 'it sent no voucher for a task it accepted', at: Date.now() } });
    store.close();
    app = await startHeadless({ dataDir, args: ['--port', String(port)], env: { RAYFARM_MDNS: '0' } });
    await page.reload();
    await page.getByTestId('nav-wallet').click();
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Unlock', exact: true }).click();
    await page.getByTestId('wallet-unlock').waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByTestId('nav-operator').click();
    const stop = page.getByTestId('operator-payment-stop');
    await stop.waitFor({ timeout: 60_000 });
    expect(await stop.textContent()).toMatch(/Stopped working for creator …[A-Za-z0-9]{8}/);
    expect(await stop.textContent()).toMatch(/did not pay as promised: it sent no voucher/);
    // What resuming risks, with the limit set earlier.
    expect(await stop.textContent()).toMatch(/up to the unpaid-work limit \(2\.5 RFT per job\) is rendered for nothing/);
    expect(await page.getByTestId('operator-stops-note').textContent()).toMatch(/stopped working for a creator/);
    await expectNoRawText(page);
    await page.getByTestId('operator-payments').scrollIntoViewIfNeeded();
    await screenshot(page, 'newcomer-operator-stopped-creator');
    await page.getByTestId('operator-resume-creator').click();
    await page.getByTestId('operator-no-stops').waitFor(WAIT);
    expect(await page.getByTestId('operator-stops-note').count()).toBe(0);
  });
});
