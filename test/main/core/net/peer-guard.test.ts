import { describe, expect, it } from 'vitest';
import { PeerGuard } from '../../../../main/core/net/peer-guard';

const LIMIT = { perSecond: 1, burst: 1 };

describe('PeerGuard keeps bounded state', () => {
  it('forgets peers idle past idleMs', () => {
    let t = 0;
    const g = new PeerGuard({ now: () => t, idleMs: 60_000 });
    for (let i = 0; i < 100; i++) g.allow(`peer-${i}`, 'k', LIMIT);
    expect(g.trackedCount()).toBe(100);
    t = 61_000;
    g.allow('fresh', 'k', LIMIT);
    expect(g.trackedCount()).toBe(1);
  });

  it('holds at most maxPeers however many new ids an attacker makes, and keeps the busy honest peer', () => {
    let t = 0;
    const g = new PeerGuard({ now: () => t, maxPeers: 500 });
    for (let i = 0; i < 20_000; i++) {
      t++;
      g.allow(`sybil-${i}`, 'k', LIMIT);
      // An honest peer that keeps talking stays recent, so it is never the one forgotten.
      if (i % 100 === 0) g.penalize('honest-but-noisy', 'timeout', 'slow once');
    }
    expect(g.trackedCount()).toBeLessThanOrEqual(500);
    expect(g.score('honest-but-noisy')).toBeLessThan(0);
  });

  it('still blocks a misbehaving peer, and forgets the block once it expires', () => {
    let t = 0;
    const g = new PeerGuard({ now: () => t, blockMs: 1000, idleMs: 10_000 });
    for (let i = 0; i < 5; i++) g.penalize('bad', 'bad-signature', 'forged');
    expect(g.isBlocked('bad')).toBe(true);
    expect(g.allow('bad', 'k', LIMIT)).toBe(false);
    t = 20_000;
    g.allow('other', 'k', LIMIT);
    expect(g.isBlocked('bad')).toBe(false);
    expect(g.trackedCount()).toBe(1);
  });
});
