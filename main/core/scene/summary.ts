/**
 * What a packaged scene holds, for the import screen and `rayfarm scene`: triangles drawn
 * (each instance counts), meshes, materials, textures with their sizes, lights, cameras,
 * animations with their time range, bounds and the package size.
 */
import type { Document } from '@gltf-transform/core';
import type { Light } from '@gltf-transform/extensions';
import type { SceneProblem, SceneSummary } from '../../../shared/api/scenes';
import { animationRanges } from '../engine/flatten-animation';
import { triangleIndices } from '../engine/flatten-geometry';
import { flattenScene, sceneOf } from '../engine/flatten';
import { HDR_MIME } from '../engine/environment-ext';
import { environmentMaps } from '../engine/world-light';

/** Triangles drawn by the scene at rest: a mesh used by three nodes counts three times. */
export function countTriangles(doc: Document): number {
  let n = 0;
  sceneOf(doc)?.traverse((node) => {
    for (const prim of node.getMesh()?.listPrimitives() ?? []) {
      if (prim.getAttribute('POSITION')) n += (triangleIndices(prim)?.length ?? 0) / 3;
    }
  });
  return n;
}

/** Summarises a packaged scene. `bytes` is the package size; the preview hash is filled in later. */
export function summarizeScene(doc: Document, opts: { name: string; bytes: number; warnings: SceneProblem[] }): SceneSummary {
  const root = doc.getRoot();
  const scene = sceneOf(doc);
  const lights: SceneSummary['lights'] = [];
  const cameras: SceneSummary['cameras'] = [];
  const meshes = new Set<unknown>();
  scene?.traverse((node) => {
    const mesh = node.getMesh();
    if (mesh) meshes.add(mesh);
    const light = node.getExtension<Light>('KHR_lights_punctual');
    if (light) lights.push({ name: light.getName() || node.getName() || `light ${lights.length + 1}`, type: light.getType() });
    const cam = node.getCamera();
    if (cam) {
      const c: SceneSummary['cameras'][number] = { name: cam.getName() || node.getName() || `camera ${cameras.length + 1}`, type: cam.getType() };
      if (cam.getType() === 'perspective') c.yfov = cam.getYFov();
      cameras.push(c);
    }
  });
  const flat = flattenScene(doc, { time: 0 });
  return {
    name: opts.name,
    triangles: countTriangles(doc),
    meshes: meshes.size,
    materials: root.listMaterials().length,
    textures: root.listTextures().filter((t) => t.getMimeType() !== HDR_MIME).map((t, i) => {
      const size = t.getSize();
      return { name: t.getName() || t.getURI() || `texture ${i + 1}`, width: size?.[0] ?? 0, height: size?.[1] ?? 0, mimeType: t.getMimeType(), bytes: t.getImage()?.byteLength ?? 0 };
    }),
    lights,
    cameras,
    animations: animationRanges(doc).map((a) => ({ name: a.name, start: a.start, end: a.end, channels: a.channels })),
    bounds: { min: [...flat.bounds.min], max: [...flat.bounds.max] } as SceneSummary['bounds'],
    bytes: opts.bytes,
    usesDefaultEnvironment: flat.usedDefaultEnvironment,
    environment: { kind: flat.environment.kind, reason: flat.environment.reason, ...(flat.environment.hdri ? { hdri: flat.environment.hdri } : {}) },
    environmentMaps: environmentMaps(doc).map(({ name, sha256, width, height }) => ({ name, sha256, width, height })),
    previewHash: null,
    warnings: opts.warnings,
  };
}
