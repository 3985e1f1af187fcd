import { describe, expect, it } from 'vitest';
import { flattenScene } from '../../../../main/core/engine/flatten';
import { createGltfIO, readGlb } from '../../../../main/core/engine/gltf-io';
import { loadScene, renderTile } from '../../../../main/core/engine/index';
import { glassScene, textureTransformScene } from '../../../../scripts/scenes/material-samples';
import { meanLuminance, writePng } from './fixtures';

const W = 320, H = 180;

/** Packs a sample document as the app does (a GLB), reads it back, flattens and renders it. */
async function renderSample(build: () => ReturnType<typeof glassScene>, png: string, spp: number): Promise<{ px: Float32Array; warnings: string[]; json: unknown }> {
  const glb = await createGltfIO().writeBinary(build());
  const doc = await readGlb(glb);
  const flat = flattenScene(doc);
  const scene = await loadScene(flat.buffers);
  try {
    const px = await renderTile({ scene, camera: flat.camera, width: W, height: H, spp, seed: 7, maxDepth: 8, threads: 2 });
    writePng(png, px, W, H);
    return { px, warnings: flat.warnings, json: (await createGltfIO().writeJSON(doc)).json };
  } finally {
    scene.dispose();
  }
}

describe('the material sample scenes', () => {
  it('glass.glb renders glass, liquid, frosted glass, a pane, a coated and a velvet ball (test-results/sample-glass.png)', async () => {
    const { px, warnings, json } = await renderSample(glassScene, 'test-results/sample-glass.png', 24);
    expect(warnings).toEqual([]);
    const used = (json as { extensionsUsed?: string[] }).extensionsUsed ?? [];
    for (const ext of ['KHR_materials_transmission', 'KHR_materials_ior', 'KHR_materials_volume', 'KHR_materials_clearcoat', 'KHR_materials_sheen', 'KHR_texture_transform']) expect(used).toContain(ext);
    expect(px.every(Number.isFinite)).toBe(true);
    const all = meanLuminance(px, W, { x: 0, y: 0, width: W, height: H });
    expect(all).toBeGreaterThan(0.2);
  });

  it('texture-transform.glb shows one texture moved, turned and tiled (test-results/sample-texture-transform.png)', async () => {
    const { px, warnings } = await renderSample(textureTransformScene, 'test-results/sample-texture-transform.png', 16);
    expect(warnings).toEqual([]);
    expect(px.every(Number.isFinite)).toBe(true);
  });

  it('renders glass, volumes, coats, sheen and mip-mapped transformed textures deterministically: twice, and tile = frame', async () => {
    const flat = flattenScene(await readGlb(await createGltfIO().writeBinary(glassScene())));
    const scene = await loadScene(flat.buffers);
    try {
      const base = { scene, camera: flat.camera, width: 64, height: 36, spp: 4, seed: 11, maxDepth: 8 };
      const a = await renderTile({ ...base, threads: 2 });
      const b = await renderTile({ ...base, threads: 1 });
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
      const rect = { x: 20, y: 10, width: 24, height: 16 };
      const tile = await renderTile({ ...base, rect, threads: 2 });
      for (let y = 0; y < rect.height; y++) {
        const row = a.subarray(((rect.y + y) * 64 + rect.x) * 4, ((rect.y + y) * 64 + rect.x + rect.width) * 4);
        expect(Buffer.from(tile.buffer, y * rect.width * 16, rect.width * 16).equals(Buffer.from(row.buffer, row.byteOffset, row.byteLength))).toBe(true);
      }
    } finally {
      scene.dispose();
    }
  });
});
