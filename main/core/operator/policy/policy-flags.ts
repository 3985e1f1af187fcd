/**
 * The operator policy from the command line and from a settings file, for headless boxes
 * and studio-wide deployment: `--idle-only --idle-minutes N --schedule "mon-fri 22:00-07:00"
 * --max-threads N --gpu-share P --on-battery`, and `--config FILE` (TOML or JSON) with
 * the same keys. Flags win over the file; both win over what the UI stored.
 */
import { readFileSync } from 'node:fs';
import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';
import type { OperatorPolicy } from '../../../../shared/api';
import { RayfarmError } from '../../errors';
import { parseSchedule } from './schedule';

/** Options to merge into a command's parseArgs options. */
export const policyFlagOptions = {
  'idle-only': { type: 'boolean' },
  'always': { type: 'boolean' },
  'idle-minutes': { type: 'string' },
  schedule: { type: 'string' },
  'max-threads': { type: 'string' },
  'gpu-share': { type: 'string' },
  'on-battery': { type: 'boolean' },
  config: { type: 'string' },
} as const;

/** Help text for the flags, to append to a command's help. */
export const policyFlagsHelp = `Render policy (these win over the settings made in the UI):
  --idle-only               render only when the machine has been idle (see --idle-minutes)
  --always                  render whenever there is work (turns --idle-only off)
  --idle-minutes N          idle minutes before rendering starts (default 5)
  --schedule "WINDOWS"      e.g. "mon-fri 22:00-07:00; sat,sun 00:00-24:00"
  --max-threads N           most CPU threads a task may use
  --gpu-share P             percent of GPU time to use (10-100)
  --on-battery              also render on battery power
  --config FILE             a TOML or JSON file with the same keys (idle-only = true, ...);
                            RAYFARM_CONFIG=FILE does the same for a whole studio`;

const PolicyFileSchema = z
  .object({
    'idle-only': z.boolean(),
    always: z.boolean(),
    'idle-minutes': z.number().int().min(0).max(1440),
    schedule: z.string().max(500),
    'max-threads': z.number().int().min(1).max(1024),
    'gpu-share': z.number().int().min(10).max(100),
    'on-battery': z.boolean(),
    enabled: z.boolean(),
  })
  .partial()
  .strict();

/** Keys a policy file may hold. */
export type PolicyFile = z.infer<typeof PolicyFileSchema>;

function bad(message: string): RayfarmError {
  return new RayfarmError('POLICY_BAD_CONFIG', message);
}

/**
 * A farm config in TOML (smol-toml): keys at the top or under `[operator]`, in kebab or
 * snake case. A syntax error is named with its line and column; any other section is refused,
 * so a misplaced table is not silently ignored.
 */
export function parseFarmToml(text: string, file = 'config'): Record<string, unknown> {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const why = err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    throw bad(`${file}:${err.line}:${err.column}: this is not valid TOML (${why}). Write key = value, with true/false, a number or a "quoted string".`);
  }
  // [network] is read by node/farm-network.ts (bootstrap peers, relaying).
  const { operator, network: _network, ...top } = doc;
  for (const [k, v] of Object.entries(top)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) throw bad(`${file}: unknown section [${k}] (only [operator] and [network] are read).`);
  }
  if (operator !== undefined && (typeof operator !== 'object' || operator === null || Array.isArray(operator))) throw bad(`${file}: operator must be a section ([operator]).`);
  return { ...top, ...(operator as Record<string, unknown> | undefined) };
}

/** Turns a validated file or flag set into policy fields. */
function toPolicy(f: PolicyFile): Partial<OperatorPolicy> {
  const p: Partial<OperatorPolicy> = {};
  if (f['idle-only'] !== undefined) p.idleOnly = f['idle-only'];
  if (f.always) p.idleOnly = false;
  if (f['idle-minutes'] !== undefined) p.idleMinutes = f['idle-minutes'];
  if (f.schedule !== undefined) {
    parseSchedule(f.schedule);
    p.schedule = f.schedule;
  }
  if (f['max-threads'] !== undefined) p.maxThreads = f['max-threads'];
  if (f['gpu-share'] !== undefined) p.gpuShare = f['gpu-share'];
  if (f['on-battery'] !== undefined) p.onBattery = f['on-battery'];
  if (f.enabled !== undefined) p.enabled = f.enabled;
  return p;
}

function describeIssues(err: z.ZodError, where: string): string {
  return err.issues
    .map((i) => {
      if (i.code === 'unrecognized_keys') return `${where}: unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.join(', ')} (known: ${Object.keys(PolicyFileSchema.shape).join(', ')})`;
      return `${where}: ${i.path.join('.') || 'file'}: ${i.message}`;
    })
    .join('; ');
}

/** Reads and validates a policy file (JSON when it starts with "{", TOML otherwise). */
export function readPolicyFile(file: string): Partial<OperatorPolicy> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw bad(`Cannot read the config file ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  if (text.trimStart().startsWith('{')) {
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw bad(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (raw && typeof raw === 'object' && !Array.isArray(raw) && 'network' in raw) {
      const { network: _network, ...rest } = raw as Record<string, unknown>;
      raw = rest;
    }
    if (raw && typeof raw === 'object' && 'operator' in raw && Object.keys(raw).length === 1) raw = (raw as { operator: unknown }).operator;
  } else raw = parseFarmToml(text, file);
  // Accept snake_case too (idle_minutes), which TOML users often write.
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    raw = Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k.replace(/_/g, '-'), v]));
  }
  const parsed = PolicyFileSchema.safeParse(raw);
  if (!parsed.success) throw bad(`The config file is not valid: ${describeIssues(parsed.error, file)}`);
  return toPolicy(parsed.data);
}

function intFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new RayfarmError('CLI_BAD_ARGS', `--${name} must be a whole number, not "${v}".`);
  return n;
}

/** A parsed command line as main/cli's parseCommand returns it (only the accessors used here). */
export interface FlagReader {
  str(name: string): string | undefined;
  bool(name: string): boolean;
}

/**
 * The policy overrides from the flags and the `--config` file. Flag values are checked
 * with the same rules as the file, so both fail with the same clear messages.
 */
export function parsePolicyFlags(args: FlagReader, env: NodeJS.ProcessEnv = process.env): Partial<OperatorPolicy> {
  // A studio can point every machine at one file through the environment instead of a flag.
  const file = args.str('config') ?? (env.RAYFARM_CONFIG || undefined);
  const fromFile = file ? readPolicyFile(file) : {};
  const flags: Record<string, unknown> = {};
  if (args.bool('idle-only')) flags['idle-only'] = true;
  if (args.bool('always')) flags.always = true;
  if (args.bool('idle-only') && args.bool('always')) throw new RayfarmError('CLI_BAD_ARGS', '--idle-only and --always contradict each other; pass one.');
  const minutes = intFlag('idle-minutes', args.str('idle-minutes'));
  if (minutes !== undefined) flags['idle-minutes'] = minutes;
  if (args.str('schedule') !== undefined) flags.schedule = args.str('schedule');
  const threads = intFlag('max-threads', args.str('max-threads'));
  if (threads !== undefined) flags['max-threads'] = threads;
  const share = intFlag('gpu-share', args.str('gpu-share'));
  if (share !== undefined) flags['gpu-share'] = share;
  if (args.bool('on-battery')) flags['on-battery'] = true;
  const parsed = PolicyFileSchema.safeParse(flags);
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ');
    throw new RayfarmError('CLI_BAD_ARGS', msg);
  }
  let fromFlags: Partial<OperatorPolicy>;
  try {
    fromFlags = toPolicy(parsed.data);
  } catch (err) {
    throw new RayfarmError('CLI_BAD_ARGS', `--schedule: ${(err as Error).message}`);
  }
  return { ...fromFile, ...fromFlags };
}
