/**
 * Reads a scene for a creator: resolves its files, checks them (gltf-check), parses the
 * glTF with @gltf-transform (decoding Draco or meshopt geometry) and checks what only the parsed scene shows (indices out of
 * range, no geometry, lines and points, orthographic cameras). Returns the document and
 * every problem found, errors and warnings, each in words a person understands.
 */
import type { Document } from '@gltf-transform/core';
import type { SceneProblem } from '../../../shared/api/scenes';
import { readUints } from '../engine/accessor-data';
import { MODE, triangleIndices } from '../engine/flatten-geometry';
import { MAX_TRIANGLES, sceneOf } from '../engine/flatten';
import { createGltfIO } from '../engine/gltf-io';
import { checkGltf } from './gltf-check';
import { geometryDecoders, usesCompressedGeometry } from './compressed-geometry';
import { convertWebpTextures } from './webp-textures';
import { sceneFiles } from './scene-files';
import type { SceneFiles, SceneSource } from './scene-files';

/** What reading a scene gave: the parsed document (absent when it could not be read) and the problems. */
export interface ReadSceneResult {
  doc?: Document;
  name: string;
  problems: SceneProblem[];
}

/** True when some problem blocks rendering. */
export function hasErrors(problems: readonly SceneProblem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}

/** Reads and checks a scene from a path or uploaded files. */
export async function readScene(source: SceneSource): Promise<ReadSceneResult> {
  const files = sceneFiles(source);
  if ('severity' in files) return { name: 'path' in source ? source.path : 'upload', problems: [files] };
  return readSceneFiles(files);
}

/** Reads and checks a scene whose files are already resolved. */
export async function readSceneFiles(files: SceneFiles): Promise<ReadSceneResult> {
  const baseName = files.mainName.replace(/\.(gltf|glb)$/i, '');
  const checked = checkGltf(files);
  const problems = [...checked.problems];
  if (!checked.parseable) return { name: baseName, problems };
  let doc: Document;
  const compressed = usesCompressedGeometry(checked.json);
  try {
    const io = createGltfIO().registerDependencies(await geometryDecoders(checked.json));
    doc = await io.readJSON({ json: checked.json as never, resources: checked.resources as Record<string, Uint8Array<ArrayBuffer>> });
  } catch (err) {
    const why = (err as Error).message;
    const message = compressed
      ? `The compressed geometry in \`${files.mainName}\` could not be decoded (${why}); the file is damaged. Export it again, or export it without mesh compression.`
      : `\`${files.mainName}\` could not be read: ${why}`;
    problems.push({ severity: 'error', code: 'SCENE_UNREADABLE', message, subject: { kind: 'file', name: files.mainName } });
    return { name: baseName, problems };
  }
  problems.push(...(await convertWebpTextures(doc)), ...checkDocument(doc));
  const sceneName = sceneOf(doc)?.getName();
  return { doc, name: sceneName && sceneName !== 'Scene' ? sceneName : baseName, problems };
}

/** Problems only the parsed scene shows. */
export function checkDocument(doc: Document): SceneProblem[] {
  const problems: SceneProblem[] = [];
  const root = doc.getRoot();
  const scenes = root.listScenes();
  const scene = sceneOf(doc);
  if (scenes.length > 1) {
    problems.push({ severity: 'warning', code: 'SCENE_SEVERAL_SCENES', message: `The file holds ${scenes.length} scenes; only \`${scene?.getName() || 'the first'}\` is rendered.`, subject: { kind: 'scene', name: scene?.getName() || 'scene 0' } });
  }
  for (const mesh of root.listMeshes()) {
    const name = mesh.getName() || `mesh ${root.listMeshes().indexOf(mesh)}`;
    for (const prim of mesh.listPrimitives()) {
      const pos = prim.getAttribute('POSITION');
      const mode = prim.getMode();
      if (mode === MODE.POINTS || mode === MODE.LINES || mode === MODE.LINE_LOOP || mode === MODE.LINE_STRIP) {
        problems.push({ severity: 'warning', code: 'SCENE_NOT_TRIANGLES', message: `Mesh \`${name}\` has ${mode === MODE.POINTS ? 'points' : 'lines'}, which are not rendered.`, subject: { kind: 'mesh', name } });
        continue;
      }
      if (!pos) {
        problems.push({ severity: 'warning', code: 'SCENE_NO_POSITIONS', message: `Mesh \`${name}\` has a part without vertex positions; it is left out.`, subject: { kind: 'mesh', name } });
        continue;
      }
      const idx = prim.getIndices();
      if (idx) {
        const values = readUints(idx);
        let max = 0;
        for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
        if (values.length && max >= pos.getCount()) {
          problems.push({ severity: 'error', code: 'SCENE_ACCESSOR_OUT_OF_RANGE', message: `Mesh \`${name}\` refers to vertex ${max} but has only ${pos.getCount()} vertices; the file is damaged.`, subject: { kind: 'mesh', name } });
        }
      }
    }
  }
  let triangles = 0;
  scene?.traverse((node) => {
    for (const prim of node.getMesh()?.listPrimitives() ?? []) if (prim.getAttribute('POSITION')) triangles += (triangleIndices(prim)?.length ?? 0) / 3;
    const cam = node.getCamera();
    if (cam && cam.getType() !== 'perspective') {
      const name = cam.getName() || node.getName() || 'camera';
      problems.push({ severity: 'warning', code: 'SCENE_ORTHOGRAPHIC_CAMERA', message: `Camera \`${name}\` is orthographic, which is not supported; a camera framing the scene is used instead.`, subject: { kind: 'camera', name } });
    }
  });
  if (triangles > MAX_TRIANGLES) {
    problems.push({
      severity: 'error',
      code: 'SCENE_TOO_LARGE',
      message: `The scene has ${Math.round(triangles).toLocaleString('en')} triangles once every instance of its meshes is counted; render nodes accept at most ${MAX_TRIANGLES.toLocaleString('en')}. Simplify it or use fewer copies.`,
      subject: { kind: 'scene', name: scene?.getName() || 'scene' },
    });
  }
  if (triangles === 0) {
    problems.push({
      severity: 'error',
      code: 'SCENE_NO_GEOMETRY',
      message: scene ? 'The scene has nothing to render: it holds no triangles.' : 'The file holds no scene to render.',
      subject: { kind: 'scene', name: scene?.getName() || 'scene' },
    });
  }
  return problems;
}
