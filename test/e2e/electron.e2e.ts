import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { _electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot } from '../helpers/browser';
import { tempDataDir } from '../helpers/headless';

const ROOT = resolve(import.meta.dirname, '../..');

function electronBinary(): string | null {
  const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathTxt = join(dir, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) && existsSync(join(ROOT, 'out/main/index.js')) ? bin : null;
}

const bin = electronBinary();
if (!bin) console.log('electron.e2e: skipped — no Electron binary here (ELECTRON_SKIP_BINARY_DOWNLOAD); the same UI is tested headless.');

describe.skipIf(!bin)('the desktop app in Electron', () => {
  it('opens the window with the IPC bridge and shows every mode', async () => {
    const app = await _electron.launch({ executablePath: bin!, args: [ROOT, '--data-dir', tempDataDir()], cwd: ROOT });
    try {
      const win = await app.firstWindow();
      await expect.poll(() => win.getByTestId('connection-state').textContent()).toContain('desktop');
      for (const mode of ['creator', 'operator', 'wallet', 'network']) {
        await win.getByTestId(`nav-${mode}`).click();
        await win.getByTestId(`view-${mode}`).waitFor();
      }
      expect(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined');
      await screenshot(win, 'electron-window');
    } finally {
      await app.close();
    }
  });
});
