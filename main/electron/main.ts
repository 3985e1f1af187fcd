// The desktop shell: one window, the IPC bridge, and (later) the tray. All product logic
// lives in main/core, built by the same composition root as the headless form.
import '../core/polyfills';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, shell } from 'electron';
import { createApp } from '../core/app';
import type { App } from '../core/app';
import { resolveDataDir } from '../core/store';
import { registerApi } from './ipc';

function dataDirArg(): string | undefined {
  const i = process.argv.indexOf('--data-dir');
  return i >= 0 ? process.argv[i + 1] : undefined;
}

let core: App | undefined;

async function start(): Promise<void> {
  const dataDir = resolveDataDir(dataDirArg() ?? (process.env.RAYFARM_DATA_DIR ? undefined : app.getPath('userData')));
  core = await createApp({ dataDir });
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'Rayfarm',
    show: false,
    backgroundColor: '#101318',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  });
  const indexFile = join(import.meta.dirname, '../renderer/index.html');
  const rendererUrl = pathToFileURL(indexFile).href;
  registerApi(core.api, win, rendererUrl);
  // Links open in the user's browser; the window never navigates away from the app.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:/.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (e, url) => {
    if (url.split('#')[0] !== rendererUrl) e.preventDefault();
  });
  win.once('ready-to-show', () => win.show());
  await win.loadFile(indexFile);
}

const single = app.requestSingleInstanceLock();
if (!single) app.quit();
else {
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus());
  app.whenReady().then(start).catch((err: unknown) => {
    console.error(`rayfarm: could not start: ${(err as Error).message}`);
    app.exit(1);
  });
  app.on('window-all-closed', () => app.quit());
  let quitting = false;
  app.on('before-quit', (e) => {
    if (quitting || !core) return;
    e.preventDefault();
    quitting = true;
    void core.stop().finally(() => app.quit());
  });
}
