/**
 * Sample scenes about light: the classic Cornell box used to check agreement with other
 * renderers, a model lit only by a small emissive texture, and a scene lit by an HDRI.
 */
import type { Document, Material } from '@gltf-transform/core';
import { KHRMaterialsEmissiveStrength, KHRMaterialsSpecular } from '@gltf-transform/extensions';
import type { EmissiveStrength, Specular } from '@gltf-transform/extensions';
import { HDR_MIME, RayfarmEnvironment } from '../../main/core/engine/environment-ext';
import { writeHdr } from '../../main/core/engine/hdr';
import { box, meshFrom, quadXZ, sphere } from './geometry';
import { camera, cornellRoom, newDoc, pbr, textureFrom } from './samples';

/**
 * A Lambertian, double-sided surface as the issue describes the classic box: only
 * KHR_materials_specular's specularFactor is 0 (its colour stays glTF's default white), which
 * is what a file from another tool says. Blender 3.4's importer reads only the colour, so
 * Cycles sees Specular 0.5 there; bench:render's --cycles-materials script avoids that.
 */
function lambert(doc: Document, name: string, color: [number, number, number], emissive?: number): Material {
  const spec = doc.createExtension(KHRMaterialsSpecular).createSpecular().setSpecularFactor(0);
  const m = doc
    .createMaterial(name)
    .setBaseColorFactor([...color, 1])
    .setRoughnessFactor(1)
    .setMetallicFactor(0)
    .setDoubleSided(true)
    .setExtension('KHR_materials_specular', spec as Specular);
  if (emissive !== undefined) {
    const strength = doc.createExtension(KHRMaterialsEmissiveStrength).createEmissiveStrength().setEmissiveStrength(emissive);
    m.setEmissiveFactor([1, 1, 1]).setExtension('KHR_materials_emissive_strength', strength as EmissiveStrength);
  }
  return m;
}

/**
 * The classic Cornell box: a 2 m room, white 0.73, red 0.65/0.05/0.05, green 0.12/0.45/0.15,
 * every material double-sided and Lambertian, a 0.5 × 0.5 m double-sided lamp of radiance 17
 * five millimetres below the ceiling, camera at (0, 1, 3.9) with a 39.3° vertical field.
 */
export function classicCornellBox(): Document {
  const doc = newDoc();
  const scene = doc.createScene('Classic Cornell box');
  const white = lambert(doc, 'White', [0.73, 0.73, 0.73]);
  const red = lambert(doc, 'Red', [0.65, 0.05, 0.05]);
  const green = lambert(doc, 'Green', [0.12, 0.45, 0.15]);
  const lamp = lambert(doc, 'Lamp', [0, 0, 0], 17);
  cornellRoom(doc, scene, { white, red, green }, { name: 'Lamp', material: lamp, size: [0.5, 0.5] }, 39.3);
  return doc;
}

/**
 * A model lit only by a small part of its emissive texture, no lights (like Khronos'
 * DamagedHelmet): a helmet-like shell and visor whose emissive map is black but for a small
 * glowing badge. Under `auto` the studio lights it; without, its frame is nearly black.
 */
export function emissiveOnlyModel(): Document {
  const doc = newDoc();
  const scene = doc.createScene('Emissive-only model');
  const base = textureFrom(doc, 'shell', 128, (u, v) => {
    const scratch = (Math.floor(u * 16) + Math.floor(v * 16)) % 2 ? 150 : 120;
    return [scratch, Math.round(scratch * 0.95), Math.round(scratch * 0.85)];
  });
  // Black but for a 6 × 6 texel badge (0.2 % of the map).
  const glow = textureFrom(doc, 'badge', 128, (u, v) => (u >= 0.5 && u < 0.5 + 6 / 128 && v >= 0.4 && v < 0.4 + 6 / 128 ? [255, 160, 40] : [0, 0, 0]));
  const shell = pbr(doc, 'Shell', [1, 1, 1], 0.45, 0.6).setBaseColorTexture(base).setEmissiveTexture(glow).setEmissiveFactor([1, 1, 1]);
  const visor = pbr(doc, 'Visor', [0.05, 0.05, 0.06], 0.1, 0);
  scene.addChild(doc.createNode('Helmet').setMesh(meshFrom(doc, 'Helmet', sphere(1, 48, 24), shell)));
  scene.addChild(doc.createNode('Visor').setMesh(meshFrom(doc, 'Visor', box(1.3, 0.45, 0.3), visor)).setTranslation([0, 0.1, 0.9]));
  scene.addChild(camera(doc, 'Camera', [1.6, 0.8, 3.4], [0, 0, 0], 40));
  return doc;
}

/** A small equirect HDR sky: a blue gradient, a warm sun of radiance ~400 at 35° elevation, a grey ground. */
export function makeSkyHdr(width = 256, height = 128): Uint8Array {
  const data = new Float32Array(width * height * 3);
  const sun = { az: 0.3 * Math.PI, el: (35 * Math.PI) / 180 };
  const sd = [Math.cos(sun.el) * Math.sin(sun.az), Math.sin(sun.el), -Math.cos(sun.el) * Math.cos(sun.az)];
  for (let y = 0; y < height; y++) {
    const theta = (Math.PI * (y + 0.5)) / height;
    for (let x = 0; x < width; x++) {
      // The engine's mapping: u = 0.5 + atan2(d.x, -d.z) / 2π, v = θ / π.
      const phi = ((x + 0.5) / width - 0.5) * 2 * Math.PI;
      const d = [Math.sin(theta) * Math.sin(phi), Math.cos(theta), -Math.sin(theta) * Math.cos(phi)];
      let c: number[];
      if (d[1]! >= 0) {
        const k = Math.pow(d[1]!, 0.5);
        c = [0.9 + (0.25 - 0.9) * k, 0.95 + (0.45 - 0.95) * k, 1.0 + (0.9 - 1.0) * k];
      } else {
        c = [0.22, 0.2, 0.18];
      }
      const cosSun = d[0]! * sd[0]! + d[1]! * sd[1]! + d[2]! * sd[2]!;
      if (cosSun > Math.cos((2.5 * Math.PI) / 180)) c = [400, 360, 290];
      data.set(c, (y * width + x) * 3);
    }
  }
  return writeHdr({ width, height, data });
}

/** Spheres of a few materials on a floor, lit only by an HDR sky packed in the file (RAYFARM_environment). */
export function hdriScene(): Document {
  const doc = newDoc();
  const scene = doc.createScene('HDRI-lit spheres');
  const sky = doc.createTexture('sky.hdr').setMimeType(HDR_MIME).setImage(makeSkyHdr()).setURI('sky.hdr');
  const env = doc.createExtension(RayfarmEnvironment).createEnvironmentMap().setImage(sky).setIntensity(1);
  doc.getRoot().setExtension('RAYFARM_environment', env);
  const ball = sphere(0.5, 48, 24);
  const mats = [pbr(doc, 'Chalk', [0.8, 0.8, 0.8], 0.9), pbr(doc, 'Copper', [0.95, 0.64, 0.54], 0.25, 1), pbr(doc, 'Red plastic', [0.7, 0.05, 0.04], 0.3)];
  mats.forEach((m, i) => scene.addChild(doc.createNode(`Sphere ${i + 1}`).setMesh(meshFrom(doc, `Sphere ${i + 1}`, ball, m)).setTranslation([-1.2 + 1.2 * i, 0.5, 0])));
  scene.addChild(doc.createNode('Floor').setMesh(meshFrom(doc, 'Floor', quadXZ(8, 8), pbr(doc, 'Floor', [0.5, 0.5, 0.5], 0.8))));
  scene.addChild(camera(doc, 'Camera', [0, 1.6, 4.2], [0, 0.4, 0], 40));
  return doc;
}

/** The lighting sample scenes by file name. */
export const LIGHTING_SCENES: Record<string, () => Document> = {
  'cornell-classic.glb': classicCornellBox,
  'emissive-only.glb': emissiveOnlyModel,
  'hdri.glb': hdriScene,
};
