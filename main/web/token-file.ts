/**
 * The headless server's access token, kept in a file so that it survives a restart: a
 * bookmark or an open tab still works after `npm run headless` is run again. The file is
 * private to the user (0600); a token found in it must look like one we made.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RayfarmError } from '../core/errors';
import { writeFileAtomic } from '../core/store/atomic-write';

/** Where the token lives when no `--token-file` is given. */
export function defaultTokenFile(dataDir: string): string {
  return join(dataDir, 'web-token');
}

/** What a token may be: URL-safe, long enough that it cannot be guessed. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,128}$/;

/**
 * The token stored in `file`, made (random, 48 hex characters) and stored on first use.
 * `renew` replaces it, so every old address stops working.
 */
export function loadOrCreateToken(file: string, opts: { renew?: boolean } = {}): { token: string; created: boolean } {
  if (!opts.renew && existsSync(file)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new RayfarmError('WEB_TOKEN_FILE', `Cannot read the access token file ${file}: ${(err as Error).message}`, { cause: err });
    }
    if (!TOKEN_PATTERN.test(text)) {
      throw new RayfarmError('WEB_TOKEN_FILE', `The access token file ${file} does not hold a token (32 to 128 letters, digits, - or _). Delete it to have a new one made.`);
    }
    // Tighten a file someone created by hand with looser permissions.
    if (process.platform !== 'win32') chmodSync(file, 0o600);
    return { token: text, created: false };
  }
  const token = randomBytes(24).toString('hex');
  writeFileAtomic(file, `${token}\n`, 0o600);
  return { token, created: true };
}
