/**
 * The sample scenes the project generates itself (resources/scenes/): a Cornell box, a
 * heavy textured terrain, a short animation and a materials study. Everything is
 * procedural and deterministic, so `npm ci` rebuilds byte-identical files.
 */
import { Document } from '@gltf-transform/core';
import type { Material, Node, Scene, Texture } from '@gltf-transform/core';
import { EmissiveStrength, KHRLightsPunctual, KHRMaterialsEmissiveStrength, KHRMaterialsSpecular } from '@gltf-transform/extensions';
import type { Specular } from '@gltf-transform/extensions';
import { PNG } from 'pngjs';
import { box, fbm, meshFrom, quadXZ, sphere, terrain } from './geometry';
import { glassScene, textureTransformScene } from './material-samples';

/** A document with one buffer, as every sample scene starts. */
export function newDoc(): Document {
  const doc = new Document();
  doc.createBuffer();
  doc.getRoot().getAsset().generator = 'Rayfarm sample scenes';
  return doc;
}

/** A metallic-roughness material. */
export function pbr(doc: Document, name: string, color: [number, number, number], roughness = 0.8, metallic = 0): Material {
  return doc.createMaterial(name).setBaseColorFactor([...color, 1]).setRoughnessFactor(roughness).setMetallicFactor(metallic);
}

/**
 * A Lambertian (matte) surface, as the measured Cornell box walls are: KHR_materials_specular
 * turns glTF's 4 % specular layer off. The colour factor is zeroed too because Blender 3.4's
 * importer reads only that (into Principled's Specular); roughness 0.5 makes Principled's
 * Disney diffuse match Lambert on average, and the engine ignores it for a Lambertian surface.
 */
function matte(doc: Document, name: string, color: [number, number, number]): Material {
  const ext = doc.createExtension(KHRMaterialsSpecular);
  const spec = ext.createSpecular().setSpecularFactor(0).setSpecularColorFactor([0, 0, 0]);
  return pbr(doc, name, color, 0.5).setExtension('KHR_materials_specular', spec as Specular);
}

function emitter(doc: Document, name: string, color: [number, number, number], strength: number): Material {
  const ext = doc.createExtension(KHRMaterialsEmissiveStrength);
  const m = pbr(doc, name, [0, 0, 0]).setEmissiveFactor(color);
  return m.setExtension('KHR_materials_emissive_strength', ext.createEmissiveStrength().setEmissiveStrength(strength) as EmissiveStrength);
}

/** Places `node` at `eye` looking at `target` (Y up). */
export function lookAt(node: Node, eye: [number, number, number], target: [number, number, number]): Node {
  const b = [eye[0] - target[0], eye[1] - target[1], eye[2] - target[2]];
  const bl = Math.hypot(b[0]!, b[1]!, b[2]!);
  const z = b.map((x) => x / bl);
  const xr = [z[2]!, 0, -z[0]!];
  const xl = Math.hypot(xr[0]!, xr[2]!) || 1;
  const x = xr.map((v) => v / xl);
  const y = [z[1]! * x[2]! - z[2]! * x[1]!, z[2]! * x[0]! - z[0]! * x[2]!, z[0]! * x[1]! - z[1]! * x[0]!];
  // Rotation matrix columns x, y, z → quaternion.
  const m00 = x[0]!, m11 = y[1]!, m22 = z[2]!;
  const tr = m00 + m11 + m22;
  let q: [number, number, number, number];
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    q = [(y[2]! - z[1]!) / s, (z[0]! - x[2]!) / s, (x[1]! - y[0]!) / s, 0.25 * s];
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    q = [0.25 * s, (y[0]! + x[1]!) / s, (z[0]! + x[2]!) / s, (y[2]! - z[1]!) / s];
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    q = [(y[0]! + x[1]!) / s, 0.25 * s, (z[1]! + y[2]!) / s, (z[0]! - x[2]!) / s];
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    q = [(z[0]! + x[2]!) / s, (z[1]! + y[2]!) / s, 0.25 * s, (x[1]! - y[0]!) / s];
  }
  return node.setTranslation(eye).setRotation(q);
}

/** A perspective camera at `eye` looking at `target`. */
export function camera(doc: Document, name: string, eye: [number, number, number], target: [number, number, number], yfovDeg: number): Node {
  const cam = doc.createCamera(name).setType('perspective').setYFov((yfovDeg * Math.PI) / 180).setZNear(0.05).setAspectRatio(16 / 9);
  return lookAt(doc.createNode(name).setCamera(cam), eye, target);
}

/** A rotation of `deg` degrees about Y as a quaternion. */
export function yRotation(deg: number): [number, number, number, number] {
  const h = (deg * Math.PI) / 360;
  return [0, Math.sin(h), 0, Math.cos(h)];
}

/** Encodes RGBA8 pixels as a PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba);
  return new Uint8Array(PNG.sync.write(png, { colorType: 6 }));
}

/** A size × size PNG texture from a colour per (u, v). */
export function textureFrom(doc: Document, name: string, size: number, pixel: (u: number, v: number) => [number, number, number]): Texture {
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = pixel(x / size, y / size);
      data.set([c[0], c[1], c[2], 255], (y * size + x) * 4);
    }
  }
  return doc.createTexture(name).setMimeType('image/png').setImage(encodePng(size, size, data)).setURI(`${name}.png`);
}

/**
 * The room both Cornell boxes share, added to `scene`: five 2 m walls, a lamp 5 mm below the
 * ceiling, the tall and the short box, and the camera at (0, 1, 3.9).
 */
export function cornellRoom(
  doc: Document,
  scene: Scene,
  walls: { white: Material; red: Material; green: Material },
  lamp: { name: string; material: Material; size: [number, number] },
  yfovDeg: number,
): void {
  const { white, red, green } = walls;
  const wall = (name: string, mat: Material, t: [number, number, number], r: [number, number, number, number]) =>
    scene.addChild(doc.createNode(name).setMesh(meshFrom(doc, name, quadXZ(2, 2), mat)).setTranslation(t).setRotation(r));
  const s = Math.SQRT1_2;
  wall('Floor', white, [0, 0, 0], [0, 0, 0, 1]);
  wall('Ceiling', white, [0, 2, 0], [1, 0, 0, 0]);
  wall('Back wall', white, [0, 1, -1], [s, 0, 0, s]);
  wall('Left wall', red, [-1, 1, 0], [0, 0, -s, s]);
  wall('Right wall', green, [1, 1, 0], [0, 0, s, s]);
  scene.addChild(doc.createNode(lamp.name).setMesh(meshFrom(doc, lamp.name, quadXZ(...lamp.size), lamp.material)).setTranslation([0, 1.995, 0]).setRotation([1, 0, 0, 0]));
  scene.addChild(doc.createNode('Tall box').setMesh(meshFrom(doc, 'Tall box', box(0.6, 1.2, 0.6), white)).setTranslation([-0.33, 0.6, -0.3]).setRotation(yRotation(18)));
  scene.addChild(doc.createNode('Short box').setMesh(meshFrom(doc, 'Short box', box(0.6, 0.6, 0.6), white)).setTranslation([0.35, 0.3, 0.3]).setRotation(yRotation(-17)));
  scene.addChild(camera(doc, 'Camera', [0, 1, 3.9], [0, 1, 0], yfovDeg));
}

/** The Cornell box: matte red/green/white walls, two boxes, an emissive ceiling light, a camera. */
export function cornellBox(): Document {
  const doc = newDoc();
  const scene = doc.createScene('Cornell box');
  const white = matte(doc, 'White', [0.73, 0.73, 0.73]);
  const red = matte(doc, 'Red', [0.65, 0.05, 0.05]);
  const green = matte(doc, 'Green', [0.12, 0.45, 0.15]);
  const lamp = emitter(doc, 'Ceiling light', [1, 0.85, 0.6], 22);
  cornellRoom(doc, scene, { white, red, green }, { name: 'Light', material: lamp, size: [0.5, 0.4] }, 39);
  return doc;
}

/** A heavy scene: a 200k-triangle textured terrain, instanced spheres, a sun. */
export function heavyTerrain(): Document {
  const doc = newDoc();
  const lightsExt = doc.createExtension(KHRLightsPunctual);
  const scene = doc.createScene('Heavy terrain');
  const ground = textureFrom(doc, 'ground', 512, (u, v) => {
    const n = fbm(u * 24, v * 24, 4);
    const check = (Math.floor(u * 16) + Math.floor(v * 16)) % 2 ? 1 : 0.82;
    return [Math.round((70 + 120 * n) * check), Math.round((95 + 110 * n) * check), Math.round((45 + 60 * n) * check)];
  });
  const rough = textureFrom(doc, 'rough', 128, (u, v) => {
    const n = fbm(u * 12 + 7, v * 12 + 3, 3);
    return [255, Math.round(120 + 130 * n), 0];
  });
  const terrainMat = pbr(doc, 'Terrain', [1, 1, 1], 1).setBaseColorTexture(ground).setMetallicRoughnessTexture(rough);
  const n = 318; // 2 × 318² = 202,248 triangles
  const land = terrain(n, 40, (u, v) => 6 * fbm(u * 5, v * 5) - 2.5);
  scene.addChild(doc.createNode('Terrain').setMesh(meshFrom(doc, 'Terrain', land, terrainMat)));
  const ball = meshFrom(doc, 'Ball', sphere(0.8, 32, 16), pbr(doc, 'Chrome', [0.95, 0.93, 0.88], 0.15, 1));
  for (let i = 0; i < 9; i++) {
    const x = -12 + (i % 3) * 12, z = -12 + Math.floor(i / 3) * 12;
    scene.addChild(doc.createNode(`Ball ${i + 1}`).setMesh(ball).setTranslation([x, 6 * fbm((x / 40 + 0.5) * 5, (z / 40 + 0.5) * 5) - 2.5 + 0.9, z]));
  }
  const sun = lightsExt.createLight('Sun').setType('directional').setIntensity(3).setColor([1, 0.95, 0.85]);
  const sunNode = lookAt(doc.createNode('Sun'), [10, 20, 8], [0, 0, 0]);
  sunNode.setExtension('KHR_lights_punctual', sun);
  scene.addChild(sunNode);
  scene.addChild(camera(doc, 'Camera', [0, 14, 30], [0, 0, 0], 45));
  return doc;
}

/** A one-second, 24 fps animation: a sliding box, a spinning bouncing ball, a light, a camera. */
export function animatedScene(): Document {
  const doc = newDoc();
  const lightsExt = doc.createExtension(KHRLightsPunctual);
  const buffer = doc.getRoot().listBuffers()[0]!;
  const scene = doc.createScene('Animated');
  scene.addChild(doc.createNode('Ground').setMesh(meshFrom(doc, 'Ground', quadXZ(8, 8), pbr(doc, 'Ground', [0.6, 0.6, 0.6]))));
  const cube = doc.createNode('Sliding box').setMesh(meshFrom(doc, 'Box', box(0.6, 0.6, 0.6), pbr(doc, 'Orange', [0.9, 0.35, 0.05], 0.5))).setTranslation([-1.5, 0.3, 0]);
  const ball = doc.createNode('Ball').setMesh(meshFrom(doc, 'Ball', sphere(0.4), pbr(doc, 'Blue', [0.1, 0.3, 0.9], 0.3))).setTranslation([1, 0.4, -0.5]);
  const marker = doc.createNode('Blinker').setMesh(meshFrom(doc, 'Blinker', box(0.2, 0.2, 0.2), emitter(doc, 'Glow', [1, 0.2, 0.1], 4))).setTranslation([0, 1.6, -1]);
  scene.addChild(cube).addChild(ball).addChild(marker);
  const acc = (type: 'SCALAR' | 'VEC3' | 'VEC4', values: number[]) => doc.createAccessor().setType(type).setArray(new Float32Array(values)).setBuffer(buffer);
  const times = acc('SCALAR', [0, 0.5, 1]);
  const anim = doc.createAnimation('Action');
  const channel = (node: Node, path: 'translation' | 'rotation' | 'scale', interp: 'LINEAR' | 'STEP' | 'CUBICSPLINE', input: ReturnType<typeof acc>, output: ReturnType<typeof acc>) => {
    const sampler = doc.createAnimationSampler().setInput(input).setOutput(output).setInterpolation(interp);
    anim.addSampler(sampler).addChannel(doc.createAnimationChannel().setTargetNode(node).setTargetPath(path).setSampler(sampler));
  };
  channel(cube, 'translation', 'LINEAR', times, acc('VEC3', [-1.5, 0.3, 0, 0, 0.3, 0.4, 1.5, 0.3, 0]));
  channel(cube, 'rotation', 'LINEAR', times, acc('VEC4', [...yRotation(0), ...yRotation(90), ...yRotation(180)]));
  // Cubic spline: in-tangent, value, out-tangent per key.
  channel(ball, 'translation', 'CUBICSPLINE', times, acc('VEC3', [0, 0, 0, 1, 0.4, -0.5, 0, 4, 0, 0, 0, 0, 1, 1.3, -0.5, 0, 0, 0, 0, -4, 0, 1, 0.4, -0.5, 0, 0, 0]));
  channel(marker, 'scale', 'STEP', acc('SCALAR', [0, 0.25, 0.5, 0.75]), acc('VEC3', [1, 1, 1, 0.3, 0.3, 0.3, 1, 1, 1, 0.3, 0.3, 0.3]));
  const lamp = lightsExt.createLight('Key light').setType('point').setIntensity(10).setColor([1, 0.9, 0.8]);
  scene.addChild(doc.createNode('Key light').setTranslation([2, 3.5, 2.5]).setExtension('KHR_lights_punctual', lamp));
  const spot = lightsExt.createLight('Spot').setType('spot').setIntensity(60).setInnerConeAngle(0.35).setOuterConeAngle(0.7);
  scene.addChild(lookAt(doc.createNode('Spot'), [-2.5, 3, 1], [-0.5, 0, 0]).setExtension('KHR_lights_punctual', spot));
  scene.addChild(camera(doc, 'Camera', [0, 2.2, 5], [0, 0.5, 0], 40));
  return doc;
}

/** Spheres showing metal/roughness variety under the default sky (no lights of its own). */
export function materialSpheres(): Document {
  const doc = newDoc();
  const scene = doc.createScene('Materials');
  const ball = sphere(0.42, 48, 24);
  for (let row = 0; row < 2; row++) {
    for (let i = 0; i < 5; i++) {
      const rough = 0.05 + i * 0.22;
      const metal = row === 0 ? 1 : 0;
      const color: [number, number, number] = row === 0 ? [0.95, 0.7, 0.35] : [0.8, 0.12, 0.1];
      const mat = pbr(doc, `${metal ? 'Gold' : 'Plastic'} r${rough.toFixed(2)}`, color, rough, metal);
      scene.addChild(doc.createNode(`Sphere ${row}-${i}`).setMesh(meshFrom(doc, `Sphere ${row}-${i}`, ball, mat)).setTranslation([-2 + i, 0.42, row === 0 ? -0.6 : 0.6]));
    }
  }
  const checker = textureFrom(doc, 'checker', 256, (u, v) => ((Math.floor(u * 8) + Math.floor(v * 8)) % 2 ? [200, 200, 200] : [60, 60, 60]));
  scene.addChild(doc.createNode('Floor').setMesh(meshFrom(doc, 'Floor', quadXZ(8, 5, 4), pbr(doc, 'Checker', [1, 1, 1], 0.6).setBaseColorTexture(checker))));
  scene.addChild(camera(doc, 'Camera', [0, 2.6, 5.6], [0, 0.3, 0], 40));
  return doc;
}

/** Every sample scene by file name. */
export const SAMPLE_SCENES: Record<string, () => Document> = {
  'cornell.glb': cornellBox,
  'heavy.glb': heavyTerrain,
  'animated.glb': animatedScene,
  'spheres.glb': materialSpheres,
  'glass.glb': glassScene,
  'texture-transform.glb': textureTransformScene,
};
