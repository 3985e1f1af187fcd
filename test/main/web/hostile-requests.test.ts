import { mkdirSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApp } from '../../../main/core/app';
import type { App } from '../../../main/core/app';
import { startWebServer } from '../../../main/web/server';
import type { WebServer } from '../../../main/web/server';
import { tempDataDir } from '../../helpers/headless';

/** Sends raw bytes and resolves with everything the server wrote before it closed the socket. */
function raw(port: number, bytes: string | Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = tcpConnect(port, '127.0.0.1', () => s.write(bytes));
    s.on('data', (c) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks)));
  });
}

/** The status code of the first response in `bytes`, or 0 when there is none. */
function statusOf(bytes: Buffer): number {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(bytes.toString('latin1'));
  return m ? Number(m[1]) : 0;
}

describe('the headless server under hostile requests', () => {
  let app: App;
  let web: WebServer;
  let host: string;
  const INDEX = '<!doctype html><title>rayfarm-ui</title>';
  const get = (target: string, extra = '') => `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`;
  const goodRequestStillAnswered = async () => {
    const r = await raw(web.port, get('/'));
    expect(statusOf(r)).toBe(200);
    expect(r.toString()).toContain('rayfarm-ui');
  };

  beforeAll(async () => {
    app = await createApp({ dataDir: tempDataDir(), log: () => {}, chain: 'off' });
    const staticDir = tempDataDir('rayfarm-static-');
    mkdirSync(join(staticDir, 'assets'));
    writeFileSync(join(staticDir, 'index.html'), INDEX);
    web = await startWebServer({ api: app.api, port: 0, staticDir, uploadsDir: app.uploadsDir, downloads: app.downloads, headersTimeoutMs: 300 });
    app.downloads.register('echo', ([name]) =>
      name ? { name: `${name}.txt`, contentType: 'text/plain', open: () => Readable.from([Buffer.from(`hello ${name}`)]) } : undefined,
    );
    app.downloads.register('boom', () => Promise.reject(new Error('resolver exploded')));
    host = `127.0.0.1:${web.port}`;
  });
  afterAll(async () => {
    await web.close();
    await app.stop();
  });

  // Each row: what an attacker sends, the status it must get. Sent one after the other on
  // fresh sockets; a crash in any of them would fail every later row and the final check.
  const T = () => web.token;
  const catalogue: [string, () => string | Buffer, number][] = [
    ['bad percent-encoding in a static path (%E0)', () => get('/%E0'), 400],
    ['bad percent-encoding in a nested static path', () => get('/assets/%C3%28%E0'), 400],
    ['lone % in a path', () => get('/%'), 400],
    ['bad percent-encoding in /download kind', () => get(`/download/%E0?token=${T()}`), 400],
    ['bad percent-encoding in /download segment', () => get(`/download/echo/%E0?token=${T()}`), 400],
    ['an encoded slash in a /download segment', () => get(`/download/echo/a%2Fb?token=${T()}`), 400],
    ['a NUL in a /download segment', () => get(`/download/echo/a%00b?token=${T()}`), 400],
    ['a /download resolver that rejects', () => get(`/download/boom/x?token=${T()}`), 500],
    ['a NUL in a static path', () => get('/index.html%00.png'), 400],
    ['encoded backslashes climbing out', () => get('/..%5c..%5c..%5cetc%5cpasswd'), 400],
    ['encoded slashes climbing out', () => get('/..%2F..%2F..%2F..%2Fetc%2Fpasswd'), 403],
    ['DELETE on a static path', () => `DELETE / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, 405],
    ['PUT on /download', () => `PUT /download/echo/x?token=${T()} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, 405],
    ['GET on /upload', () => get(`/upload?token=${T()}`), 405],
    ['a request line that is not HTTP', () => 'HELLO THERE\r\n\r\n', 400],
    ['binary garbage', () => Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]), 400],
    ['an absolute-form target that is not a URL', () => `GET http://[::1 HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, 400],
    ['a foreign Host header', () => `GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n`, 421],
    ['a 64 KiB header', () => get('/', `X-Big: ${'a'.repeat(64 * 1024)}\r\n`), 431],
    ['ten thousand headers', () => get('/', 'X-A: b\r\n'.repeat(10_000)), 431],
    ['a negative Content-Length', () => `POST /upload?token=${T()} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: -5\r\nConnection: close\r\n\r\n`, 400],
    ['an upload with a malformed id', () => `POST /upload?token=${T()}&upload=..&name=a HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, 400],
    ['an upload whose name is malformed percent-encoding', () => `POST /upload?token=${T()}&upload=abcdefgh12&name=%E0 HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`, 400],
    ['a WebSocket upgrade to a malformed path', () => `GET /%E0 HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`, 404],
    ['a WebSocket upgrade with a bad key', () => `GET /api?token=${T()} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n`, 400],
  ];

  for (const [what, bytes, status] of catalogue) {
    it(`answers ${status} to ${what}`, async () => {
      expect(statusOf(await raw(web.port, bytes()))).toBe(status);
    });
  }

  it('never serves a file from outside its folder, whatever the spelling', async () => {
    for (const path of ['/../../../../etc/passwd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/assets/../../../../etc/passwd', '//etc/passwd']) {
      const r = (await raw(web.port, get(path))).toString();
      expect(r).not.toContain('root:');
    }
  });

  it('refuses an upload name that collides with an uploaded file, without crashing', async () => {
    const up = (name: string) =>
      fetch(`http://${host}/upload?token=${web.token}&upload=collide123&name=${encodeURIComponent(name)}`, { method: 'POST', body: 'x' });
    expect((await up('a')).status).toBe(200);
    expect((await up('a/b')).status).toBe(409);
  });

  it('cuts off a client that never finishes its headers, and serves others meanwhile', async () => {
    const s = tcpConnect(web.port, '127.0.0.1', () => s.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nX-Slow: `));
    const chunks: Buffer[] = [];
    s.on('data', (c) => chunks.push(c));
    const closed = new Promise<void>((r) => s.on('close', () => r()));
    await goodRequestStillAnswered();
    await closed; // the server, not the test, ends it (headersTimeoutMs: 300)
    expect(statusOf(Buffer.concat(chunks))).toBe(408);
  });

  it('closes a WebSocket that sends a malformed frame, and keeps serving', async () => {
    const handshake = `GET /api?token=${web.token} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    // An unmasked client frame, then a reserved opcode: both protocol errors.
    for (const frame of [Buffer.from([0x81, 0x02, 0x68, 0x69]), Buffer.from([0x83, 0x80, 1, 2, 3, 4])]) {
      const r = await raw(web.port, Buffer.concat([Buffer.from(handshake), frame]));
      const text = r.toString('latin1');
      expect(statusOf(r)).toBe(101);
      const body = r.subarray(text.indexOf('\r\n\r\n') + 4);
      expect(body[0]).toBe(0x88); // a close frame
      expect(body.readUInt16BE(2)).toBe(1002); // protocol error
    }
    await goodRequestStillAnswered();
  });

  it('closes a WebSocket that sends a binary or oversized message, and answers junk JSON in words', async () => {
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://${host}/api?token=${web.token}`);
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    const closeCode = (ws: WebSocket) => new Promise<number>((r) => ws.once('close', (code) => r(code)));
    const a = await open();
    const aClosed = closeCode(a);
    a.send(Buffer.from([1, 2, 3]));
    expect(await aClosed).toBe(1003);
    const b = await open();
    b.on('error', () => {});
    const bClosed = closeCode(b);
    b.send('x'.repeat(8 * 1024 * 1024 + 1));
    expect(await bClosed).toBe(1009);
    const c = await open();
    const replies: unknown[] = [];
    const got = new Promise<void>((r) =>
      c.on('message', (d) => {
        replies.push(JSON.parse(d.toString()));
        if (replies.length === 4) r();
      }),
    );
    c.send('{"id":1,"call":"app.ping","input":{"echo":"x"}'); // truncated JSON
    c.send(JSON.stringify({ id: -5, call: 'app.ping', input: {} }));
    c.send(JSON.stringify({ id: 3, call: 'no.such.call', input: {} }));
    c.send(JSON.stringify({ id: 4, call: 'app.ping', input: { echo: 'alive' } }));
    await got;
    expect(replies[0]).toMatchObject({ ok: false, error: { code: 'API_BAD_MESSAGE' } });
    expect(replies[1]).toMatchObject({ ok: false, error: { code: 'API_BAD_MESSAGE' } });
    expect(replies[2]).toMatchObject({ id: 3, ok: false });
    expect(replies[3]).toMatchObject({ id: 4, ok: true, value: { echo: 'alive' } });
    c.close();
    await goodRequestStillAnswered();
  });

  it('still answers a good request after the whole catalogue', async () => {
    await goodRequestStillAnswered();
  });
});
