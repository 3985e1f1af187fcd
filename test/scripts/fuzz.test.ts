import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzz, loadFixtures, runOne } from '../../scripts/fuzz/fuzz-run';
import { allTargets } from '../../scripts/fuzz/targets';

const targets = allTargets();

describe('the fuzzer', () => {
  beforeAll(async () => {
    for (const t of targets) await t.setup?.();
  });
  afterAll(async () => {
    for (const t of targets) await t.teardown?.();
  });

  // Every input that once crashed or hung a node is replayed: each must now be handled.
  for (const f of loadFixtures()) {
    it(`no longer fails on a stored ${f.target} input (${f.found.split('\n')[0]!.slice(0, 80)})`, async () => {
      const target = targets.find((t) => t.name === f.target);
      expect(target, `target ${f.target}`).toBeDefined();
      expect(await runOne(target!, f.input, 10_000)).toBeUndefined();
    });
  }
});

describe('a short fuzz run', () => {
  it('finds no crash and no hang in a few hundred seeded inputs', async () => {
    const r = await fuzz(allTargets(), { inputs: 400, seed: 20261203, hangMs: 10_000, store: false });
    expect(r.findings.map((f) => `${f.target}: ${f.found.split('\n')[0]}`)).toEqual([]);
    expect(r).toMatchObject({ inputs: 400, crashes: 0, hangs: 0 });
  });
});
