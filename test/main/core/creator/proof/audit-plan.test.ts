import { describe, expect, it } from 'vitest';
import { AUDIT_FLOOR_RATE, AuditPlan, auditDraw } from '../../../../../main/core/creator/proof/audit-plan';

const secret = new Uint8Array(32).fill(7);
const r = (i: number, verified = 10) => ({ jobId: 'job-1', taskIndex: i, leaseId: `lease-${i}`, verified });

/** Holds `n` re-renders in flight until released. */
function occupy(plan: AuditPlan, n: number): () => void {
  const releases: (() => void)[] = [];
  for (let i = 0; i < n; i++) void plan.run(() => new Promise<void>((res) => releases.push(res)));
  return () => releases.forEach((f) => f());
}

describe('AuditPlan', () => {
  it('auditDraw: keyed by the creator secret, the same for the same job, task and lease', () => {
    expect(auditDraw(secret, 'j', 1, 'l')).toBe(auditDraw(secret, 'j', 1, 'l'));
    expect(auditDraw(secret, 'j', 1, 'l')).not.toBe(auditDraw(new Uint8Array(32).fill(8), 'j', 1, 'l'));
    expect(auditDraw(secret, 'j', 1, 'l')).not.toBe(auditDraw(secret, 'j', 1, 'l2'));
  });

  it('floorRate 1 re-renders every result however full the backlog', async () => {
    const plan = new AuditPlan({ secret, spare: 2, maxBacklog: 4, floorRate: 1 });
    const release = occupy(plan, 50);
    for (let i = 0; i < 500; i++) expect(plan.decide(r(i, 100))).not.toBe('skipped');
    release();
    await new Promise((res) => setImmediate(res));
  });

  it('by default, with a small backlog, every result is re-rendered before its answer (paid at once, nothing held)', () => {
    const plan = new AuditPlan({ secret });
    for (let i = 0; i < 200; i++) expect(plan.decide({ ...r(i, 100), held: 0 })).toBe('spare');
  });

  it("under load an operator's results are drawn at the floor rate until its held tail reaches maxHeld: then its next result is re-rendered for certain", async () => {
    const plan = new AuditPlan({ secret, spare: 1, maxHeld: 10 });
    const release = occupy(plan, 1);
    expect(plan.rate(0)).toBe(AUDIT_FLOOR_RATE);
    expect(plan.rate(9)).toBe(AUDIT_FLOOR_RATE);
    for (let i = 0; i < 100; i++) expect(plan.decide({ ...r(i), held: 10 })).toBe('floor');
    release();
    await new Promise((res) => setImmediate(res));
  });

  it("under load a newcomer's result past the backlog is re-rendered later ('lazy'), never just skipped", async () => {
    const plan = new AuditPlan({ secret, spare: 2, maxBacklog: 4 });
    const release = occupy(plan, 4);
    const reasons = new Set(Array.from({ length: 300 }, (_, i) => plan.decide(r(i, 0))));
    expect(reasons.has('skipped')).toBe(false);
    expect(reasons.has('lazy')).toBe(true);
    release();
    await new Promise((res) => setImmediate(res));
  });

  it('re-renders every result while the creator has a free slot', () => {
    const plan = new AuditPlan({ secret, spare: 2 });
    for (let i = 0; i < 200; i++) expect(plan.decide(r(i))).not.toBe('skipped');
  });

  it('under load: a newcomer is still re-rendered while the backlog has room; others at the floor rate only', async () => {
    const plan = new AuditPlan({ secret, spare: 2, maxBacklog: 4, floorRate: AUDIT_FLOOR_RATE });
    const release = occupy(plan, 2);
    expect(plan.decide(r(1, 0))).not.toBe('skipped');
    let audited = 0;
    const n = 5000;
    for (let i = 0; i < n; i++) if (plan.decide(r(i)) !== 'skipped') audited++;
    // Only the keyed floor draws: about AUDIT_FLOOR_RATE of them, never none.
    expect(audited / n).toBeGreaterThan(AUDIT_FLOOR_RATE / 2);
    expect(audited / n).toBeLessThan(AUDIT_FLOOR_RATE * 2);
    release();
    await Promise.resolve();
  });

  it('a full backlog sends newcomers to the background, beside the floor draws, and the backlog is counted', async () => {
    const plan = new AuditPlan({ secret, spare: 2, maxBacklog: 4, floorRate: AUDIT_FLOOR_RATE });
    const release = occupy(plan, 4);
    expect(plan.backlog).toBe(4);
    const reasons = new Set(Array.from({ length: 300 }, (_, i) => plan.decide(r(i, 0))));
    expect(reasons).toEqual(new Set(['lazy', 'floor']));
    release();
    await new Promise((res) => setImmediate(res));
    expect(plan.backlog).toBe(0);
    expect(plan.maxInFlight).toBe(4);
  });
});
