// The desktop shell: one window, the IPC bridge, the tray and notifications. All product logic
// lives in main/core, built by the same composition root as the headless form.
import '../core/polyfills';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, shell } from 'electron';
import { createApp } from '../core/app';
import type { App } from '../core/app';
import { readPolicyFile } from '../core/operator/policy/policy-flags';
import { resolveDataDir } from '../core/store';
import type { OperatorPolicy } from '../../shared/api';
import { electronIdleSource } from './idle-source';
import { registerApi } from './ipc';
import { createTray } from './tray';

function dataDirArg(): string | undefined {
  const i = process.argv.indexOf('--data-dir');
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** The operator policy from `--config FILE` or RAYFARM_CONFIG (studio deployment); flags win over the UI. */
function policyFromConfig(): Partial<OperatorPolicy> | undefined {
  const i = process.argv.indexOf('--config');
  const file = i >= 0 ? process.argv[i + 1] : process.env.RAYFARM_CONFIG || undefined;
  return file ? readPolicyFile(file) : undefined;
}

let core: App | undefined;
/** Set once the person chose Quit: closing the window then really quits instead of hiding to the tray. */
let quitting = false;

async function start(): Promise<void> {
  const dataDir = resolveDataDir(dataDirArg() ?? (process.env.RAYFARM_DATA_DIR ? undefined : app.getPath('userData')));
  core = await createApp({
    dataDir,
    idleSource: electronIdleSource(),
    operatorPolicy: policyFromConfig(),
    openPath: async (path) => {
      const problem = await shell.openPath(path);
      if (problem) throw new Error(`Could not open ${path}: ${problem}`);
    },
  });
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
  // Started at login (--hidden): straight to the tray, no window.
  win.once('ready-to-show', () => {
    if (!process.argv.includes('--hidden')) win.show();
  });
  // Close to the tray: the node keeps rendering; Quit in the tray menu ends the app.
  win.on('close', (e) => {
    if (quitting) return;
    e.preventDefault();
    win.hide();
  });
  createTray({
    core,
    iconsDir: join(app.getAppPath(), 'resources', 'icons'),
    openWindow: () => {
      win.show();
      win.focus();
    },
    quit: () => app.quit(),
  });
  await win.loadFile(indexFile);
}

const single = app.requestSingleInstanceLock();
if (!single) app.quit();
else {
  app.on('second-instance', () => {
    const w = BrowserWindow.getAllWindows()[0];
    w?.show();
    w?.focus();
  });
  app.whenReady().then(start).catch((err: unknown) => {
    console.error(`rayfarm: could not start: ${(err as Error).message}`);
    app.exit(1);
  });
  // The tray keeps the app alive with no window open.
  app.on('window-all-closed', () => {
    if (quitting) app.quit();
  });
  let stopping = false;
  app.on('before-quit', (e) => {
    quitting = true;
    if (stopping || !core) return;
    e.preventDefault();
    stopping = true;
    void core.stop().finally(() => app.quit());
  });
}
