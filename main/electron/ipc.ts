import { ipcMain } from 'electron';
import type { BrowserWindow, IpcMainInvokeEvent } from 'electron';
import type { ApiServer } from '../core/api/api-server';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/ipc-channels';

/**
 * The one place raw ipcMain is used: every API call from the window goes through here.
 * A call is accepted only from our own window's top frame loading our own files; the
 * ApiServer then validates the input against shared/api.
 */
export function registerApi(api: ApiServer, win: BrowserWindow, rendererUrl: string): () => void {
  const trusted = (event: IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    return event.sender === win.webContents && frame !== null && frame.parent === null && frame.url.split('#')[0]!.split('?')[0] === rendererUrl;
  };
  ipcMain.handle(IPC_CALL_CHANNEL, async (event, call: unknown, input: unknown) => {
    if (!trusted(event)) {
      return { ok: false, error: { code: 'API_FORBIDDEN', message: 'Calls are accepted only from the Rayfarm window.' } };
    }
    return api.invoke(call, input, { transport: 'ipc' });
  });
  const unsubscribe = api.subscribe((e) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_EVENT_CHANNEL, e);
  });
  return () => {
    ipcMain.removeHandler(IPC_CALL_CHANNEL);
    unsubscribe();
  };
}
