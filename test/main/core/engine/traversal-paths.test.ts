import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// An operator's CPU decides which node test walks the 8-wide tree (AVX2, SSE or plain C++).
// Proof of render compares pixels across operators, so every test must find the same hits in
// the same order: each runs in its own process (the choice is made once per process) and the
// images must be the same bits.
function render(traversal?: string): { traversal: string; hashes: string[] } {
  const env = { ...process.env };
  if (traversal) env.RAYFARM_TRAVERSAL = traversal;
  else delete env.RAYFARM_TRAVERSAL;
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'test/main/core/engine/traversal-child.ts'], { env, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { traversal: string; hashes: string[] };
}

describe('CPU traversal paths', () => {
  it('AVX2, SSE and scalar node tests render the same bits (terrain and Cornell room)', () => {
    const best = render();
    const sse = render('sse');
    const scalar = render('scalar');
    expect(scalar.traversal).toBe('scalar');
    // On x86 the default is SSE or AVX2; the narrowed runs really took another path.
    if (process.arch === 'x64') {
      expect(['sse', 'avx2']).toContain(best.traversal);
      expect(sse.traversal).toBe('sse');
    }
    expect(sse.hashes).toEqual(best.hashes);
    expect(scalar.hashes).toEqual(best.hashes);
  }, 120_000);
});
