import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * Serves the built renderer; unknown paths fall back to index.html (single-page app).
 * A path that is not valid percent-encoding, hides a NUL or backslash, or climbs out of
 * `root` is answered 400/403: a URL from any web page reaches this code.
 */
export function serveStatic(root: string, url: URL, req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): void {
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('Malformed percent-encoding\n');
    return;
  }
  if (rel.includes('\0') || rel.includes('\\')) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end('Malformed path\n');
    return;
  }
  if (rel.endsWith('/')) rel += 'index.html';
  const file = normalize(join(root, rel));
  if (!file.startsWith(root + sep) && file !== root) {
    res.writeHead(403).end();
    return;
  }
  const target = existsSync(file) && statSync(file).isFile() ? file : join(root, 'index.html');
  if (!existsSync(target)) {
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The user interface has not been built. Run `npm run build:renderer` (npm ci does this).\n');
    return;
  }
  const type = TYPES[extname(target)] ?? 'application/octet-stream';
  const cache = target.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
  res.writeHead(200, { ...headers, 'content-type': type, 'cache-control': cache });
  if (req.method === 'HEAD') return void res.end();
  const body = createReadStream(target);
  body.on('error', () => res.destroy());
  body.pipe(res);
}
