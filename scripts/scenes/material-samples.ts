/**
 * Sample scenes for the material and texture extensions: glass and liquids
 * (KHR_materials_transmission, _ior, _volume) with coated and cloth-like spheres beside them,
 * and one texture under several KHR_texture_transform settings. Procedural and deterministic.
 */
import type { Document, Material, Texture } from '@gltf-transform/core';
import {
  KHRMaterialsClearcoat, KHRMaterialsIOR, KHRMaterialsSheen, KHRMaterialsTransmission, KHRMaterialsVolume, KHRTextureTransform,
} from '@gltf-transform/extensions';
import { box, meshFrom, quadXZ, sphere } from './geometry';
import { camera, newDoc, pbr, textureFrom } from './samples';

/** A dielectric that lets light through; `volume` makes it solid (refracting, absorbing). */
function glass(doc: Document, name: string, opts: { ior?: number; roughness?: number; tint?: [number, number, number]; volume?: { color: [number, number, number]; distance: number } }): Material {
  const m = pbr(doc, name, [1, 1, 1], opts.roughness ?? 0, 0);
  m.setExtension('KHR_materials_transmission', doc.createExtension(KHRMaterialsTransmission).createTransmission().setTransmissionFactor(1));
  m.setExtension('KHR_materials_ior', doc.createExtension(KHRMaterialsIOR).createIOR().setIOR(opts.ior ?? 1.5));
  if (opts.volume) {
    const vol = doc.createExtension(KHRMaterialsVolume).createVolume().setThicknessFactor(1).setAttenuationColor(opts.volume.color);
    if (Number.isFinite(opts.volume.distance)) vol.setAttenuationDistance(opts.volume.distance);
    m.setExtension('KHR_materials_volume', vol);
  }
  if (opts.tint) m.setBaseColorFactor([...opts.tint, 1]);
  return m;
}

function checkerFloor(doc: Document): Texture {
  return textureFrom(doc, 'floor-checker', 64, (u, v) => ((Math.floor(u * 2) + Math.floor(v * 2)) % 2 ? [210, 210, 200] : [70, 70, 80]));
}

/**
 * Glass: a clear solid sphere, a sphere of green-tinted liquid (Beer-Lambert), a frosted
 * (rough) one and a thin-walled pane, with a clear-coated red ball and a velvet (sheen) one,
 * on a checker floor under the default sky (the scene has no lights of its own).
 */
export function glassScene(): Document {
  const doc = newDoc();
  const scene = doc.createScene('Glass');
  const ball = sphere(0.45, 64, 32);
  const floorMat = pbr(doc, 'Floor', [1, 1, 1], 0.7).setBaseColorTexture(checkerFloor(doc));
  const tt = doc.createExtension(KHRTextureTransform);
  floorMat.getBaseColorTextureInfo()!.setExtension('KHR_texture_transform', tt.createTransform().setScale([12, 8]));
  scene.addChild(doc.createNode('Floor').setMesh(meshFrom(doc, 'Floor', quadXZ(12, 8), floorMat)));
  const put = (name: string, mat: Material, x: number, z: number) =>
    scene.addChild(doc.createNode(name).setMesh(meshFrom(doc, name, ball, mat)).setTranslation([x, 0.45, z]));
  put('Clear glass', glass(doc, 'Clear glass', { ior: 1.5, volume: { color: [1, 1, 1], distance: Infinity } }), -1.05, 0.2);
  put('Green liquid', glass(doc, 'Green liquid', { ior: 1.33, volume: { color: [0.35, 0.8, 0.45], distance: 0.5 } }), 0, 0.2);
  put('Frosted glass', glass(doc, 'Frosted glass', { ior: 1.5, roughness: 0.3, volume: { color: [1, 1, 1], distance: Infinity } }), 1.05, 0.2);
  const coated = pbr(doc, 'Clear-coated red', [0.7, 0.05, 0.05], 0.6);
  coated.setExtension('KHR_materials_clearcoat', doc.createExtension(KHRMaterialsClearcoat).createClearcoat().setClearcoatFactor(1).setClearcoatRoughnessFactor(0.03));
  put('Clear-coated red', coated, -0.55, -0.9);
  const velvet = pbr(doc, 'Velvet', [0.12, 0.02, 0.2], 1);
  velvet.setExtension('KHR_materials_sheen', doc.createExtension(KHRMaterialsSheen).createSheen().setSheenColorFactor([0.9, 0.6, 1]).setSheenRoughnessFactor(0.35));
  put('Velvet', velvet, 0.55, -0.9);
  // A thin-walled pane (no volume): light passes straight through, tinted blue.
  scene.addChild(doc.createNode('Pane').setMesh(meshFrom(doc, 'Pane', box(2.6, 1.1, 0.02), glass(doc, 'Blue pane', { ior: 1.5, tint: [0.6, 0.75, 1] }))).setTranslation([0, 0.55, -1.8]));
  scene.addChild(camera(doc, 'Camera', [0, 1.5, 3.6], [0, 0.35, -0.2], 40));
  return doc;
}

/** An arrow on a grid, so that a turn, a mirror or a shift of the texture shows. */
function arrowTexture(doc: Document): Texture {
  return textureFrom(doc, 'arrow', 128, (u, v) => {
    const grid = u * 8 - Math.floor(u * 8) < 0.06 || v * 8 - Math.floor(v * 8) < 0.06;
    const inHead = v > 0.12 && v < 0.45 && Math.abs(u - 0.5) < (v - 0.12) * 0.9;
    const inShaft = v >= 0.45 && v < 0.88 && Math.abs(u - 0.5) < 0.1;
    if (inHead || inShaft) return [230, 60, 30];
    return grid ? [40, 40, 60] : [235, 225, 190];
  });
}

/**
 * One arrow texture on five panels: as authored, turned 90°, tiled 2 × 2, shifted half a tile
 * sideways, and both turned and tiled; the floor tiles a checker 10 × 10 with a transform too.
 */
export function textureTransformScene(): Document {
  const doc = newDoc();
  const scene = doc.createScene('Texture transform');
  const tt = doc.createExtension(KHRTextureTransform);
  const arrow = arrowTexture(doc);
  const panels: { name: string; offset?: [number, number]; rotation?: number; scale?: [number, number] }[] = [
    { name: 'As authored' },
    { name: 'Turned 90°', rotation: Math.PI / 2, offset: [0, 1] },
    { name: 'Tiled 2 x 2', scale: [2, 2] },
    { name: 'Shifted half', offset: [0.5, 0] },
    { name: 'Turned 45° and tiled', rotation: Math.PI / 4, scale: [1.5, 1.5] },
  ];
  panels.forEach((p, i) => {
    const m = pbr(doc, p.name, [1, 1, 1], 0.8).setBaseColorTexture(arrow);
    if (p.offset || p.rotation || p.scale) {
      const t = tt.createTransform().setOffset(p.offset ?? [0, 0]).setRotation(p.rotation ?? 0).setScale(p.scale ?? [1, 1]);
      m.getBaseColorTextureInfo()!.setExtension('KHR_texture_transform', t);
    }
    // A standing 0.9 m panel: quadXZ turned up to face +z.
    const s = Math.SQRT1_2;
    scene.addChild(doc.createNode(p.name).setMesh(meshFrom(doc, p.name, quadXZ(0.9, 0.9), m)).setTranslation([(i - 2) * 1.05, 0.6, 0]).setRotation([s, 0, 0, s]));
  });
  const floorMat = pbr(doc, 'Floor', [1, 1, 1], 0.8).setBaseColorTexture(checkerFloor(doc));
  floorMat.getBaseColorTextureInfo()!.setExtension('KHR_texture_transform', tt.createTransform().setScale([10, 10]));
  scene.addChild(doc.createNode('Floor').setMesh(meshFrom(doc, 'Floor', quadXZ(20, 20), floorMat)));
  scene.addChild(camera(doc, 'Camera', [0, 1.2, 3.6], [0, 0.5, 0], 40));
  return doc;
}
