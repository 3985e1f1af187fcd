import { Document } from '@gltf-transform/core';
import type { Material } from '@gltf-transform/core';
import {
  KHRMaterialsClearcoat, KHRMaterialsEmissiveStrength, KHRMaterialsIOR, KHRMaterialsSheen, KHRMaterialsTransmission, KHRMaterialsVolume, KHRTextureTransform,
} from '@gltf-transform/extensions';
import { describe, expect, it } from 'vitest';
import { flattenScene } from '../../../../main/core/engine/flatten';
import { loadScene, renderTile } from '../../../../main/core/engine/index';
import type { SceneBuffers } from '../../../../main/core/engine/types';
import { primitiveFrom } from '../../../../scripts/scenes/geometry';
import { encodePng } from '../../../../scripts/scenes/samples';
import { cameraAt, meanChannel } from './fixtures';

/** A document with one unit quad in the z = 0 plane (uv 0..1, v down the image), facing +z. */
function quadDoc(material: (d: Document) => Material): { d: Document; flat: () => ReturnType<typeof flattenScene> } {
  const d = new Document();
  d.createBuffer();
  const scene = d.createScene('s');
  const mesh = d.createMesh('q').addPrimitive(primitiveFrom(d, {
    positions: [-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0], normals: [0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1],
    uvs: [0, 1, 1, 1, 1, 0, 0, 0], indices: [0, 1, 2, 0, 2, 3],
  }, material(d)));
  scene.addChild(d.createNode('q').setMesh(mesh));
  return { d, flat: () => flattenScene(d, { environment: 'none' }) };
}

/** Renders the quad head-on, filling the frame. */
async function renderFlat(buffers: SceneBuffers, W = 16): Promise<Float32Array> {
  const scene = await loadScene(buffers);
  try {
    return await renderTile({ scene, camera: cameraAt([0, 0, 2], 0.6), width: W, height: W, spp: 4, seed: 1, maxDepth: 0, threads: 2 });
  } finally {
    scene.dispose();
  }
}

/** An 8×1 image: red on the left half, green on the right. */
function redGreen(d: Document) {
  const px = new Uint8Array(32);
  for (let x = 0; x < 8; x++) px.set(x < 4 ? [255, 0, 0, 255] : [0, 255, 0, 255], x * 4);
  return d.createTexture('rg').setImage(encodePng(8, 1, px)).setMimeType('image/png');
}

describe('glTF material extensions reach the engine', () => {
  it('KHR_materials_emissive_strength: an emitter seen head-on has radiance factor × strength', async () => {
    const { flat } = quadDoc((d) => {
      const ext = d.createExtension(KHRMaterialsEmissiveStrength);
      return d.createMaterial('lamp').setBaseColorFactor([0, 0, 0, 1]).setEmissiveFactor([1, 0.5, 0.25])
        .setExtension('KHR_materials_emissive_strength', ext.createEmissiveStrength().setEmissiveStrength(12));
    });
    const px = await renderFlat(flat().buffers);
    const mid = { x: 4, y: 4, width: 8, height: 8 };
    expect(meanChannel(px, 16, mid, 0)).toBeCloseTo(12, 4);
    expect(meanChannel(px, 16, mid, 1)).toBeCloseTo(6, 4);
    expect(meanChannel(px, 16, mid, 2)).toBeCloseTo(3, 4);
  });

  it('reads transmission, ior, volume, clear coat and sheen with their textures', () => {
    const { flat } = quadDoc((d) => {
      const tex = redGreen(d);
      const m = d.createMaterial('glass');
      m.setExtension('KHR_materials_transmission', d.createExtension(KHRMaterialsTransmission).createTransmission().setTransmissionFactor(0.9).setTransmissionTexture(tex));
      m.setExtension('KHR_materials_ior', d.createExtension(KHRMaterialsIOR).createIOR().setIOR(1.33));
      m.setExtension('KHR_materials_volume', d.createExtension(KHRMaterialsVolume).createVolume().setThicknessFactor(0.2).setAttenuationColor([0.5, 0.8, 1]).setAttenuationDistance(2));
      m.setExtension('KHR_materials_clearcoat', d.createExtension(KHRMaterialsClearcoat).createClearcoat().setClearcoatFactor(0.7).setClearcoatRoughnessFactor(0.2).setClearcoatTexture(tex));
      m.setExtension('KHR_materials_sheen', d.createExtension(KHRMaterialsSheen).createSheen().setSheenColorFactor([0.3, 0.2, 0.1]).setSheenRoughnessFactor(0.6).setSheenColorTexture(tex));
      return m;
    });
    const { buffers } = flat();
    const m = buffers.materials[0]!;
    expect(m).toMatchObject({ transmission: 0.9, ior: 1.33, thickness: 0.2, attenuationColor: [0.5, 0.8, 1], attenuationDistance: 2, clearcoat: 0.7, sheenColor: [0.3, 0.2, 0.1] });
    expect(m.clearcoatRoughness).toBeCloseTo(0.2, 6);
    expect(m.sheenRoughness).toBeCloseTo(0.6, 6);
    // Data textures stay linear, the sheen colour is sRGB colour.
    expect(buffers.textures[m.transmissionTexture!]!.srgb).toBe(false);
    expect(buffers.textures[m.clearcoatTexture!]!.srgb).toBe(false);
    expect(buffers.textures[m.sheenColorTexture!]!.srgb).toBe(true);
  });

  it("glTF's infinite attenuation distance means no absorption, and a hostile ior is clamped with a warning", () => {
    const { flat } = quadDoc((d) => {
      const m = d.createMaterial('odd');
      m.setExtension('KHR_materials_volume', d.createExtension(KHRMaterialsVolume).createVolume().setThicknessFactor(1));
      m.setExtension('KHR_materials_ior', d.createExtension(KHRMaterialsIOR).createIOR().setIOR(0.2));
      return m;
    });
    const r = flat();
    expect(r.buffers.materials[0]).toMatchObject({ attenuationDistance: 0, ior: 1 });
    expect(r.warnings.join('\n')).toMatch(/index of refraction of 0\.2; 1 is used/);
  });

  it('KHR_texture_transform moves, scales and turns the texture (offset 0.5 swaps the halves)', async () => {
    const make = (xf?: { offset?: [number, number]; scale?: [number, number]; rotation?: number; texCoord?: number }) => quadDoc((d) => {
      const m = d.createMaterial('t').setBaseColorTexture(redGreen(d)).setMetallicFactor(0).setEmissiveFactor([1, 1, 1]).setEmissiveTexture(redGreen(d)).setBaseColorFactor([0, 0, 0, 1]);
      if (xf) {
        const ext = d.createExtension(KHRTextureTransform);
        for (const info of [m.getBaseColorTextureInfo()!, m.getEmissiveTextureInfo()!]) {
          const t = ext.createTransform().setOffset(xf.offset ?? [0, 0]).setScale(xf.scale ?? [1, 1]).setRotation(xf.rotation ?? 0);
          if (xf.texCoord !== undefined) t.setTexCoord(xf.texCoord);
          info.setExtension('KHR_texture_transform', t);
        }
      }
      return m;
    }).flat();
    const left = { x: 1, y: 4, width: 5, height: 8 }, right = { x: 10, y: 4, width: 5, height: 8 };
    const plain = await renderFlat(make().buffers);
    expect(meanChannel(plain, 16, left, 0)).toBeGreaterThan(0.9);
    expect(meanChannel(plain, 16, right, 1)).toBeGreaterThan(0.9);
    const shifted = make({ offset: [0.5, 0] });
    expect(shifted.buffers.textures[0]!.transform).toEqual([1, 0, 0.5, -0, 1, 0]);
    const px = await renderFlat(shifted.buffers);
    expect(meanChannel(px, 16, left, 1)).toBeGreaterThan(0.9);
    expect(meanChannel(px, 16, left, 0)).toBeLessThan(0.1);
    expect(meanChannel(px, 16, right, 0)).toBeGreaterThan(0.9);
    // Rotation by 90°: u' = v, so the left/right split becomes a top/bottom one.
    const turned = await renderFlat(make({ rotation: Math.PI / 2 }).buffers);
    const top = { x: 4, y: 1, width: 8, height: 5 }, bottom = { x: 4, y: 10, width: 8, height: 5 };
    expect(Math.abs(meanChannel(turned, 16, top, 0) - meanChannel(turned, 16, bottom, 0))).toBeGreaterThan(0.8);
    // A texCoord override to a set the engine does not carry is said, not silently wrong.
    expect(make({ texCoord: 1 }).warnings.join('\n')).toMatch(/texture coordinates set 1; only set 0 is supported/);
  });

  it('a texture transform of non-numbers in a hostile file is left out with a warning, not a refused render', () => {
    const { d, flat } = quadDoc((doc) => doc.createMaterial('t').setBaseColorTexture(redGreen(doc)));
    const ext = d.createExtension(KHRTextureTransform);
    const m = d.getRoot().listMaterials()[0]!;
    m.getBaseColorTextureInfo()!.setExtension('KHR_texture_transform', ext.createTransform().setOffset(['x' as unknown as number, 0]));
    const r = flat();
    expect(r.buffers.textures[0]!.transform).toBeUndefined();
    expect(r.warnings.join('\n')).toMatch(/texture transform that is not finite numbers/);
  });
});
