import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';

/** Largest single uploaded file (a packed scene with textures). */
export const MAX_UPLOAD_BYTES = 4 * 1024 ** 3;
const UPLOAD_ID = /^[A-Za-z0-9_-]{8,64}$/;

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A relative file name from the browser, made safe to join under a folder; null if it cannot be. */
export function safeRelativePath(name: string): string | null {
  const cleaned = name.replace(/\\/g, '/').replace(/^\/+/, '');
  // U+FFFD is what URLSearchParams makes of malformed percent-encoding; control characters have no place in a file name.
  // eslint-disable-next-line no-control-regex
  if (!cleaned || cleaned.length > 512 || /[\u0000-\u001f\u007f\ufffd]/.test(cleaned)) return null;
  const parts = cleaned.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) return null;
  return parts.join(sep);
}

/**
 * `POST /upload?upload=<id>&name=<relative path>`: stores one file of a browser upload in
 * `<uploadsDir>/<id>/<name>`. A scene's files share one id; `creator.importScene({uploadId})`
 * then reads the folder. A browser cannot hand over file paths, so this is how the headless
 * form receives scenes.
 */
export async function handleUpload(uploadsDir: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const id = url.searchParams.get('upload') ?? '';
  const rel = safeRelativePath(url.searchParams.get('name') ?? '');
  if (!UPLOAD_ID.test(id)) return reply(res, 400, { code: 'UPLOAD_BAD_ID', message: 'The upload id is missing or malformed.' });
  if (!rel) return reply(res, 400, { code: 'UPLOAD_BAD_NAME', message: 'The file name is missing or not a plain relative path.' });
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > MAX_UPLOAD_BYTES) {
    return reply(res, 413, { code: 'UPLOAD_TOO_LARGE', message: `The file is larger than ${MAX_UPLOAD_BYTES / 1024 ** 3} GiB.` });
  }
  const target = normalize(join(uploadsDir, id, rel));
  if (!target.startsWith(join(uploadsDir, id) + sep)) return reply(res, 400, { code: 'UPLOAD_BAD_NAME', message: 'The file name escapes its folder.' });
  try {
    mkdirSync(dirname(target), { recursive: true });
  } catch {
    // A file already stands where a folder of this name would go (`a` then `a/b`).
    return reply(res, 409, { code: 'UPLOAD_BAD_NAME', message: 'A file of the upload already has that name as a folder.' });
  }
  let received = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      received += chunk.length;
      if (received > MAX_UPLOAD_BYTES) cb(Object.assign(new Error('too large'), { code: 'UPLOAD_TOO_LARGE' }));
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(req, limit, createWriteStream(target));
    reply(res, 200, { ok: true, upload: id, name: rel.split(sep).join('/'), bytes: received });
  } catch (err) {
    rmSync(target, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'UPLOAD_TOO_LARGE') return reply(res, 413, { code, message: 'The file is too large.' });
    if (code === 'ENOSPC') return reply(res, 507, { code: 'DISK_FULL', message: 'The disk is full: the file could not be saved.' });
    if (!res.headersSent) reply(res, 500, { code: 'UPLOAD_FAILED', message: `The upload failed: ${(err as Error).message}` });
  }
}
