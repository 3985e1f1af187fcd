import { describe, expect, it } from 'vitest';
import { frameFileName, frameSeed, jobFrames, JobSpecSchema, splitJob, validateJobSpec } from '../../shared/job-spec';

const sceneId = 'a'.repeat(64);
const base = { sceneId, width: 640, height: 360, spp: 16 };

function problemsOf(input: unknown): { field: string; message: string }[] {
  const r = validateJobSpec(input);
  if (r.ok) throw new Error('expected the spec to be rejected');
  return r.problems;
}

describe('job spec', () => {
  it('fills defaults for a minimal spec', () => {
    const r = validateJobSpec(base);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec).toMatchObject({ camera: 'auto', frames: { start: 0, end: 0, step: 1 }, tiles: { x: 1, y: 1 }, output: 'png8', tier: 'economy', environment: 'auto', fps: 24 });
  });

  it.each([
    [{ ...base, sceneId: 'abc' }, 'sceneId', /sha256/],
    [{ ...base, width: 8 }, 'width', /at least 16/],
    [{ ...base, height: 20000 }, 'height', /at most 16384/],
    [{ ...base, width: 10.5 }, 'width', /whole number/],
    [{ ...base, spp: 0 }, 'spp', /at least 1/],
    [{ ...base, spp: 'many' }, 'spp', /must be a number/],
    [{ ...base, frames: { start: 10, end: 2 } }, 'frames.end', /comes before/],
    [{ ...base, frames: { start: -1, end: 2 } }, 'frames.start', /negative/],
    [{ ...base, frames: { start: 0, end: 2, step: 0 } }, 'frames.step', /at least 1/],
    [{ ...base, tiles: { x: 0, y: 2 } }, 'tiles.x', /at least 1/],
    [{ ...base, tiles: { x: 65, y: 2 } }, 'tiles.x', /at most 64/],
    [{ ...base, seed: -3 }, 'seed', /negative/],
    [{ ...base, maxDepth: 0 }, 'maxDepth', /at least 1/],
    [{ ...base, output: 'jpeg' }, 'output', /png8/],
    [{ ...base, tier: 'gold' }, 'tier', /economy/],
    [{ ...base, camera: -1 }, 'camera', /.+/],
    [{ ...base, environment: { color: [1, 2] } }, 'environment', /.+/],
    [{ ...base, width: 16384, height: 16384 }, 'width', /at most 67108864 pixels/],
    [{ ...base, fps: 0 }, 'fps', /above 0/],
    [{ ...base, colour: 'red' }, '', /unknown field "colour"/],
    [{ width: 64, height: 64, spp: 1 }, 'sceneId', /required/],
  ])('rejects %j naming the field', (input, field, reason) => {
    const problems = problemsOf(input);
    const p = problems.find((x) => x.field === field || x.field.startsWith(`${field}.`));
    expect(p, JSON.stringify(problems)).toBeDefined();
    expect(p!.message).toMatch(reason);
  });

  it('joins problems into one message for the API', () => {
    const r = validateJobSpec({ ...base, spp: 0, width: 3 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message).toMatch(/width: .*spp: |spp: .*width: /);
  });
});

describe('splitJob', () => {
  it('makes one task per frame for an animation', () => {
    const spec = JobSpecSchema.parse({ ...base, frames: { start: 1, end: 24, step: 2 } });
    const tasks = splitJob(spec);
    expect(tasks.map((t) => t.frame)).toEqual(jobFrames(spec));
    expect(tasks).toHaveLength(12);
    expect(tasks[0]).toMatchObject({ id: 'f0001', rect: { x: 0, y: 0, width: 640, height: 360 } });
  });

  it('splits a still into tiles that cover the frame exactly once', () => {
    const spec = JobSpecSchema.parse({ ...base, width: 101, height: 37, tiles: { x: 3, y: 4 } });
    const tasks = splitJob(spec);
    expect(tasks).toHaveLength(12);
    const cover = new Uint8Array(101 * 37);
    for (const t of tasks) {
      expect(t.rect.width).toBeGreaterThan(0);
      for (let y = t.rect.y; y < t.rect.y + t.rect.height; y++) for (let x = t.rect.x; x < t.rect.x + t.rect.width; x++) cover[y * 101 + x]!++;
    }
    expect(cover.every((c) => c === 1)).toBe(true);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(12);
    expect(tasks.map((t) => t.index)).toEqual([...Array(12).keys()]);
  });

  it('gives frames different seeds and tiles of a frame the same one', () => {
    expect(frameSeed({ seed: 1 }, 0)).not.toBe(frameSeed({ seed: 1 }, 1));
    expect(frameSeed({ seed: 1 }, 5)).toBe(frameSeed({ seed: 1 }, 5));
    expect(frameSeed({ seed: 2 }, 5)).not.toBe(frameSeed({ seed: 1 }, 5));
    expect(frameSeed({ seed: 0xffffffff }, 100000)).toBeLessThanOrEqual(0xffffffff);
  });

  it('names output files', () => {
    expect(frameFileName(1, 'png16')).toBe('frame-0001.png');
    expect(frameFileName(12345, 'exr-half')).toBe('frame-12345.exr');
  });
});

describe('the environment of a job', () => {
  const base = { sceneId: 'a'.repeat(64), width: 64, height: 64, spp: 4 };
  const sha = 'b'.repeat(64);

  it('accepts auto, studio, none, a colour and a packed map named by sha256', () => {
    for (const environment of ['auto', 'default', 'none', { color: [0.2, 0.3, 0.4] }, { hdri: sha }, { hdri: sha, intensity: 2.5 }]) {
      const r = validateJobSpec({ ...base, environment });
      expect(r.ok, JSON.stringify(environment)).toBe(true);
    }
  });

  it('refuses a map named by a path (inside or outside the scene), a bad intensity or an unknown field, in words', () => {
    const cases: [unknown, RegExp][] = [
      [{ hdri: '../../../home/me/.ssh/id_rsa' }, /sha256 of its .hdr file.*not by a path/],
      [{ hdri: 'sky.hdr' }, /not by a path/],
      [{ hdri: sha.toUpperCase() }, /lower-case hex/],
      [{ hdri: sha, intensity: -1 }, /cannot be negative/],
      [{ hdri: sha, intensity: 1e9 }, /at most 1000/],
      [{ hdri: sha, file: '/etc/passwd' }, /unknown field "file"/],
      ['studio', /must be 'auto', 'default', 'none'/],
    ];
    for (const [environment, why] of cases) {
      const r = validateJobSpec({ ...base, environment });
      expect(r.ok, JSON.stringify(environment)).toBe(false);
      if (!r.ok) expect(r.message, JSON.stringify(environment)).toMatch(why);
    }
  });
});
