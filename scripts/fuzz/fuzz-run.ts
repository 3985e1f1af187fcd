/**
 * The fuzzer's loop: draws inputs for each target from one seed, runs them, and counts
 * crashes (anything a target did not expect: an exception, an unhandled rejection, a
 * broken invariant) and hangs (an input that took longer than `hangMs`). Every failing
 * input is stored under test/fixtures/fuzz/ so a test replays it from then on.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from './rng';

/** One thing the fuzzer attacks. Inputs must survive JSON (bytes travel as base64 strings). */
export interface FuzzTarget {
  name: string;
  /** Relative share of the inputs. */
  weight: number;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  generate(rng: Rng): unknown;
  /** Throws (or rejects) when the input found a bug; expected refusals return normally. */
  run(input: unknown): Promise<void> | void;
}

/** A stored failing input. */
export interface FuzzFixture {
  target: string;
  input: unknown;
  /** What went wrong when it was found. */
  found: string;
}

/** The run's one-line result. */
export interface FuzzSummary {
  inputs: number;
  crashes: number;
  hangs: number;
  seconds: number;
}

/** Where failing inputs are kept. */
export const FIXTURE_DIR = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'fuzz');
const PENDING = join(FIXTURE_DIR, '.pending.json');

class Hang extends Error {}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<void>((_r, reject) => (t = setTimeout(() => reject(new Hang(`no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

/** Stores a failing input; returns its file name (the same input always gets the same name). */
export function storeFixture(f: FuzzFixture): string {
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const text = JSON.stringify({ target: f.target, input: f.input });
  const name = `${f.target}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}.json`;
  writeFileSync(join(FIXTURE_DIR, name), `${JSON.stringify(f, null, 1)}\n`);
  return name;
}

/** Every stored fixture. */
export function loadFixtures(): FuzzFixture[] {
  if (!existsSync(FIXTURE_DIR)) return [];
  return readdirSync(FIXTURE_DIR)
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .sort()
    .map((n) => JSON.parse(readFileSync(join(FIXTURE_DIR, n), 'utf8')) as FuzzFixture);
}

/** Runs one input of a target; resolves with the failure, or undefined when it was handled. */
export async function runOne(target: FuzzTarget, input: unknown, hangMs: number): Promise<{ kind: 'crash' | 'hang'; message: string } | undefined> {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  const onException = (err: unknown) => rejections.push(err);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  const t0 = performance.now();
  try {
    await withTimeout(Promise.resolve().then(() => target.run(input)), hangMs);
    // Let a rejection the input caused surface before judging it.
    await new Promise((r) => setImmediate(r));
    if (rejections.length) return { kind: 'crash', message: `unhandled: ${describe(rejections[0])}` };
    const ms = performance.now() - t0;
    if (ms > hangMs) return { kind: 'hang', message: `took ${Math.round(ms)} ms` };
    return undefined;
  } catch (err) {
    if (err instanceof Hang) return { kind: 'hang', message: err.message };
    return { kind: 'crash', message: describe(err) };
  } finally {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 500) + (err.stack ? `\n${err.stack.split('\n').slice(1, 4).join('\n')}` : '');
  return String(err).slice(0, 500);
}

/** Runs `inputs` inputs spread over the targets by weight; prints nothing, returns the summary and the findings. */
export async function fuzz(targets: FuzzTarget[], opts: { inputs: number; seed: number; hangMs?: number; store?: boolean; log?: (line: string) => void }): Promise<FuzzSummary & { findings: FuzzFixture[] }> {
  const hangMs = opts.hangMs ?? 5000;
  const log = opts.log ?? (() => undefined);
  // A native crash kills the process mid-input: the input it was on is kept as a fixture next time.
  if (opts.store !== false && existsSync(PENDING)) {
    const pending = JSON.parse(readFileSync(PENDING, 'utf8')) as FuzzFixture;
    log(`fuzz: the previous run died on a ${pending.target} input; stored as ${storeFixture({ ...pending, found: 'the process died' })}`);
    rmSync(PENDING, { force: true });
  }
  const rng = new Rng(opts.seed);
  const total = targets.reduce((s, t) => s + t.weight, 0);
  const findings: FuzzFixture[] = [];
  let crashes = 0;
  let hangs = 0;
  const t0 = performance.now();
  for (const t of targets) await t.setup?.();
  try {
    for (let i = 0; i < opts.inputs; i++) {
      let x = rng.next() * total;
      const target = targets.find((t) => (x -= t.weight) < 0) ?? targets[targets.length - 1]!;
      const input = target.generate(rng);
      if (opts.store !== false) writeFileSync(PENDING, JSON.stringify({ target: target.name, input, found: '' }));
      const failure = await runOne(target, input, hangMs);
      if (failure) {
        if (failure.kind === 'crash') crashes++;
        else hangs++;
        const f = { target: target.name, input, found: `${failure.kind}: ${failure.message}` };
        findings.push(f);
        const file = opts.store !== false ? storeFixture(f) : '(not stored)';
        log(`fuzz: ${failure.kind} in ${target.name} (${file}): ${failure.message.split('\n')[0]}`);
      }
    }
  } finally {
    if (opts.store !== false) rmSync(PENDING, { force: true });
    for (const t of targets) await t.teardown?.();
  }
  return { inputs: opts.inputs, crashes, hangs, seconds: Math.round((performance.now() - t0) / 100) / 10, findings };
}

