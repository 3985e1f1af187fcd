/** Channel names of the Electron preload bridge (kept free of imports for the preload bundle). */
export const IPC_CALL_CHANNEL = 'rayfarm:call';
export const IPC_EVENT_CHANNEL = 'rayfarm:event';
