import WebSocket from 'ws';

/** A test's own API client over the headless WebSocket (the same calls the UI makes). */
export interface WsApi {
  call<T = unknown>(name: string, input?: unknown): Promise<T>;
  close(): void;
}

/** Connects to `rayfarm up` at its printed URL. */
export async function connectApi(url: string): Promise<WsApi> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/api?token=${u.searchParams.get('token')}`);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { id?: number; ok?: boolean; value?: unknown; error?: { code: string; message: string } };
    if (m.id === undefined) return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else p.reject(Object.assign(new Error(m.error!.message), { code: m.error!.code }));
  });
  return {
    call<T>(name: string, input?: unknown) {
      const id = next++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        ws.send(JSON.stringify({ id, call: name, input }));
      });
    },
    close: () => ws.close(),
  };
}
