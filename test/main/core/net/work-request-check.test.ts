import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from '../../../../main/core/net/codec';
import { ENGINE_ID, MAX_TASKS_PER_REQUEST, WORK_LIMITS, WorkRequestSchema } from '../../../../main/core/net/work';
import { quickWorkRequest } from '../../../../main/core/net/work/request-check';

const good = { type: 'request', jobId: 'job-abc-123', offer: { engines: [ENGINE_ID], maxSceneBytes: 1 << 30 }, count: 2 };

/** Hostile variants of the two shapes the quick check accepts: every field wrong in the ways a peer can make it wrong. */
const value = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 10 }),
  fc.constantFrom(0.5, -0, 1e300, 2 ** 53, Number.MAX_SAFE_INTEGER, MAX_TASKS_PER_REQUEST + 1, 10_000),
  fc.constantFrom('', 'x', 'job-abc', 'l-0011', 'a b', 'é', 'x'.repeat(80), 'x'.repeat(81), ENGINE_ID, 'e'.repeat(41), 'request', 'renew', 'release'),
  fc.constant([]),
  fc.constant({}),
);
const offer = fc.oneof(
  fc.record({ engines: fc.oneof(fc.array(value, { maxLength: 10 }), value), maxSceneBytes: value }, { requiredKeys: [] }),
  fc.record({ engines: fc.constant([ENGINE_ID]), maxSceneBytes: fc.constant(1000), extra: value }),
  value,
);
const message = fc.oneof(
  fc.record({ type: fc.constantFrom('request', 'renew', 'release', 'fail', 'x'), jobId: value, offer, count: value, leaseId: value, reason: value }, { requiredKeys: [] }),
  fc.record({ type: fc.constant('renew'), leaseId: value }),
  fc.record({ type: fc.constant('request'), offer, count: value }),
  fc.record({ type: fc.constant('request'), jobId: value, offer }),
);

describe('the work protocol quick check (no zod on the frequent messages)', () => {
  it('accepts only what WorkRequestSchema accepts, and gives the same value', () => {
    fc.assert(
      fc.property(message, (m) => {
        // Through JSON, as on the wire (undefined fields vanish).
        const raw: unknown = JSON.parse(JSON.stringify(m) ?? 'null');
        const quick = quickWorkRequest(raw);
        const zod = WorkRequestSchema.safeParse(raw);
        if (quick !== undefined) {
          expect(zod.success).toBe(true);
          expect(quick).toEqual(zod.data);
        }
      }),
      { seed: 16, numRuns: 5000 },
    );
  });

  it('agrees with the schema on every one-field change of a good request and renewal', () => {
    const bad: unknown[] = [undefined, null, true, -1, 0, 0.5, 1, 2, MAX_TASKS_PER_REQUEST, MAX_TASKS_PER_REQUEST + 1, 2 ** 53, 1e300, '', 'a b', 'x'.repeat(80), 'x'.repeat(81), ENGINE_ID, 'e'.repeat(41), [], [ENGINE_ID], Array(9).fill(ENGINE_ID), [1], {}];
    const cases: unknown[] = [];
    for (const v of bad) {
      for (const k of ['type', 'jobId', 'count', 'offer', 'extra']) cases.push({ ...good, [k]: v });
      for (const k of ['engines', 'maxSceneBytes', 'extra']) cases.push({ ...good, offer: { ...good.offer, [k]: v } });
      cases.push({ type: 'renew', leaseId: v }, { type: 'renew', leaseId: 'l-1', extra: v });
    }
    let accepted = 0;
    for (const c of cases) {
      const raw: unknown = JSON.parse(JSON.stringify(c));
      const quick = quickWorkRequest(raw);
      const zod = WorkRequestSchema.safeParse(raw);
      if (quick !== undefined) accepted++;
      // The quick check takes every well-formed one of these too (it is not merely refusing everything).
      expect(quick !== undefined).toBe(zod.success);
      if (quick !== undefined) expect(quick).toEqual(zod.data);
    }
    expect(accepted).toBeGreaterThan(10);
  });

  it('takes the well-formed request and renewal itself', () => {
    expect(quickWorkRequest(JSON.parse(JSON.stringify(good)))).toEqual(good);
    expect(quickWorkRequest({ type: 'renew', leaseId: 'l-00ff' })).toEqual({ type: 'renew', leaseId: 'l-00ff' });
    const { count: _c, jobId: _j, ...plain } = good;
    expect(quickWorkRequest(plain)).toEqual(plain);
  });

  it('leaves a polluted or unexpected object to the schema, which refuses it', () => {
    for (const text of ['{"type":"renew","leaseId":"l-1","__proto__":{"x":1}}', '{"type":"request","offer":{"engines":[],"maxSceneBytes":1},"__proto__":{}}']) {
      const raw: unknown = JSON.parse(text);
      expect(quickWorkRequest(raw)).toBeUndefined();
      expect(() => decodeJson(new TextEncoder().encode(text), WorkRequestSchema, WORK_LIMITS.maxMessageBytes, quickWorkRequest)).toThrow(/schema/);
    }
  });

  it('refuses a request for 10,000 tasks at once as malformed', () => {
    const bytes = encodeJson({ ...good, count: 10_000 });
    expect(quickWorkRequest(JSON.parse(new TextDecoder().decode(bytes)))).toBeUndefined();
    expect(() => decodeJson(bytes, WorkRequestSchema, WORK_LIMITS.maxMessageBytes, quickWorkRequest)).toThrow(expect.objectContaining({ code: 'NET_BAD_MESSAGE' }));
  });
});
