import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The creator's secret for choosing verification patches: 32 random bytes kept in the data folder. */
export function creatorSecret(dataDir: string): Uint8Array {
  const dir = join(dataDir, 'creator');
  const file = join(dir, 'verify-secret.key');
  if (existsSync(file)) return new Uint8Array(readFileSync(file));
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(file, secret, { mode: 0o600 });
  return new Uint8Array(secret);
}
