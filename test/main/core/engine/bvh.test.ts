import { describe, expect, it } from 'vitest';
import { intersectRays, loadScene } from '../../../../main/core/engine/index';
import { SceneBuilder } from './fixtures';

// A small deterministic PRNG so failures reproduce.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('BVH traversal', () => {
  it('finds the same closest hits as brute force (4-wide and binary trees) on random rays through a triangle soup', async () => {
    const r = rng(7);
    const b = new SceneBuilder();
    const m = b.addMaterial();
    // Clustered and spread triangles of mixed sizes, plus a tessellated sphere.
    for (let i = 0; i < 1500; i++) {
      const c = [r() * 4 - 2, r() * 4 - 2, r() * 4 - 2];
      const s = r() < 0.8 ? 0.1 : 1;
      const v = () => [c[0]! + (r() - 0.5) * s, c[1]! + (r() - 0.5) * s, c[2]! + (r() - 0.5) * s] as [number, number, number];
      const i0 = b.vertex(v(), [0, 1, 0], [0, 0]), i1 = b.vertex(v(), [0, 1, 0], [0, 0]), i2 = b.vertex(v(), [0, 1, 0], [0, 0]);
      b.indices.push(i0, i1, i2);
      b.materialIndex.push(m);
    }
    b.sphere([0.5, 0.2, -0.3], 0.7, m, 16, 32);
    const scene = await loadScene(b.build());
    expect(scene.info.bvhDepth).toBeGreaterThan(3);
    const n = 4000;
    const rays = new Float32Array(n * 7);
    for (let i = 0; i < n; i++) {
      const o = [r() * 8 - 4, r() * 8 - 4, r() * 8 - 4];
      const t = [r() * 2 - 1, r() * 2 - 1, r() * 2 - 1];
      const d = [t[0]! - o[0]!, t[1]! - o[1]!, t[2]! - o[2]!];
      const l = Math.hypot(d[0]!, d[1]!, d[2]!);
      rays.set([o[0]!, o[1]!, o[2]!, d[0]! / l, d[1]! / l, d[2]! / l, i % 10 === 0 ? 2 : 1e30], i * 7);
    }
    const slow = intersectRays(scene, rays, 'brute');
    let hits = 0;
    for (const mode of ['bvh', 'bvh2'] as const) {
      const fast = intersectRays(scene, rays, mode);
      for (let i = 0; i < n; i++) {
        const tf = fast[i * 4]!, ts = slow[i * 4]!;
        expect(tf < 0).toBe(ts < 0);
        if (ts < 0) continue;
        hits++;
        // Same distance; the triangle may differ only when two are hit at exactly that distance.
        expect(tf).toBe(ts);
      }
    }
    expect(hits).toBeGreaterThan(n / 2); // counted over both trees
    scene.dispose();
  });

  it('misses everything in an empty scene', async () => {
    const scene = await loadScene(new SceneBuilder().build());
    const hits = intersectRays(scene, new Float32Array([0, 0, 0, 0, 0, -1, 1e30]));
    expect(hits[0]).toBe(-1);
    scene.dispose();
  });
});
