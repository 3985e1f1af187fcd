import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LeaseSchema } from '../../../../main/core/net/work';
import { JobSpecSchema, splitJob, taskAt } from '../../../../shared/job-spec';

const SCENE = 'a'.repeat(64);

function lease(task: unknown, spec: Record<string, unknown> = {}) {
  return {
    leaseId: 'l1',
    jobId: 'j1',
    ttlMs: 60_000,
    task,
    spec: { sceneId: SCENE, width: 64, height: 48, spp: 4, tiles: { x: 2, y: 2 }, frames: { start: 3, end: 9, step: 3 }, ...spec },
    scene: { hash: SCENE, bytes: 100 },
    engine: 'rayfarm-pt/2',
    price: { tier: 'economy', perBenchHour: '1' },
  };
}

describe('a lease is checked against its job spec', () => {
  it('taskAt(spec, i) is splitJob(spec)[i] for every task, and undefined past the end', () => {
    fc.assert(
      fc.property(
        fc.record({
          width: fc.integer({ min: 16, max: 300 }),
          height: fc.integer({ min: 16, max: 300 }),
          tx: fc.integer({ min: 1, max: 5 }),
          ty: fc.integer({ min: 1, max: 5 }),
          start: fc.integer({ min: 0, max: 50 }),
          count: fc.integer({ min: 0, max: 6 }),
          step: fc.integer({ min: 1, max: 4 }),
        }),
        ({ width, height, tx, ty, start, count, step }) => {
          const spec = JobSpecSchema.parse({ sceneId: SCENE, width, height, spp: 1, tiles: { x: tx, y: ty }, frames: { start, end: start + count * step, step } });
          const all = splitJob(spec);
          all.forEach((t, i) => expect(taskAt(spec, i)).toEqual(t));
          expect(taskAt(spec, all.length)).toBeUndefined();
          expect(taskAt(spec, -1)).toBeUndefined();
        },
      ),
      { seed: 14, numRuns: 200 },
    );
  });

  it('accepts the task the spec defines', () => {
    const spec = JobSpecSchema.parse(lease(null).spec);
    for (const t of splitJob(spec)) expect(LeaseSchema.safeParse(lease(t)).success).toBe(true);
  });

  it('refuses a rect outside the frame, a frame outside the range, a task past the end, and overflow-sized numbers', () => {
    const spec = JobSpecSchema.parse(lease(null).spec);
    const t = splitJob(spec)[5]!;
    const tampered = [
      { ...t, rect: { ...t.rect, width: t.rect.width + 1 } },
      { ...t, rect: { ...t.rect, x: 2147483000, width: 2147483000 } },
      { ...t, rect: { x: 0, y: 0, width: 64, height: 48 } },
      { ...t, frame: 4 },
      { ...t, frame: 2 ** 40 },
      { ...t, index: 999, id: 'f0999' },
      { ...t, tileX: 0 },
    ];
    for (const bad of tampered) expect(LeaseSchema.safeParse(lease(bad)).success, JSON.stringify(bad)).toBe(false);
  });
});
