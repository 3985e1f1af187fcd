import type { ConnectionState, PreloadBridge, Transport } from './transport';

/** The desktop transport: calls go through the preload bridge to Electron's main process. */
export class IpcTransport implements Transport {
  readonly kind = 'ipc' as const;
  readonly state: ConnectionState = 'connected';

  constructor(private readonly bridge: PreloadBridge) {}

  request(call: string, input: unknown) {
    return this.bridge.call(call, input);
  }

  onEvent(listener: Parameters<Transport['onEvent']>[0]) {
    return this.bridge.onEvent(listener);
  }

  onState(listener: (s: ConnectionState) => void) {
    listener(this.state);
    return () => {};
  }
}
