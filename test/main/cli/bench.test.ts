import { execFileSync, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = join(ROOT, 'bin/rayfarm.mjs');

describe('rayfarm bench', () => {
  it('prints one JSON result per device with a score proportional to samples/s', () => {
    const out = execFileSync(process.execPath, [BIN, 'bench', '--json', '--quick', '--backend', 'cpu', '--threads', '1'], { cwd: ROOT, encoding: 'utf8' });
    const lines = out.trim().split('\n').map((l) => JSON.parse(l) as { backend: string; threads: number; samplesPerSecond: number; score: number; samples: number });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.backend).toBe('cpu');
    expect(lines[0]!.threads).toBe(1);
    expect(lines[0]!.samples).toBe(64 * 64 * 4);
    expect(lines[0]!.score).toBeCloseTo(lines[0]!.samplesPerSecond / 10_000, 6);
  });

  it('refuses a bad option with a clear message and exit code 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'bench', '--threads', 'lots'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--threads must be a whole number');
  });
});
