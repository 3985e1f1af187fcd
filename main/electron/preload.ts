// The sandboxed preload: exposes exactly the API bridge, nothing of Node or Electron.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from '../../shared/ipc-channels';

contextBridge.exposeInMainWorld('rayfarm', {
  call: (call: string, input: unknown) => ipcRenderer.invoke(IPC_CALL_CHANNEL, call, input),
  onEvent: (listener: (e: unknown) => void) => {
    const handler = (_event: IpcRendererEvent, message: unknown) => listener(message);
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
  },
  pathForFile: (file: File) => webUtils.getPathForFile(file),
});
