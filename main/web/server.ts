import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import type { ApiServer } from '../core/api/api-server';
import { packageRoot } from '../core/version';
import { MAX_MESSAGE_BYTES, RequestEnvelopeSchema } from '../../shared/protocol';
import type { ResponseEnvelope } from '../../shared/protocol';
import type { DownloadRegistry } from '../core/downloads';
import { serveStatic } from './static-files';
import { handleUpload } from './uploads';

/** Options for the headless transport. */
export interface WebServerOptions {
  api: ApiServer;
  /** 0 picks a free port. */
  port: number;
  /** Folder with the built renderer (index.html); defaults to out/renderer. */
  staticDir?: string;
  /** Where browser uploads land (`<dataDir>/uploads`); uploads are refused without it. */
  uploadsDir?: string;
  /** What `/download/<kind>/…` may serve. */
  downloads?: DownloadRegistry;
  /** Fixed token (tests); a random one otherwise. */
  token?: string;
  log?: (line: string) => void;
  /** How long a client may take to send its request headers (ms); slow clients are cut off after it. */
  headersTimeoutMs?: number;
}

/** Most sockets the server holds open at once; beyond it new connections are dropped. */
export const MAX_CONNECTIONS = 256;
/** Largest request head (request line + headers); Node answers 431 beyond it. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Default time a client has to send its request headers. */
export const HEADERS_TIMEOUT_MS = 10_000;

/** The request's URL parsed against a dummy origin, or null when the target is not a URL. */
export function parseRequestUrl(raw: string | undefined): URL | null {
  try {
    return new URL(raw ?? '/', 'http://x');
  } catch {
    return null;
  }
}

/** Percent-decodes one path segment; null when the encoding is malformed or it hides a NUL or slash. */
export function decodeSegment(segment: string): string | null {
  let s: string;
  try {
    s = decodeURIComponent(segment);
  } catch {
    return null;
  }
  return /[\0/\\]/.test(s) ? null : s;
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

/** The words for a request without the right token: what happened and how to get in. */
export function tokenRefusal(given: string | null): { code: string; message: string } {
  return given
    ? {
        code: 'WEB_TOKEN_WRONG',
        message:
          'This address carries an access token Rayfarm no longer accepts (it was replaced with --new-token, or the page comes from another data folder). Open the address printed in the terminal where Rayfarm runs.',
      }
    : { code: 'WEB_TOKEN_MISSING', message: 'This address has no access token. Open the full address printed in the terminal where Rayfarm runs; it ends in ?token=…' };
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

  // Anything a handler throws becomes a 400/500 for that request; the server keeps serving.
  const headersTimeout = opts.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const http: Server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: Math.min(1000, headersTimeout) }, (req: IncomingMessage, res: ServerResponse) => {
    try {
      route(req, res);
    } catch (err) {
      failed(res, err);
    }
  });
  http.headersTimeout = headersTimeout;
  http.maxConnections = MAX_CONNECTIONS;
  // A malformed request line or headers: Node's parser reports it here; answer 400 and drop the socket.
  http.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return void socket.destroy();
    const status =
      err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
  });

  function route(req: IncomingMessage, res: ServerResponse): void {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('Wrong host\n');
      return;
    }
    const url = parseRequestUrl(req.url);
    if (!url) return void res.writeHead(400, { 'content-type': 'text/plain' }).end('Bad request target\n');
    const given = url.searchParams.get('token') ?? (req.headers['x-rayfarm-token'] as string | undefined) ?? null;
    const authorised = () => sameToken(given, token);
    const refuse = () => void res.writeHead(401, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(tokenRefusal(given)));
    // The page asks here why its WebSocket was refused: a browser is never shown the status of a failed upgrade.
    if (url.pathname === '/auth') return authorised() ? void res.writeHead(204, { 'cache-control': 'no-store' }).end() : refuse();
    if (url.pathname === '/upload') {
      if (req.method !== 'POST') return void res.writeHead(405).end();
      if (!authorised()) return refuse();
      const origin = req.headers.origin;
      if (origin !== undefined && !allowedOrigins().has(origin)) return void res.writeHead(403).end();
      if (!opts.uploadsDir) return void res.writeHead(404).end();
      handleUpload(opts.uploadsDir, req, res).catch((err: unknown) => failed(res, err));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (url.pathname.startsWith('/download/')) {
      if (!authorised()) return refuse();
      serveDownload(url, res).catch((err: unknown) => failed(res, err));
      return;
    }
    serveStatic(staticDir, url, req, res, securityHeaders());
  }

  /** The last resort for a handler's rejection: a 500 (or a dropped socket) and a log line, never a crash. */
  function failed(res: ServerResponse, err: unknown): void {
    log(`rayfarm web: a request failed (${(err as Error).message})`);
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal error\n');
    else res.destroy();
  }

  async function serveDownload(url: URL, res: ServerResponse): Promise<void> {
    const segments = url.pathname.slice('/download/'.length).split('/').map(decodeSegment);
    if (segments.some((s) => s === null)) return void res.writeHead(400, { 'content-type': 'text/plain' }).end('Malformed path\n');
    const [kind = '', ...rest] = segments as string[];
    try {
      const d = await opts.downloads?.resolve(kind, rest);
      if (!d) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      const headers: Record<string, string> = {
        'content-type': d.contentType,
        'content-disposition': `attachment; filename="${d.name.replace(/["\\\r\n]/g, '_')}"`,
        'cache-control': 'no-store',
      };
      if (d.size !== undefined) headers['content-length'] = String(d.size);
      res.writeHead(200, headers);
      const body = d.open();
      body.on('error', () => res.destroy());
      body.pipe(res);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`);
      else res.destroy();
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  http.on('upgrade', (req, socket, head) => {
    // A reset during the handshake must not become an unhandled 'error' event.
    socket.on('error', () => socket.destroy());
    const url = parseRequestUrl(req.url);
    const origin = req.headers.origin;
    const reject = (status: number, why: string) => {
      log(`rayfarm web: refused a connection (${why})`);
      socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\n\r\n`);
    };
    if (!url) return reject(400, 'Bad Request');
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
    ws.on('message', (data, isBinary) => {
      handleMessage(ws, data, isBinary).catch((err: unknown) => {
        log(`rayfarm web: a message failed (${(err as Error).message})`);
        const reply: ResponseEnvelope = { id: -1, ok: false, error: { code: 'INTERNAL', message: 'The request could not be handled.' } };
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      });
    });
  }

  async function handleMessage(ws: WebSocket, data: RawData, isBinary: boolean): Promise<void> {
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
