import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApp } from '../../../main/core/app';
import type { App } from '../../../main/core/app';
import { startWebServer } from '../../../main/web/server';
import type { WebServer } from '../../../main/web/server';
import { tempDataDir } from '../../helpers/headless';

/** Opens a socket and resolves with 'open' or the HTTP status of the refusal. */
function connect(url: string, headers: Record<string, string> = {}): Promise<{ ws?: WebSocket; status: number | 'open' }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve({ ws, status: 'open' }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('error', () => resolve({ status: 0 }));
  });
}

function request(ws: WebSocket, msg: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>));
    ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  });
}

describe('the headless WebSocket transport', () => {
  let app: App;
  let web: WebServer;
  let base: string;
  beforeAll(async () => {
    app = await createApp({ dataDir: tempDataDir(), log: () => {}, chain: 'off' });
    web = await startWebServer({ api: app.api, port: 0, uploadsDir: app.uploadsDir, downloads: app.downloads });
    app.downloads.register('echo', ([name]) =>
      name ? { name: `${name}.txt`, contentType: 'text/plain', open: () => Readable.from([Buffer.from(`hello ${name}`)]) } : undefined,
    );
    base = `ws://127.0.0.1:${web.port}/api`;
  });
  afterAll(async () => {
    await web.close();
    await app.stop();
  });

  it('listens on 127.0.0.1 only and prints a URL with the token', () => {
    expect(web.url).toBe(`http://127.0.0.1:${web.port}/?token=${web.token}`);
    expect(web.token).toMatch(/^[0-9a-f]{48}$/);
  });

  it('accepts the right token from its own origin and answers calls', async () => {
    const { ws, status } = await connect(`${base}?token=${web.token}`, { origin: `http://127.0.0.1:${web.port}` });
    expect(status).toBe('open');
    const reply = await request(ws!, { id: 7, call: 'app.ping', input: { echo: 'yo' } });
    expect(reply).toMatchObject({ id: 7, ok: true, value: { echo: 'yo' } });
    ws!.close();
  });

  it('refuses a missing token', async () => {
    expect((await connect(base)).status).toBe(401);
  });

  it('refuses a wrong token', async () => {
    expect((await connect(`${base}?token=${'0'.repeat(48)}`)).status).toBe(401);
  });

  it('refuses a foreign Origin even with the right token', async () => {
    expect((await connect(`${base}?token=${web.token}`, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await connect(`${base}?token=${web.token}`, { origin: `http://127.0.0.1:${web.port + 1}` })).status).toBe(403);
  });

  it('refuses a foreign Host (DNS rebinding)', async () => {
    expect((await connect(`${base}?token=${web.token}`, { host: 'attacker.example' })).status).toBe(421);
  });

  it('answers malformed messages with typed errors and stays up', async () => {
    const { ws } = await connect(`${base}?token=${web.token}`);
    expect(await request(ws!, 'not json')).toMatchObject({ ok: false, error: { code: 'API_BAD_MESSAGE' } });
    expect(await request(ws!, { nope: 1 })).toMatchObject({ ok: false, error: { code: 'API_BAD_MESSAGE' } });
    expect(await request(ws!, { id: 1, call: 'app.ping', input: { echo: 1 } })).toMatchObject({ id: 1, ok: false, error: { code: 'API_BAD_INPUT' } });
    expect(await request(ws!, { id: 2, call: 'app.ping', input: { echo: 'still here' } })).toMatchObject({ id: 2, ok: true });
    ws!.close();
  });

  it('pushes events to connected clients', async () => {
    const { ws } = await connect(`${base}?token=${web.token}`);
    const event = new Promise<Record<string, unknown>>((resolve) => {
      ws!.on('message', (d) => {
        const m = JSON.parse(d.toString()) as Record<string, unknown>;
        if (m.event) resolve(m);
      });
    });
    await app.api.call('prefs.set', { theme: 'light' });
    expect(await event).toEqual({ event: 'prefs.changed', payload: { theme: 'light' } });
    ws!.close();
  });

  it('stores an upload under its id and refuses names that escape the folder', async () => {
    const http = `http://127.0.0.1:${web.port}`;
    const up = (name: string, token = web.token) =>
      fetch(`${http}/upload?token=${token}&upload=abcdef123456&name=${encodeURIComponent(name)}`, { method: 'POST', body: 'glTF-bytes' });
    const ok = await up('scene/textures/wood.png');
    expect(ok.status).toBe(200);
    expect(readFileSync(join(app.uploadsDir, 'abcdef123456', 'scene', 'textures', 'wood.png'), 'utf8')).toBe('glTF-bytes');
    expect((await up('../../escape.txt')).status).toBe(400);
    expect((await up('/etc/passwd')).status).toBe(200); // leading slashes are stripped: it lands inside the upload folder
    expect(readFileSync(join(app.uploadsDir, 'abcdef123456', 'etc', 'passwd'), 'utf8')).toBe('glTF-bytes');
    expect((await up('a.txt', 'f'.repeat(48))).status).toBe(401);
  });

  it('serves registered downloads only, with the token', async () => {
    const http = `http://127.0.0.1:${web.port}`;
    const r = await fetch(`${http}/download/echo/world?token=${web.token}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="world.txt"');
    expect(await r.text()).toBe('hello world');
    expect((await fetch(`${http}/download/echo/world`)).status).toBe(401);
    expect((await fetch(`${http}/download/nothing/x?token=${web.token}`)).status).toBe(404);
    expect((await fetch(`${http}/download/echo?token=${web.token}`)).status).toBe(404);
  });
});
