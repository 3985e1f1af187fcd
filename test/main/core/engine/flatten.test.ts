import { Document } from '@gltf-transform/core';
import type { Node } from '@gltf-transform/core';
import { KHRLightsPunctual, KHRMaterialsEmissiveStrength, KHRMaterialsSpecular } from '@gltf-transform/extensions';
import { describe, expect, it } from 'vitest';
import { flattenScene } from '../../../../main/core/engine/flatten';
import { box, meshFrom, primitiveFrom } from '../../../../scripts/scenes/geometry';
import { encodePng } from '../../../../scripts/scenes/samples';

function doc(): { d: Document; scene: ReturnType<Document['createScene']> } {
  const d = new Document();
  d.createBuffer();
  return { d, scene: d.createScene('s') };
}

/** One triangle at (0,0,0), (1,0,0), (0,1,0) facing +Z. */
function triangleMesh(d: Document, withNormals = true) {
  return meshFrom(d, 'tri', { positions: [0, 0, 0, 1, 0, 0, 0, 1, 0], normals: withNormals ? [0, 0, 1, 0, 0, 1, 0, 0, 1] : [], uvs: [], indices: [0, 1, 2] }, d.createMaterial('m'));
}

function vertex(p: Float32Array, i: number): number[] {
  return [p[3 * i]!, p[3 * i + 1]!, p[3 * i + 2]!].map((x) => (Math.round(x * 1e5) / 1e5) || 0);
}

const q90y: [number, number, number, number] = [0, Math.SQRT1_2, 0, Math.SQRT1_2];

describe('flattenScene: hierarchy and instancing', () => {
  it('draws a mesh once per node that uses it, through nested transforms', () => {
    const { d, scene } = doc();
    const mesh = triangleMesh(d);
    const parent = d.createNode('parent').setTranslation([10, 0, 0]).setRotation(q90y).setScale([2, 2, 2]);
    parent.addChild(d.createNode('child').setTranslation([0, 0, 1]).setMesh(mesh));
    scene.addChild(parent).addChild(d.createNode('a').setMesh(mesh)).addChild(d.createNode('b').setMesh(mesh).setTranslation([0, 5, 0]));
    const r = flattenScene(d);
    expect(r.triangles).toBe(3);
    expect(r.buffers.indices).toHaveLength(9);
    expect(r.buffers.materials).toHaveLength(1);
    const p = r.buffers.positions;
    // Traversal order: parent/child first. Child origin: parent × (0,0,1) = 10 + R(0,0,2) = (12,0,0).
    expect(vertex(p, 0)).toEqual([12, 0, 0]);
    // (1,0,0) in child → scaled (2,0,0) → rotated 90° about y → (0,0,-2) → + (12,0,0)... plus child offset.
    expect(vertex(p, 1)).toEqual([12, 0, -2]);
    expect(vertex(p, 2)).toEqual([12, 2, 0]);
    // Normals follow the rotation: +Z → +X.
    expect(vertex(r.buffers.normals, 0)).toEqual([1, 0, 0]);
    expect(vertex(p, 3)).toEqual([0, 0, 0]);
    expect(vertex(p, 8)).toEqual([0, 6, 0]);
    expect(r.bounds.max[0]).toBeCloseTo(12);
  });

  it('keeps winding facing outwards under a mirroring scale', () => {
    const { d, scene } = doc();
    scene.addChild(d.createNode('m').setMesh(triangleMesh(d, false)).setScale([-1, 1, 1]));
    const r = flattenScene(d);
    const [a, b, c] = [...r.buffers.indices].map((i) => vertex(r.buffers.positions, i));
    const u = [b![0]! - a![0]!, b![1]! - a![1]!, b![2]! - a![2]!];
    const v = [c![0]! - a![0]!, c![1]! - a![1]!, c![2]! - a![2]!];
    expect(u[0]! * v[1]! - u[1]! * v[0]!).toBeGreaterThan(0); // still faces +Z
    expect(vertex(r.buffers.normals, 0)).toEqual([0, 0, 1]);
  });

  it('generates flat normals when a primitive has none', () => {
    const { d, scene } = doc();
    scene.addChild(d.createNode('n').setMesh(triangleMesh(d, false)).setRotation([Math.SQRT1_2, 0, 0, Math.SQRT1_2]));
    const r = flattenScene(d);
    expect(r.buffers.normals).toHaveLength(9);
    expect(vertex(r.buffers.normals, 2)).toEqual([0, -1, 0]);
  });
});

describe('flattenScene: primitive modes', () => {
  it('converts strips and fans into consistently wound triangles and skips lines and points', () => {
    const { d, scene } = doc();
    const buffer = d.getRoot().listBuffers()[0]!;
    const pos = (a: number[]) => d.createAccessor().setType('VEC3').setArray(new Float32Array(a)).setBuffer(buffer);
    const mesh = d.createMesh('modes');
    // A strip of 4 vertices in the XY plane: 2 triangles, both facing +Z.
    mesh.addPrimitive(d.createPrimitive().setMode(5).setAttribute('POSITION', pos([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0])));
    // A fan of 5 vertices around the origin: 3 triangles.
    mesh.addPrimitive(d.createPrimitive().setMode(6).setAttribute('POSITION', pos([0, 0, 5, 1, 0, 5, 1, 1, 5, 0, 1, 5, -1, 1, 5])));
    mesh.addPrimitive(d.createPrimitive().setMode(1).setAttribute('POSITION', pos([0, 0, 0, 1, 1, 1])));
    mesh.addPrimitive(d.createPrimitive().setMode(0).setAttribute('POSITION', pos([0, 0, 0])));
    scene.addChild(d.createNode('modes').setMesh(mesh));
    const r = flattenScene(d);
    expect(r.triangles).toBe(5);
    for (let t = 0; t < 5; t++) expect(r.buffers.normals[9 * t + 2]).toBeCloseTo(1); // flat normals all +Z
    expect(r.warnings.some((w) => /lines/.test(w))).toBe(true);
    expect(r.warnings.some((w) => /points/.test(w))).toBe(true);
  });
});

function animatedDoc(interp: 'LINEAR' | 'STEP' | 'CUBICSPLINE', path: 'translation' | 'rotation', values: number[], times = [0, 1]) {
  const { d, scene } = doc();
  const buffer = d.getRoot().listBuffers()[0]!;
  const node = d.createNode('mover').setMesh(triangleMesh(d));
  scene.addChild(node);
  const sampler = d
    .createAnimationSampler()
    .setInput(d.createAccessor().setType('SCALAR').setArray(new Float32Array(times)).setBuffer(buffer))
    .setOutput(d.createAccessor().setType(path === 'rotation' ? 'VEC4' : 'VEC3').setArray(new Float32Array(values)).setBuffer(buffer))
    .setInterpolation(interp);
  d.createAnimation('a').addSampler(sampler).addChannel(d.createAnimationChannel().setTargetNode(node).setTargetPath(path).setSampler(sampler));
  return d;
}

describe('flattenScene: animation', () => {
  it('moves a node linearly along x', () => {
    const d = animatedDoc('LINEAR', 'translation', [0, 0, 0, 2, 0, 0]);
    expect(vertex(flattenScene(d, { time: 0.25 }).buffers.positions, 0)).toEqual([0.5, 0, 0]);
    expect(vertex(flattenScene(d, { time: 0.75 }).buffers.positions, 0)).toEqual([1.5, 0, 0]);
    expect(vertex(flattenScene(d, { time: 5 }).buffers.positions, 0)).toEqual([2, 0, 0]); // clamped after the end
  });

  it('holds STEP values until the next key', () => {
    const d = animatedDoc('STEP', 'translation', [0, 0, 0, 2, 0, 0]);
    expect(vertex(flattenScene(d, { time: 0.99 }).buffers.positions, 0)).toEqual([0, 0, 0]);
    expect(vertex(flattenScene(d, { time: 1 }).buffers.positions, 0)).toEqual([2, 0, 0]);
  });

  it('follows a cubic spline through its keys with its tangents', () => {
    // in, value, out per key; zero tangents make a smoothstep between 0 and 2.
    const d = animatedDoc('CUBICSPLINE', 'translation', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0]);
    expect(vertex(flattenScene(d, { time: 0.5 }).buffers.positions, 0)).toEqual([1, 0, 0]);
    expect(flattenScene(d, { time: 0.25 }).buffers.positions[0]).toBeCloseTo(2 * (3 * 0.0625 - 2 * 0.015625), 5);
  });

  it('slerps rotations', () => {
    const d = animatedDoc('LINEAR', 'rotation', [0, 0, 0, 1, ...q90y]);
    const p = flattenScene(d, { time: 0.5 }).buffers.positions;
    // Vertex (1,0,0) rotated 45° about +Y.
    expect(vertex(p, 1)).toEqual([0.70711, 0, -0.70711]);
  });
});

describe('flattenScene: cameras', () => {
  it('uses a glTF camera placed by its node', () => {
    const { d, scene } = doc();
    scene.addChild(d.createNode('t').setMesh(triangleMesh(d)));
    const cam = d.createCamera('c').setType('perspective').setYFov(0.5).setZNear(0.1);
    scene.addChild(d.createNode('cam').setCamera(cam).setTranslation([1, 2, 3]).setRotation(q90y).setScale([3, 3, 3]));
    const r = flattenScene(d);
    expect(r.autoCamera).toBe(false);
    expect(r.camera.yfov).toBe(0.5);
    const m = r.camera.cameraToWorld.map((x) => (Math.round(x * 1e5) / 1e5) || 0);
    expect(m.slice(12, 15)).toEqual([1, 2, 3]);
    expect(m.slice(8, 11)).toEqual([1, 0, 0]); // camera +Z (back) turned to +X, unit length despite the scale
  });

  it('frames the whole scene when it has no camera', () => {
    const { d, scene } = doc();
    scene.addChild(d.createNode('b').setMesh(meshFrom(d, 'box', box(4, 1, 2), null)).setTranslation([10, 0, 0]));
    const aspect = 2;
    const r = flattenScene(d, { aspect });
    expect(r.autoCamera).toBe(true);
    const m = r.camera.cameraToWorld;
    const tan = Math.tan(r.camera.yfov / 2);
    // Every corner of the box projects inside the image.
    for (let c = 0; c < 8; c++) {
      const p = [10 + (c & 1 ? 2 : -2), c & 2 ? 0.5 : -0.5, c & 4 ? 1 : -1];
      const rel = [p[0]! - m[12]!, p[1]! - m[13]!, p[2]! - m[14]!];
      const x = rel[0]! * m[0]! + rel[1]! * m[1]! + rel[2]! * m[2]!;
      const y = rel[0]! * m[4]! + rel[1]! * m[5]! + rel[2]! * m[6]!;
      const z = -(rel[0]! * m[8]! + rel[1]! * m[9]! + rel[2]! * m[10]!);
      expect(z).toBeGreaterThan(0);
      expect(Math.abs(y / z)).toBeLessThan(tan);
      expect(Math.abs(x / z)).toBeLessThan(tan * aspect);
    }
  });

  it('falls back to framing, with a warning, for a camera index that does not exist', () => {
    const { d, scene } = doc();
    scene.addChild(d.createNode('t').setMesh(triangleMesh(d)));
    const r = flattenScene(d, { cameraIndex: 2 });
    expect(r.autoCamera).toBe(true);
    expect(r.warnings.join()).toMatch(/camera 2 does not exist/);
  });
});

describe('flattenScene: lights, emission, environment', () => {
  it('places punctual lights in world space pointing down their node -Z', () => {
    const { d, scene } = doc();
    const ext = d.createExtension(KHRLightsPunctual);
    scene.addChild(d.createNode('t').setMesh(triangleMesh(d)));
    const spot = ext.createLight('s').setType('spot').setIntensity(10).setColor([1, 0.5, 0.25]).setInnerConeAngle(0.1).setOuterConeAngle(0.4);
    const parent = d.createNode('p').setTranslation([0, 3, 0]);
    parent.addChild(d.createNode('spot').setTranslation([1, 0, 0]).setRotation(q90y).setExtension('KHR_lights_punctual', spot));
    scene.addChild(parent);
    const r = flattenScene(d);
    expect(r.buffers.lights).toHaveLength(1);
    const l = r.buffers.lights[0]!;
    expect(l.type).toBe('spot');
    expect(l.position.map((x) => (Math.round(x * 1e5) / 1e5) || 0)).toEqual([1, 3, 0]);
    expect(l.direction.map((x) => (Math.round(x * 1e5) / 1e5) || 0)).toEqual([-1, 0, 0]);
    expect(l.color).toEqual([10, 5, 2.5]);
    expect(l.outerConeAngle).toBeCloseTo(0.4);
    expect(r.usedDefaultEnvironment).toBe(false);
    expect(r.buffers.background).toEqual({ type: 'color', color: [0, 0, 0] });
  });

  it('multiplies emission by KHR_materials_emissive_strength and counts it as light', () => {
    const { d, scene } = doc();
    const ext = d.createExtension(KHRMaterialsEmissiveStrength);
    const mat = d.createMaterial('lamp').setEmissiveFactor([1, 0.5, 0]).setExtension('KHR_materials_emissive_strength', ext.createEmissiveStrength().setEmissiveStrength(8));
    scene.addChild(d.createNode('lamp').setMesh(meshFrom(d, 'lamp', box(1, 1, 1), mat)));
    const r = flattenScene(d);
    expect(r.buffers.materials[0]!.emissive).toEqual([8, 4, 0]);
    expect(r.usedDefaultEnvironment).toBe(false);
  });

  it('reads KHR_materials_specular (weight, colour, their textures); without it the plain glTF dielectric', () => {
    const { d, scene } = doc();
    const ext = d.createExtension(KHRMaterialsSpecular);
    const img = d.createTexture('spec').setImage(encodePng(2, 2, new Uint8Array(16).fill(200))).setMimeType('image/png');
    const spec = ext.createSpecular().setSpecularFactor(0.25).setSpecularColorFactor([2, 1, 0.5]).setSpecularTexture(img).setSpecularColorTexture(img);
    const matte = d.createMaterial('matte').setExtension('KHR_materials_specular', spec);
    const plain = d.createMaterial('plain');
    scene.addChild(d.createNode('a').setMesh(meshFrom(d, 'a', box(1, 1, 1), matte)));
    scene.addChild(d.createNode('b').setMesh(meshFrom(d, 'b', box(1, 1, 1), plain)).setTranslation([3, 0, 0]));
    const mats = flattenScene(d).buffers;
    const m = mats.materials.find((x) => x.name === 'matte')!;
    expect(m).toMatchObject({ specular: 0.25, specularColor: [2, 1, 0.5] });
    // The weight texture is data (its A channel), the colour texture is sRGB colour.
    expect(mats.textures[m.specularTexture]!.srgb).toBe(false);
    expect(mats.textures[m.specularColorTexture]!.srgb).toBe(true);
    expect(mats.materials.find((x) => x.name === 'plain')).toMatchObject({ specular: 1, specularColor: [1, 1, 1], specularTexture: -1, specularColorTexture: -1 });
  });

  it('lights a scene with no lights and no emission by the default sky, replaceable', () => {
    const { d, scene } = doc();
    scene.addChild(d.createNode('t').setMesh(triangleMesh(d)));
    const r = flattenScene(d);
    expect(r.usedDefaultEnvironment).toBe(true);
    expect(r.buffers.background.type).toBe('equirect');
    const tex = r.buffers.textures[(r.buffers.background as { texture: number }).texture]!;
    expect(tex.data.length).toBe(tex.width * tex.height * 4);
    const flat = flattenScene(d, { environment: { color: [0.2, 0.3, 0.4] } });
    expect(flat.usedDefaultEnvironment).toBe(false);
    expect(flat.buffers.background).toEqual({ type: 'color', color: [0.2, 0.3, 0.4] });
    expect(flattenScene(d, { environment: 'none' }).buffers.background).toEqual({ type: 'color', color: [0, 0, 0] });
  });
});

describe('flattenScene: materials and textures', () => {
  it('decodes textures to RGBA8 with their wrap modes and colour spaces', () => {
    const { d, scene } = doc();
    const px = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 128]);
    const tex = d.createTexture('t').setImage(encodePng(2, 2, px)).setMimeType('image/png');
    const mat = d.createMaterial('m').setBaseColorTexture(tex).setNormalTexture(tex).setAlphaMode('MASK').setAlphaCutoff(0.3).setDoubleSided(true);
    mat.getBaseColorTextureInfo()!.setWrapS(33071).setWrapT(33648);
    const mesh = d.createMesh('q').addPrimitive(primitiveFrom(d, { positions: [0, 0, 0, 1, 0, 0, 0, 1, 0], normals: [], uvs: [0, 0, 1, 0, 0, 1], indices: [0, 1, 2] }, mat));
    scene.addChild(d.createNode('q').setMesh(mesh));
    const r = flattenScene(d, { environment: 'none' });
    const m = r.buffers.materials[0]!;
    expect(m).toMatchObject({ alphaMode: 'mask', alphaCutoff: expect.closeTo(0.3, 5), doubleSided: true });
    const base = r.buffers.textures[m.baseColorTexture]!;
    expect(base).toMatchObject({ width: 2, height: 2, wrapS: 'clamp', wrapT: 'mirror', srgb: true });
    expect([...base.data]).toEqual([...px]);
    const normal = r.buffers.textures[m.normalTexture]!;
    expect(normal.srgb).toBe(false);
    expect(m.normalTexture).not.toBe(m.baseColorTexture);
    expect(r.buffers.uvs).toHaveLength(6);
  });

  it('leaves out an image it cannot decode, with a warning', () => {
    const { d, scene } = doc();
    const tex = d.createTexture('broken').setImage(new Uint8Array([1, 2, 3, 4])).setMimeType('image/png');
    const mat = d.createMaterial('Wood').setBaseColorTexture(tex);
    scene.addChild(d.createNode('q').setMesh(meshFrom(d, 'q', box(1, 1, 1), mat)));
    const r = flattenScene(d);
    expect(r.buffers.materials[0]!.baseColorTexture).toBe(-1);
    expect(r.warnings.join()).toMatch(/"broken" of material "Wood" could not be read/);
  });
});

describe('flattenScene: morph targets and skins', () => {
  function morphDoc(): { d: Document; node: Node } {
    const { d, scene } = doc();
    const buffer = d.getRoot().listBuffers()[0]!;
    const mesh = triangleMesh(d);
    const prim = mesh.listPrimitives()[0]!;
    prim.addTarget(d.createPrimitiveTarget().setAttribute('POSITION', d.createAccessor().setType('VEC3').setArray(new Float32Array([0, 0, 2, 0, 0, 2, 0, 0, 2])).setBuffer(buffer)));
    mesh.setWeights([0.25]);
    const node = d.createNode('morph').setMesh(mesh);
    scene.addChild(node);
    return { d, node };
  }

  it('applies morph weights from the mesh, the node and an animation', () => {
    const { d, node } = morphDoc();
    expect(vertex(flattenScene(d).buffers.positions, 0)).toEqual([0, 0, 0.5]);
    node.setWeights([1]);
    expect(vertex(flattenScene(d).buffers.positions, 0)).toEqual([0, 0, 2]);
    const buffer = d.getRoot().listBuffers()[0]!;
    const sampler = d
      .createAnimationSampler()
      .setInput(d.createAccessor().setType('SCALAR').setArray(new Float32Array([0, 1])).setBuffer(buffer))
      .setOutput(d.createAccessor().setType('SCALAR').setArray(new Float32Array([0, 0.5])).setBuffer(buffer));
    d.createAnimation('w').addSampler(sampler).addChannel(d.createAnimationChannel().setTargetNode(node).setTargetPath('weights').setSampler(sampler));
    expect(vertex(flattenScene(d, { time: 1 }).buffers.positions, 0)).toEqual([0, 0, 1]);
  });

  it('skins vertices with their joints at the animation time', () => {
    const { d, scene } = doc();
    const buffer = d.getRoot().listBuffers()[0]!;
    const mesh = triangleMesh(d);
    const prim = mesh.listPrimitives()[0]!;
    prim.setAttribute('JOINTS_0', d.createAccessor().setType('VEC4').setArray(new Uint8Array([0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0])).setBuffer(buffer));
    prim.setAttribute('WEIGHTS_0', d.createAccessor().setType('VEC4').setArray(new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0])).setBuffer(buffer));
    const root = d.createNode('root');
    const moved = d.createNode('moved').setTranslation([0, 0, 3]);
    root.addChild(moved);
    const skin = d.createSkin('skin').addJoint(root).addJoint(moved);
    scene.addChild(root).addChild(d.createNode('skinned').setMesh(mesh).setSkin(skin).setTranslation([100, 0, 0]));
    const r = flattenScene(d);
    // Joint 1 moves its vertices by +3 in z; the skinned node's own transform is ignored.
    expect(vertex(r.buffers.positions, 0)).toEqual([0, 0, 0]);
    expect(vertex(r.buffers.positions, 1)).toEqual([1, 0, 3]);
    expect(vertex(r.buffers.positions, 2)).toEqual([0, 1, 3]);
  });
});
