/**
 * The `[network]` section of a farm config (farm.toml, or `"network"` in the JSON form): the
 * bootstrap peers every machine of a studio dials, and whether this machine relays for others
 * or answers DHT queries. `rayfarm node --config FILE` (or RAYFARM_CONFIG) reads it; flags add to it.
 */
import { readFileSync } from 'node:fs';
import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';
import { RayfarmError } from '../errors';

const NetworkSectionSchema = z
  .object({
    bootstrap: z.array(z.string().min(1).max(400)).max(64),
    relay: z.boolean(),
    'dht-server': z.boolean(),
    upnp: z.boolean(),
  })
  .partial()
  .strict();

/** The keys a `[network]` section may hold. */
export type FarmNetwork = z.infer<typeof NetworkSectionSchema>;

function bad(message: string): RayfarmError {
  return new RayfarmError('POLICY_BAD_CONFIG', message);
}

/** Reads the `[network]` section of a farm config file; an absent section is `{}`. */
export function readFarmNetwork(file: string): FarmNetwork {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw bad(`Cannot read the config file ${file}: ${(err as Error).message}`);
  }
  let doc: Record<string, unknown>;
  try {
    doc = text.trimStart().startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : parseToml(text);
  } catch (err) {
    // The operator policy reader names syntax errors with line and column; this says which file.
    const why = err instanceof TomlError ? `${err.line}:${err.column}: not valid TOML` : `not valid JSON: ${(err as Error).message}`;
    throw bad(`${file}:${why}`);
  }
  const section = doc?.network;
  if (section === undefined) return {};
  if (typeof section !== 'object' || section === null || Array.isArray(section)) throw bad(`${file}: network must be a section ([network]).`);
  const snake = Object.fromEntries(Object.entries(section).map(([k, v]) => [k.replace(/_/g, '-'), v]));
  const parsed = NetworkSectionSchema.safeParse(snake);
  if (!parsed.success) {
    throw bad(`The config file is not valid: ${parsed.error.issues.map((i) => `${file}: [network] ${i.path.join('.') || ''}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
