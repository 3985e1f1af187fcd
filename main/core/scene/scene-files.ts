/**
 * Where the files of a scene come from: a path (a .glb, a .gltf beside its .bin and
 * images, or a folder holding one .gltf) or a set of uploaded files. The importer reads
 * every file through this one interface, so both forms report problems the same way.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, posix, relative, resolve, sep } from 'node:path';
import type { SceneProblem } from '../../../shared/api/scenes';

/** The files of one scene: its main file and a way to read the files it refers to. */
export interface SceneFiles {
  /** The main file's name as a person sees it (`robot.gltf`). */
  mainName: string;
  main: Uint8Array;
  /** Reads a file relative to the main file (a URI from the glTF, already decoded); undefined when missing. */
  read(relativePath: string): Uint8Array | undefined;
}

/** A file handed over in memory (a browser upload). `name` may hold a relative path. */
export interface InMemoryFile {
  name: string;
  bytes: Uint8Array;
}

/** What importScene accepts. */
export type SceneSource = { path: string } | { files: InMemoryFile[] };

const SCENE_EXT = new Set(['.gltf', '.glb']);

function problem(code: string, message: string, name?: string): SceneProblem {
  return { severity: 'error', code, message, ...(name ? { subject: { kind: 'file' as const, name } } : {}) };
}

/** Picks the one glTF among names, or explains why it cannot. */
function pickMain(names: string[], where: string): string | SceneProblem {
  const byDepth = (n: string) => n.split('/').length;
  const scenes = names.filter((n) => SCENE_EXT.has(extname(n).toLowerCase()));
  if (scenes.length === 0) {
    return problem('SCENE_NO_GLTF', `${where} holds no .gltf or .glb file. Export the scene as glTF 2.0 (in Blender: File → Export → glTF 2.0).`);
  }
  const shallowest = Math.min(...scenes.map(byDepth));
  const top = scenes.filter((n) => byDepth(n) === shallowest);
  const gltf = top.filter((n) => extname(n).toLowerCase() === '.gltf');
  const pick = gltf.length === 1 ? gltf : top;
  if (pick.length > 1) {
    return problem('SCENE_SEVERAL_GLTF', `${where} holds ${pick.length} scene files (${pick.slice(0, 5).map((n) => `\`${n}\``).join(', ')}); import one of them by itself.`);
  }
  return pick[0]!;
}

function walk(dir: string, root: string, out: string[], depth = 0): void {
  if (depth > 4 || out.length > 5000) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, root, out, depth + 1);
    else if (e.isFile()) out.push(relative(root, p).split(sep).join('/'));
  }
}

/**
 * Reads a scene from a path; returns its files or the problem that stops the import.
 * `confine` keeps every file the scene refers to inside `path` (a staged upload must not
 * reach files elsewhere on the machine through `../` in its URIs).
 */
export function filesFromPath(path: string, opts: { confine?: boolean } = {}): SceneFiles | SceneProblem {
  if (!existsSync(path)) return problem('SCENE_NOT_FOUND', `\`${path}\` does not exist.`, basename(path));
  let mainPath = path;
  if (statSync(path).isDirectory()) {
    const names: string[] = [];
    walk(path, path, names);
    // A staged upload's folder is named by its random id, which means nothing to the person.
    const main = pickMain(names, opts.confine ? 'What you dropped' : `The folder \`${basename(path)}\``);
    if (typeof main !== 'string') return main;
    mainPath = join(path, ...main.split('/'));
  }
  const base = dirname(mainPath);
  let main: Uint8Array;
  try {
    main = readFileSync(mainPath);
  } catch (err) {
    return problem('SCENE_UNREADABLE', `\`${basename(mainPath)}\` cannot be read: ${(err as Error).message}`, basename(mainPath));
  }
  return {
    mainName: basename(mainPath),
    main,
    read(rel) {
      const p = join(base, ...rel.split('/'));
      if (opts.confine && !resolve(p).startsWith(resolve(path) + sep)) return undefined;
      try {
        return statSync(p).isFile() ? readFileSync(p) : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** Reads a scene from uploaded files (relative names kept); returns its files or the problem. */
export function filesFromMemory(files: InMemoryFile[]): SceneFiles | SceneProblem {
  const norm = (n: string) => posix.normalize(n.replace(/\\/g, '/')).replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  const map = new Map<string, Uint8Array>();
  for (const f of files) map.set(norm(f.name), f.bytes);
  const main = pickMain([...map.keys()], 'The upload');
  if (typeof main !== 'string') return main;
  const base = posix.dirname(main);
  return {
    mainName: posix.basename(main),
    main: map.get(main)!,
    read(rel) {
      return map.get(norm(base === '.' ? rel : `${base}/${rel}`));
    },
  };
}

/** Files from either form of source. */
export function sceneFiles(source: SceneSource): SceneFiles | SceneProblem {
  return 'path' in source ? filesFromPath(source.path) : filesFromMemory(source.files);
}
