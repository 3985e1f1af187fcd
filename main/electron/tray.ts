// The tray: draws what main/core/desktop/tray-model.ts computes, and raises desktop
// notifications for the operator's notices. No decisions are made here.
import { join } from 'node:path';
import { app, Menu, nativeImage, Notification, Tray } from 'electron';
import type { MenuItemConstructorOptions } from 'electron';
import type { App } from '../core/app';
import { trayView } from '../core/desktop/tray-model';
import { linuxStartsAtLogin, setLinuxStartAtLogin } from '../core/desktop/autostart';
import type { TrayAction } from '../core/desktop/tray-model';

/** What the tray needs from the shell. */
export interface TrayDeps {
  core: App;
  /** Folder with tray-<state>.png (resources/icons). */
  iconsDir: string;
  openWindow: () => void;
  quit: () => void;
}

/** Whether the app starts at login (Electron's login item; an XDG autostart entry on Linux). */
function startsAtLogin(): boolean {
  return process.platform === 'linux' ? linuxStartsAtLogin() : app.getLoginItemSettings().openAtLogin;
}

function setStartAtLogin(on: boolean): void {
  if (process.platform === 'linux') setLinuxStartAtLogin(on);
  else app.setLoginItemSettings({ openAtLogin: on, args: ['--hidden'] });
}

/** Creates the tray and keeps it in step with the operator; returns the function that removes it. */
export function createTray(deps: TrayDeps): () => void {
  const { core } = deps;
  const icons = new Map<string, Electron.NativeImage>();
  const icon = (name: string) => {
    let img = icons.get(name);
    if (!img) {
      img = nativeImage.createFromPath(join(deps.iconsDir, `tray-${name}.png`));
      icons.set(name, img);
    }
    return img;
  };
  const tray = new Tray(icon('idle'));
  const act = (a: TrayAction) => {
    const op = core.operator;
    if (a === 'toggle-render') op.setPolicy({ enabled: !op.policy().enabled });
    else if (a === 'pause-1h') op.pause('1h');
    else if (a === 'pause-tomorrow') op.pause('tomorrow');
    else if (a === 'resume') op.pause('resume');
    else if (a === 'toggle-login') setStartAtLogin(!startsAtLogin());
    else if (a === 'open') deps.openWindow();
    else if (a === 'quit') deps.quit();
    render();
  };
  const render = () => {
    const view = trayView(core.operator.status(), { startAtLogin: startsAtLogin() });
    tray.setImage(icon(view.icon));
    tray.setToolTip(view.tooltip);
    const items: MenuItemConstructorOptions[] = view.menu.map((m) =>
      m.separator
        ? { type: 'separator' }
        : { id: m.id, label: m.label, enabled: m.enabled, ...(m.checked !== undefined ? { type: 'checkbox', checked: m.checked } : {}), click: () => act(m.action) },
    );
    tray.setContextMenu(Menu.buildFromTemplate(items));
  };
  tray.on('click', () => deps.openWindow());
  const offStatus = core.operator.onStatus(() => render());
  const offNotice = core.operator.onNotice((n) => {
    if (Notification.isSupported()) new Notification({ title: n.title, body: n.body, icon: icon('idle') }).show();
  });
  render();
  return () => {
    offStatus();
    offNotice();
    tray.destroy();
  };
}
