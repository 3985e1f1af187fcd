/**
 * glTF → engine buffers: walks a scene's node hierarchy at one animation instant and
 * produces the world-space triangle soup, materials, textures, lights, background and
 * camera that the native path tracer renders. Frame n of a job renders at t = n / fps.
 */
import type { Document, Node, Scene } from '@gltf-transform/core';
import type { Light } from '@gltf-transform/extensions';
import { RayfarmError } from '../errors';
import { readFloats } from './accessor-data';
import { evaluateAnimations } from './flatten-animation';
import type { NodePose } from './flatten-animation';
import { GeometryBuilder, triangleIndices } from './flatten-geometry';
import { createFlattenCache, MaterialTable, numbers } from './flatten-materials';
import type { FlattenCache } from './flatten-materials';
import { fromTRS, identity, multiply, normalize3, transformDir, transformPoint } from './mat4';
import type { M4 } from './mat4';
import type { CameraDesc, LightDesc, SceneBuffers, Vec3 } from './types';
import { chooseWorld, emissiveBrightness } from './world-light';
import type { EnvironmentChoice, EnvironmentOption } from './world-light';

export type { EnvironmentChoice, EnvironmentOption } from './world-light';

/**
 * Most triangles a scene may have after instancing (every node that uses a mesh counts its
 * triangles again): geometry, BVH and texture-free memory stay within a few GiB on every
 * operator. Both the creator's import check and each operator's flattening enforce it.
 */
export const MAX_TRIANGLES = 16_000_000;

/** Options of one flattening. */
export interface FlattenOptions {
  /** Animation time in seconds (default 0). */
  time?: number;
  /** Index of a glTF camera in scene order, or 'auto' (the first camera, else one framing the scene). */
  cameraIndex?: number | 'auto';
  /** Width / height of the image, used to frame the automatic camera (default 16/9). */
  aspect?: number;
  environment?: EnvironmentOption;
  /** Decoded images shared between frames of the same document. */
  cache?: FlattenCache;
  /** Triangles after instancing beyond which the scene is refused (MAX_TRIANGLES). */
  maxTriangles?: number;
}

/** A flattened scene plus what the flattener had to say about it. */
export interface FlattenResult {
  buffers: SceneBuffers;
  camera: CameraDesc;
  /** Things rendered differently from what the file asks, in plain words. */
  warnings: string[];
  /** True when the studio environment lights the scene (chosen by `auto`, or asked for). */
  usedDefaultEnvironment: boolean;
  /** The world light chosen and why (the summary shows it). */
  environment: EnvironmentChoice;
  /** True when no glTF camera was used and one was placed to frame the scene. */
  autoCamera: boolean;
  bounds: { min: Vec3; max: Vec3 };
  triangles: number;
}

/** The scene a document renders: its default scene, else its first. */
export function sceneOf(doc: Document): Scene | undefined {
  const root = doc.getRoot();
  return root.getDefaultScene() ?? root.listScenes()[0];
}

function localMatrix(node: Node, pose: NodePose | undefined): M4 {
  return fromTRS(pose?.translation ?? node.getTranslation(), pose?.rotation ?? node.getRotation(), pose?.scale ?? node.getScale());
}

/** Every node of the scene in depth-first order with its world matrix at the given poses. */
export function worldMatrices(scene: Scene, poses: Map<Node, NodePose>): Map<Node, M4> {
  const out = new Map<Node, M4>();
  const visit = (node: Node, parent: M4, depth: number) => {
    if (depth > 1000 || out.has(node)) return;
    const world = multiply(parent, localMatrix(node, poses.get(node)));
    out.set(node, world);
    for (const child of node.listChildren()) visit(child, world, depth + 1);
  };
  for (const n of scene.listChildren()) visit(n, identity(), 0);
  return out;
}

/** The nodes carrying a camera, in scene order. */
export function cameraNodes(scene: Scene): Node[] {
  const out: Node[] = [];
  scene.traverse((n) => {
    if (n.getCamera()) out.push(n);
  });
  return out;
}

/** Flattens a glTF document at one instant into render-ready buffers. */
export function flattenScene(doc: Document, opts: FlattenOptions = {}): FlattenResult {
  const warnings: string[] = [];
  const seen = new Set<string>();
  const warn = (m: string) => {
    if (seen.has(m)) return;
    seen.add(m);
    warnings.push(m);
  };
  const time = opts.time ?? 0;
  const aspect = opts.aspect && opts.aspect > 0 ? opts.aspect : 16 / 9;
  const scene = sceneOf(doc);
  const poses = evaluateAnimations(doc, time);
  const worlds = scene ? worldMatrices(scene, poses) : new Map<Node, M4>();
  const table = new MaterialTable(opts.cache ?? createFlattenCache(), warn);
  const geo = new GeometryBuilder(warn);
  const lights: LightDesc[] = [];
  let triangles = 0;
  const maxTriangles = opts.maxTriangles ?? MAX_TRIANGLES;

  for (const [node, world] of worlds) {
    const mesh = node.getMesh();
    if (mesh) {
      const weights = poses.get(node)?.weights ?? (node.getWeights().length ? node.getWeights() : mesh.getWeights());
      const skin = node.getSkin();
      let joints: M4[] | undefined;
      if (skin) joints = jointMatrices(skin.listJoints(), skin.getInverseBindMatrices(), worlds, poses);
      mesh.listPrimitives().forEach((prim, pi) => {
        const label = `Mesh "${mesh.getName() || 'unnamed'}" (part ${pi + 1})`;
        const tris = triangleIndices(prim);
        if (!tris) {
          warn(`${label} is made of ${prim.getMode() === 0 ? 'points' : 'lines'}, which the renderer does not draw; it is left out.`);
          return;
        }
        if (tris.length === 0) return;
        triangles += tris.length / 3;
        if (triangles > maxTriangles) {
          throw new RayfarmError('SCENE_TOO_LARGE', `The scene has more than ${maxTriangles.toLocaleString('en')} triangles once every instance of its meshes is counted (${label} among them); this operator refuses it.`);
        }
        const mat = table.indexOf(prim.getMaterial());
        geo.add(prim, tris, world, mat, { weights: weights.length ? weights : undefined, joints }, label);
      });
    }
    const light = node.getExtension<Light>('KHR_lights_punctual');
    if (light) lights.push(toLight(light, world));
  }

  const { positions, normals, uvs, tangents, indices, materialIndex } = geo.result();
  const { background, choice } = chooseWorld({
    doc,
    option: opts.environment ?? 'auto',
    punctualLights: lights.length,
    emissiveBrightness: () => emissiveBrightness(positions, indices, materialIndex, table.materials, table.textures),
    addTexture: (t) => table.addTexture(t),
  });
  if (table.materials.length === 0) table.indexOf(null);

  const bounds = {
    min: (geo.triangleCount ? [...geo.min] : [0, 0, 0]) as unknown as Vec3,
    max: (geo.triangleCount ? [...geo.max] : [0, 0, 0]) as unknown as Vec3,
  };
  const { camera, auto } = chooseCamera(doc, scene, worlds, opts.cameraIndex ?? 'auto', aspect, warn);
  return {
    buffers: { positions, normals, uvs, tangents, indices, materialIndex, materials: table.materials, textures: table.textures, lights, background },
    camera,
    warnings,
    usedDefaultEnvironment: choice.kind === 'studio',
    environment: choice,
    autoCamera: auto,
    bounds,
    triangles: geo.triangleCount,
  };
}

function jointMatrices(joints: Node[], ibmAcc: ReturnType<NonNullable<ReturnType<Node['getSkin']>>['getInverseBindMatrices']>, worlds: Map<Node, M4>, poses: Map<Node, NodePose>): M4[] {
  const ibm = ibmAcc ? readFloats(ibmAcc) : null;
  return joints.map((j, i) => {
    // A joint outside the scene graph still has a transform of its own.
    const world = worlds.get(j) ?? fromTRS(poses.get(j)?.translation ?? j.getTranslation(), poses.get(j)?.rotation ?? j.getRotation(), poses.get(j)?.scale ?? j.getScale());
    const inv = ibm && ibm.length >= 16 * (i + 1) ? Array.from(ibm.subarray(16 * i, 16 * i + 16)) : identity();
    return multiply(world, inv);
  });
}

function toLight(light: Light, world: M4): LightDesc {
  const intensity = light.getIntensity();
  const c = numbers(light.getColor(), 3, [1, 1, 1]);
  const position = transformPoint(world, 0, 0, 0);
  const direction = normalize3(...transformDir(world, 0, 0, -1));
  const type = light.getType() as LightDesc['type'];
  return {
    type,
    position,
    direction: direction[0] === 0 && direction[1] === 0 && direction[2] === 0 ? [0, 0, -1] : direction,
    color: [c[0]! * intensity, c[1]! * intensity, c[2]! * intensity],
    intensity,
    range: light.getRange() ?? 0,
    innerConeAngle: type === 'spot' ? light.getInnerConeAngle() : 0,
    outerConeAngle: type === 'spot' ? light.getOuterConeAngle() : Math.PI / 4,
  };
}

function chooseCamera(doc: Document, scene: Scene | undefined, worlds: Map<Node, M4>, index: number | 'auto', aspect: number, warn: (m: string) => void): { camera: CameraDesc; auto: boolean } {
  const nodes = scene ? cameraNodes(scene) : [];
  let node: Node | undefined;
  if (index === 'auto') node = nodes[0];
  else {
    node = nodes[index];
    if (!node) warn(`The scene has ${nodes.length} camera${nodes.length === 1 ? '' : 's'}, so camera ${index} does not exist; a camera framing the scene is used.`);
  }
  const cam = node?.getCamera();
  if (node && cam) {
    if (cam.getType() !== 'perspective') {
      warn(`Camera "${cam.getName() || node.getName() || 'unnamed'}" is orthographic, which the renderer does not support; a camera framing the scene is used.`);
    } else {
      const w = worlds.get(node)!;
      // Drop any scale on the camera node: the renderer wants an orthonormal frame.
      const r = normalize3(w[0]!, w[1]!, w[2]!);
      const u = normalize3(w[4]!, w[5]!, w[6]!);
      const b = normalize3(w[8]!, w[9]!, w[10]!);
      return { camera: { cameraToWorld: [...r, 0, ...u, 0, ...b, 0, w[12]!, w[13]!, w[14]!, 1], yfov: cam.getYFov(), name: cam.getName() || node.getName() || undefined }, auto: false };
    }
  }
  return { camera: framingCamera(restBounds(doc, scene), aspect), auto: true };
}

/**
 * Bounds of the scene at t = 0 from each primitive's accessor bounds. The automatic camera
 * frames these, not the current frame's geometry, so it stays still through an animation.
 */
export function restBounds(doc: Document, scene: Scene | undefined): { min: Vec3; max: Vec3 } {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  if (scene) {
    const worlds = worldMatrices(scene, evaluateAnimations(doc, 0));
    for (const [node, world] of worlds) {
      for (const prim of node.getMesh()?.listPrimitives() ?? []) {
        const pos = prim.getAttribute('POSITION');
        if (!pos || pos.getCount() === 0) continue;
        const lo = pos.getMin([]);
        const hi = pos.getMax([]);
        for (let c = 0; c < 8; c++) {
          const p = transformPoint(world, c & 1 ? hi[0]! : lo[0]!, c & 2 ? hi[1]! : lo[1]!, c & 4 ? hi[2]! : lo[2]!);
          for (let k = 0; k < 3; k++) {
            if (!Number.isFinite(p[k]!)) continue;
            min[k] = Math.min(min[k]!, p[k]!);
            max[k] = Math.max(max[k]!, p[k]!);
          }
        }
      }
    }
  }
  if (!(min[0]! <= max[0]!)) return { min: [-1, -1, -1], max: [1, 1, 1] };
  return { min: min as unknown as Vec3, max: max as unknown as Vec3 };
}

/** A camera looking at the bounds from the front, a little above and to the right, fitting them in view. */
export function framingCamera(bounds: { min: Vec3; max: Vec3 }, aspect: number): CameraDesc {
  const yfov = (40 * Math.PI) / 180;
  const center = [0, 1, 2].map((k) => (bounds.min[k]! + bounds.max[k]!) / 2);
  const radius = Math.max(1e-3, 0.5 * Math.hypot(bounds.max[0] - bounds.min[0], bounds.max[1] - bounds.min[1], bounds.max[2] - bounds.min[2]));
  const hfov = 2 * Math.atan(Math.tan(yfov / 2) * aspect);
  const dist = (radius / Math.sin(Math.min(yfov, hfov) / 2)) * 1.02;
  const back = normalize3(0.45, 0.35, 1); // camera +Z points from the scene to the camera
  const eye = center.map((c, k) => c + back[k]! * dist);
  const right = normalize3(back[2], 0, -back[0]); // up × back with up = +Y
  const up = normalize3(back[1] * right[2] - back[2] * right[1], back[2] * right[0] - back[0] * right[2], back[0] * right[1] - back[1] * right[0]);
  return { cameraToWorld: [...right, 0, ...up, 0, ...back, 0, eye[0]!, eye[1]!, eye[2]!, 1], yfov, name: 'automatic' };
}

export { createFlattenCache } from './flatten-materials';
export type { FlattenCache } from './flatten-materials';
