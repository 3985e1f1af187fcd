/**
 * The fuzzer's seeded randomness and its generic mutators: one PRNG (mulberry32) so a run
 * is reproduced exactly by its seed, nasty values that broke parsers before, and mutation
 * of JSON values and bytes.
 */

/** A seeded random source. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
}

/** Strings that have broken decoders, path checks and parsers elsewhere. */
export const NASTY_STRINGS = [
  '',
  '%E0',
  '%',
  '%00',
  '\0',
  '../../../../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '/etc/passwd',
  'file:///etc/passwd',
  'http://127.0.0.1:1/x',
  'data:,%E0',
  'data:image/png;base64,!!!!',
  'data:application/octet-stream;base64,' + 'A'.repeat(64),
  'C:\\Windows\\win.ini',
  'a/../../b',
  '__proto__',
  'constructor',
  '\uFFFD',
  '\uD800',
  'x'.repeat(5000),
  '0x' + 'f'.repeat(130),
  'a'.repeat(64),
  '-1',
  'NaN',
  '1e309',
];

/** Numbers at the edges of every integer width and of float. */
export const NASTY_NUMBERS = [0, -1, 1, 0.5, -0.0, 2 ** 31 - 1, 2 ** 31, 2 ** 32, -(2 ** 31), 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 1e-320, 65536, 16385, 4294967295];

/** A random JSON value, at most `depth` levels deep. */
export function randomJson(rng: Rng, depth = 3): unknown {
  const r = rng.int(depth > 0 ? 8 : 5);
  switch (r) {
    case 0:
      return null;
    case 1:
      return rng.bool();
    case 2:
      return rng.pick(NASTY_NUMBERS);
    case 3:
      return rng.pick(NASTY_STRINGS);
    case 4:
      return rng.int(1000) - 10;
    case 5:
      return Array.from({ length: rng.int(4) }, () => randomJson(rng, depth - 1));
    case 6:
      return Object.fromEntries(Array.from({ length: rng.int(4) }, () => [rng.pick(['a', 'type', 'status', 'id', '__proto__', 'uri', 'index']), randomJson(rng, depth - 1)]));
    default:
      return rng.pick(['x', 'ok', 'open', 'request', 'png8', 'auto', 'economy']);
  }
}

type Path = (string | number)[];

function paths(v: unknown, prefix: Path = [], out: Path[] = [], depth = 0): Path[] {
  out.push(prefix);
  if (depth > 8 || out.length > 2000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out, depth + 1));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out, depth + 1);
  return out;
}

/** A copy of `value` with one to three random places replaced, deleted or duplicated. */
export function mutateJson(rng: Rng, value: unknown): unknown {
  let v = structuredClone(value);
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) {
    const all = paths(v);
    const path = rng.pick(all);
    if (path.length === 0) {
      if (rng.bool(0.1)) v = randomJson(rng);
      continue;
    }
    const parent = path.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], v) as Record<string | number, unknown>;
    const key = path[path.length - 1]!;
    const op = rng.int(6);
    if (op === 0 && !Array.isArray(parent)) delete parent[key];
    else if (op === 1 && typeof parent[key] === 'number') parent[key] = (parent[key] as number) + rng.pick([1, -1, 2 ** 31, -(2 ** 32), 0.5]);
    else if (op === 2 && Array.isArray(parent[key])) (parent[key] as unknown[]).push(...(parent[key] as unknown[]));
    else parent[key] = randomJson(rng, 2);
  }
  return v;
}

/** A copy of `bytes` with a few bytes flipped, a slice cut, or junk inserted. */
export function mutateBytes(rng: Rng, bytes: Uint8Array): Uint8Array {
  let b = Uint8Array.from(bytes);
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) {
    const op = rng.int(5);
    if (op === 0 && b.length) b[rng.int(b.length)] = rng.int(256);
    else if (op === 1) b = b.subarray(0, rng.int(b.length + 1));
    else if (op === 2) {
      const at = rng.int(b.length + 1);
      const junk = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.pick([0, 255, 0x7f, 0x80, rng.int(256)]));
      b = Uint8Array.from([...b.subarray(0, at), ...junk, ...b.subarray(at)]);
    } else if (op === 3 && b.length >= 4) {
      // Overwrite a 32-bit word with an edge value: lengths and offsets live in them.
      const at = rng.int(b.length - 3);
      new DataView(b.buffer, b.byteOffset).setUint32(at, rng.pick([0, 0xffffffff, 0x7fffffff, 0x80000000, b.length, b.length + 1]), true);
    } else if (b.length) {
      const at = rng.int(b.length);
      b[at] = b[at]! ^ (1 << rng.int(8));
    }
  }
  return b;
}
