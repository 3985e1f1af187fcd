/**
 * Fuzz targets for the headless app: every API call's input through ApiServer (as a
 * browser's WebSocket sends it), and raw HTTP requests to the web server. One real app
 * (temp data folder, no chain) serves both. A crash is an invoke that throws, an INTERNAL
 * or API_BAD_OUTPUT answer (a handler failed in a way nobody planned), an HTTP 5xx, or a
 * server that stops answering.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { apiCalls } from '../../shared/api';
import { createApp } from '../../main/core/app';
import type { App } from '../../main/core/app';
import { startWebServer } from '../../main/web/server';
import type { WebServer } from '../../main/web/server';
import type { FuzzTarget } from './fuzz-run';
import { NASTY_NUMBERS, NASTY_STRINGS, mutateJson, randomJson } from './rng';
import type { Rng } from './rng';

/**
 * Calls whose handler is slow or reaches outside the process (a benchmark render, scrypt,
 * a file manager, the network stack). Their input validation is fuzzed; an input that
 * passes it is not run.
 */
const NOT_RUN = new Set([
  'operator.benchmark.run',
  'wallet.create',
  'wallet.import',
  'wallet.unlock',
  'jobs.openFolder',
  'network.connect',
  'network.setOperator',
  'network.submit',
  'creator.estimate',
]);

let app: App | undefined;
let web: WebServer | undefined;
let dataDir = '';
let users = 0;

async function up(): Promise<void> {
  if (users++ > 0) return;
  dataDir = mkdtempSync(join(tmpdir(), 'rayfarm-fuzz-app-'));
  const staticDir = mkdtempSync(join(tmpdir(), 'rayfarm-fuzz-ui-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>ui</title>');
  app = await createApp({ dataDir, log: () => {}, chain: 'off' });
  web = await startWebServer({ api: app.api, port: 0, staticDir, uploadsDir: app.uploadsDir, downloads: app.downloads, headersTimeoutMs: 2000 });
}

async function down(): Promise<void> {
  if (--users > 0) return;
  await web?.close();
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const CALLS = Object.keys(apiCalls) as (keyof typeof apiCalls)[];

/** The call's definition; own properties only (`constructor` is not a call). */
function defOf(call: string): (typeof apiCalls)[keyof typeof apiCalls] | undefined {
  return Object.hasOwn(apiCalls, call) ? apiCalls[call as keyof typeof apiCalls] : undefined;
}

/** An object with the schema's own keys (when it has a shape), each given a random value. */
function shaped(rng: Rng, schema: z.ZodType): unknown {
  const def = (schema as unknown as { def?: { shape?: Record<string, unknown>; innerType?: z.ZodType } }).def;
  const shape = def?.shape ?? (def?.innerType as unknown as { def?: { shape?: Record<string, unknown> } })?.def?.shape;
  if (!shape) return randomJson(rng, 3);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(shape)) {
    if (rng.bool(0.2)) continue;
    out[k] = rng.pick([() => rng.pick(NASTY_STRINGS), () => rng.pick(NASTY_NUMBERS), () => randomJson(rng, 2), () => rng.bool()])();
  }
  return out;
}

function generateCall(rng: Rng): { call: string; input: unknown } {
  const call = rng.bool(0.03) ? rng.pick(NASTY_STRINGS) : rng.pick(CALLS);
  const def = defOf(call);
  const input = def && rng.bool(0.7) ? shaped(rng, def.input) : randomJson(rng, 3);
  return { call, input: rng.bool(0.3) ? mutateJson(rng, input) : input };
}

async function runCall(raw: unknown): Promise<void> {
  const { call, input } = raw as { call: string; input: unknown };
  const def = defOf(call);
  if (def && NOT_RUN.has(call) && def.input.safeParse(input).success) return;
  const r = await app!.api.invoke(call, input, { transport: 'websocket' });
  if (!r.ok && (r.error.code === 'INTERNAL' || r.error.code === 'API_BAD_OUTPUT')) throw new Error(`${call} answered ${r.error.code}: ${r.error.message}`);
}

/** Every API call's input, through the real ApiServer of a real app. */
export const apiTarget: FuzzTarget = { name: 'api', weight: 2, setup: up, teardown: down, generate: generateCall, run: runCall };

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT', 'G\0T', ''];
const SEGMENTS = ['', '.', '..', '%2e%2e', '%2F', '%5C', '%00', '%E0', '%', '%%', 'index.html', 'assets', 'api', 'upload', 'download', 'echo', '~', '//', '\\', 'a b', 'ü', '%C3%28', '%FF'];

function generateHttp(rng: Rng): { request: string } {
  const path = `/${Array.from({ length: 1 + rng.int(5) }, () => rng.pick(SEGMENTS)).join('/')}`;
  const query = rng.bool(0.4) ? `?${rng.pick(['token=', 'upload=', 'name=', 'x=%E0', 'token=%'])}${rng.pick(SEGMENTS)}` : '';
  const headers: string[] = [];
  if (!rng.bool(0.1)) headers.push(`Host: ${rng.bool(0.9) ? 'HOST' : rng.pick(['evil', '', '127.0.0.1:1', '\0'])}`);
  if (rng.bool(0.2)) headers.push(`Content-Length: ${rng.pick(['-1', '99999999999', 'x', '0', '5'])}`);
  if (rng.bool(0.1)) headers.push('Transfer-Encoding: chunked');
  if (rng.bool(0.1)) headers.push(`Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${rng.pick(['dGhlIHNhbXBsZSBub25jZQ==', 'x', ''])}`);
  if (rng.bool(0.1)) headers.push(`X-Junk: ${'a'.repeat(rng.pick([10, 20_000]))}`);
  if (rng.bool(0.05)) headers.push('Bad Header Line');
  const version = rng.bool(0.95) ? 'HTTP/1.1' : rng.pick(['HTTP/9.9', 'HTTP/1.0', '']);
  return { request: `${rng.pick(METHODS)} ${path}${query} ${version}\r\n${headers.join('\r\n')}${headers.length ? '\r\n' : ''}Connection: close\r\n\r\n${rng.bool(0.1) ? 'body' : ''}` };
}

/**
 * Sends a request and resolves with what came back once the server closes. The socket is
 * not half-closed (Node's server drops a request whose client ended first); a request
 * that leaves the server waiting for a body is cut after a second on our side.
 */
function send(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(web!.port, '127.0.0.1', () => s.write(bytes));
    const chunks: Buffer[] = [];
    s.setTimeout(1000, () => s.destroy());
    s.on('data', (c) => chunks.push(c));
    s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? resolve(Buffer.concat(chunks).toString('latin1')) : reject(e)));
    s.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

async function runHttp(raw: unknown): Promise<void> {
  const req = (raw as { request: string }).request.replaceAll('HOST', `127.0.0.1:${web!.port}`);
  const reply = await send(req);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1] ?? 0);
  if (status >= 500) throw new Error(`answered ${status}: ${reply.split('\r\n')[0]}`);
  // Whatever that was, a plain request must still work.
  const check = await send(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${web!.port}\r\nConnection: close\r\n\r\n`);
  if (!check.startsWith('HTTP/1.1 200')) throw new Error(`the server stopped answering: ${check.split('\r\n')[0] || '(nothing)'}`);
}

/** Raw HTTP requests to the headless server. */
export const httpTarget: FuzzTarget = { name: 'http', weight: 1, setup: up, teardown: down, generate: generateHttp, run: runHttp };
