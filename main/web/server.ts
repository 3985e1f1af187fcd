import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { ApiServer } from '../core/api/api-server';
import { packageRoot } from '../core/version';
import { MAX_MESSAGE_BYTES, RequestEnvelopeSchema } from '../../shared/protocol';
import type { ResponseEnvelope } from '../../shared/protocol';
import { serveStatic } from './static-files';

/** Options for the headless transport. */
export interface WebServerOptions {
  api: ApiServer;
  /** 0 picks a free port. */
  port: number;
  /** Folder with the built renderer (index.html); defaults to out/renderer. */
  staticDir?: string;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
  log?: (line: string) => void;
}

/** A running headless server. */
export interface WebServer {
  readonly port: number;
  readonly token: string;
  /** The address to open in a browser, token included. */
  readonly url: string;
  close(): Promise<void>;
}

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Serves the UI and the API over a WebSocket on 127.0.0.1 only. Every API connection
 * must carry the access token and, when it comes from a browser, an Origin of this server.
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? randomBytes(24).toString('hex');
  const staticDir = opts.staticDir ?? join(packageRoot(), 'out', 'renderer');
  const log = opts.log ?? (() => {});
  let port = opts.port;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const securityHeaders = () => ({
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
      `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });

  const http: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Wrong host\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    serveStatic(staticDir, req, res, securityHeaders());
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = req.headers.origin;
    const reject = (status: number, why: string) => {
      log(`rayfarm web: refused a connection (${why})`);
      socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\n\r\n`);
    };
    if (url.pathname !== '/api') return reject(404, 'Not Found');
    if (!allowedHosts().has(req.headers.host ?? '')) return reject(421, 'Misdirected Request');
    if (origin !== undefined && !allowedOrigins().has(origin)) return reject(403, 'Forbidden Origin');
    if (!sameToken(url.searchParams.get('token'), token)) return reject(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const unsubscribe = opts.api.subscribe((e) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(e));
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
    ws.on('message', async (data, isBinary) => {
      if (isBinary) return void ws.close(1003, 'Text frames only');
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        const reply: ResponseEnvelope = { id: -1, ok: false, error: { code: 'API_BAD_MESSAGE', message: 'The message is not valid JSON.' } };
        return void ws.send(JSON.stringify(reply));
      }
      const env = RequestEnvelopeSchema.safeParse(parsed);
      if (!env.success) {
        const reply: ResponseEnvelope = { id: -1, ok: false, error: { code: 'API_BAD_MESSAGE', message: 'The message is not a request {id, call, input}.' } };
        return void ws.send(JSON.stringify(reply));
      }
      const result = await opts.api.invoke(env.data.call, env.data.input, { transport: 'websocket' });
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: env.data.id, ...result }));
    });
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port, '127.0.0.1', () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  return {
    port,
    token,
    url,
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
