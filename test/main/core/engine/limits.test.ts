import { Document } from '@gltf-transform/core';
import { describe, expect, it } from 'vitest';
import { flattenScene, MAX_TRIANGLES } from '../../../../main/core/engine/flatten';
import { decodeImage, MAX_TEXTURE_PIXELS } from '../../../../main/core/engine/flatten-materials';
import { checkDocument } from '../../../../main/core/scene/importer';
import { box, meshFrom } from '../../../../scripts/scenes/geometry';
import { encodePng } from '../../../../scripts/scenes/samples';

/** One box mesh (12 triangles) used by `copies` nodes. */
function instanced(copies: number): Document {
  const d = new Document();
  d.createBuffer();
  const mesh = meshFrom(d, 'box', box(1, 1, 1), null);
  const scene = d.createScene('s');
  for (let i = 0; i < copies; i++) scene.addChild(d.createNode(`n${i}`).setMesh(mesh).setTranslation([i * 2, 0, 0]));
  return d;
}

describe('operators take limits, not orders', () => {
  it('refuses a scene over the triangle cap once instances are counted, in words', () => {
    expect(() => flattenScene(instanced(10), { maxTriangles: 100 })).toThrow(expect.objectContaining({ code: 'SCENE_TOO_LARGE', message: expect.stringMatching(/more than 100 triangles once every instance/) }));
    expect(flattenScene(instanced(8), { maxTriangles: 100 }).triangles).toBe(96);
  });

  it("the creator's import check counts instances too, against the real cap", () => {
    // A 100,000-triangle mesh, used often enough to pass the cap.
    const n = 100_000;
    const positions: number[] = [];
    const indices: number[] = [];
    for (let i = 0; i < n; i++) {
      positions.push(i, 0, 0, i + 1, 0, 0, i, 1, 0);
      indices.push(3 * i, 3 * i + 1, 3 * i + 2);
    }
    const copies = Math.floor(MAX_TRIANGLES / n) + 1;
    const d = new Document();
    d.createBuffer();
    const mesh = meshFrom(d, 'strip', { positions, normals: [], uvs: [], indices }, null);
    const scene = d.createScene('s');
    // One parent holding many children that share one mesh: tiny file, huge scene.
    const parent = d.createNode('parent');
    scene.addChild(parent);
    for (let i = 0; i < copies; i++) parent.addChild(d.createNode('').setMesh(mesh));
    const problems = checkDocument(d);
    expect(problems.find((p) => p.code === 'SCENE_TOO_LARGE')).toMatchObject({ severity: 'error', message: expect.stringMatching(/16,100,000 triangles once every instance/) });
  });

  it('decodes no image whose header claims more pixels than the cap', () => {
    const png = Buffer.from(encodePng(2, 2, new Uint8Array(16).fill(255)));
    png.writeUInt32BE(40000, 16);
    png.writeUInt32BE(40000, 20);
    expect(40000 * 40000).toBeGreaterThan(MAX_TEXTURE_PIXELS);
    expect(() => decodeImage(png)).toThrow(/more than the 67108864 a texture may have/);
  });
});
