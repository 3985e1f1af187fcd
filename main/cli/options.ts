import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { RayfarmError } from '../core/errors';

/** Options every command takes. */
export const commonOptions = {
  'data-dir': { type: 'string' },
  'password-file': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

/** Parsed command-line arguments with typed accessors. */
export interface ParsedCommand {
  positionals: string[];
  /** A string option, or undefined when absent. */
  str(name: string): string | undefined;
  /** A repeatable string option (empty when absent). */
  strs(name: string): string[];
  /** A boolean flag. */
  bool(name: string): boolean;
}

/** parseArgs with our options plus the common ones; unknown flags are a clear error. */
export function parseCommand(argv: string[], options: NonNullable<ParseArgsConfig['options']>, allowPositionals = true): ParsedCommand {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: { ...commonOptions, ...options }, allowPositionals, strict: true }) as typeof parsed;
  } catch (err) {
    throw new RayfarmError('CLI_BAD_ARGS', (err as Error).message);
  }
  const v = parsed.values;
  return {
    positionals: parsed.positionals,
    str: (name) => (typeof v[name] === 'string' ? (v[name] as string) : undefined),
    strs: (name) => (Array.isArray(v[name]) ? (v[name] as string[]) : typeof v[name] === 'string' ? [v[name] as string] : []),
    bool: (name) => v[name] === true,
  };
}

/** The wallet password from RAYFARM_PASSWORD or --password-file, for runs without prompts. */
export function readPassword(passwordFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (passwordFile) {
    try {
      return readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new RayfarmError('CLI_PASSWORD_FILE', `Cannot read the password file ${passwordFile}: ${(err as Error).message}`);
    }
  }
  return env.RAYFARM_PASSWORD;
}

/** Parses a port number; 0 means "any free port". */
export function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RayfarmError('CLI_BAD_ARGS', `--port must be a number from 0 to 65535, not "${value}".`);
  return n;
}
