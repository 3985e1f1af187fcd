/**
 * The pre-shared key of a private studio network: 32 random bytes, written in the
 * familiar libp2p swarm-key text form so a file made elsewhere reads the same.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { RayfarmError } from '../errors';

const TAG = '/key/swarm/psk/1.0.0/';
const CODEC = '/base16/';

/** A new studio key as the text of a key file. */
export function newStudioKey(): string {
  return `${TAG}\n${CODEC}\n${randomBytes(32).toString('hex')}\n`;
}

/** The 32 key bytes from a key file's text; STUDIO_KEY_INVALID when it is not one. */
export function parseStudioKey(text: string): Uint8Array {
  const lines = text.trim().split(/\r?\n/).map((l) => l.trim());
  const hex = lines.length === 1 ? lines[0] : lines[0] === TAG && lines[1] === CODEC ? lines[2] : undefined;
  if (!hex || !/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new RayfarmError('STUDIO_KEY_INVALID', 'This is not a studio key. Make one with `rayfarm studio-key new > farm.key`.');
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Reads and parses a key file. */
export function readStudioKey(file: string): Uint8Array {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RayfarmError('STUDIO_KEY_UNREADABLE', `Cannot read the studio key ${file}: ${(err as Error).message}`);
  }
  return parseStudioKey(text);
}
