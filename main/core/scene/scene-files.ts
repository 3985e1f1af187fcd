/**
 * Where the files of a scene come from: a path (a .glb, a .gltf beside its .bin and
 * images, or a folder holding one .gltf) or a set of uploaded files. The importer reads
 * every file through this one interface, so both forms report problems the same way.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, posix, relative, sep } from 'node:path';
import type { SceneProblem } from '../../../shared/api/scenes';

/** Why a URI of the scene could not be read. */
export type UnreadableReason = 'missing' | 'outside' | 'scheme' | 'absolute' | 'malformed' | 'too-large';

/** What reading one URI gave: its bytes, or why there are none (in words, naming the URI). */
export type FileRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: UnreadableReason; why: string };

/** The files of one scene: its main file and a way to read the files it refers to. */
export interface SceneFiles {
  /** The main file's name as a person sees it (`robot.gltf`). */
  mainName: string;
  main: Uint8Array;
  /**
   * Reads a file the glTF refers to by `uri` (as written in the file, percent-encoded).
   * Only files inside the scene's folder are ever read: see `confinedPath`.
   */
  read(uri: string): FileRead;
}

/** Largest file a scene may refer to (a .bin or a texture). */
export const MAX_SCENE_FILE_BYTES = 2 * 1024 ** 3;

/**
 * The path, relative to the scene's folder, that a glTF URI names; or why it names none.
 * Confinement holds for every way a scene arrives (upload, path, folder, CLI): a URI with
 * a scheme (`file:`, `http:`, a drive letter), an absolute path, a `..` that climbs out
 * of the folder, malformed percent-encoding, a NUL or a backslash is refused. `data:` URIs
 * never get here (gltf-check decodes them with a size cap). `mainDir` is the main file's
 * folder relative to the scene's folder (`''` or `sub/dir`).
 */
export function confinedPath(uri: string, mainDir: string): { path: string } | { reason: UnreadableReason; why: string } {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) return { reason: 'scheme', why: 'is a URL or drive path; a scene may only use files inside its own folder' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(uri);
  } catch {
    return { reason: 'malformed', why: 'is not a valid (percent-encoded) file name' };
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.length === 0 || decoded.length > 1024) {
    return { reason: 'malformed', why: 'is not a valid file name (empty, too long, or with a NUL or backslash)' };
  }
  if (decoded.startsWith('/')) return { reason: 'absolute', why: "is an absolute path; a scene may only use files inside its own folder" };
  const joined = posix.normalize(mainDir ? `${mainDir}/${decoded}` : decoded);
  if (joined === '..' || joined.startsWith('../') || joined.startsWith('/')) {
    return { reason: 'outside', why: "points outside the scene's folder; a scene may only use files inside its own folder" };
  }
  return { path: joined };
}

/** A file handed over in memory (a browser upload). `name` may hold a relative path. */
export interface InMemoryFile {
  name: string;
  bytes: Uint8Array;
}

/** What importScene accepts. */
/** Where a scene comes from; `upload` marks a browser upload staged in a folder named by its random id. */
export type SceneSource = { path: string; upload?: boolean } | { files: InMemoryFile[] };

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
 * Reads a scene from a path; returns its files or the problem that stops the import. The
 * scene's folder is the folder given, or the main file's folder: no URI reaches outside
 * it, through `..`, an absolute path or a symbolic link (the real path is checked).
 */
export function filesFromPath(path: string, opts: { upload?: boolean } = {}): SceneFiles | SceneProblem {
  if (!existsSync(path)) return problem('SCENE_NOT_FOUND', `\`${path}\` does not exist.`, basename(path));
  // A .blend goes through Blender (blend-prepare.ts), which the app's import does not call yet.
  if (/\.blend$/i.test(path)) {
    return problem('SCENE_BLEND_NOT_IN_APP', `\`${basename(path)}\` is a Blender file: the app cannot import .blend files yet. Check and render it with \`rayfarm scene\`, \`rayfarm render\` or \`rayfarm submit\` (Blender jobs run on the network), or export it as glTF 2.0 (File → Export → glTF 2.0).`, basename(path));
  }
  let mainPath = path;
  let root = dirname(path);
  if (statSync(path).isDirectory()) {
    const names: string[] = [];
    walk(path, path, names);
    // A staged upload's folder is named by its random id, which means nothing to the person.
    const main = pickMain(names, opts.upload ? 'What you dropped' : `The folder \`${basename(path)}\``);
    if (typeof main !== 'string') return main;
    mainPath = join(path, ...main.split('/'));
    root = path;
  }
  let main: Uint8Array;
  try {
    main = readFileSync(mainPath);
  } catch (err) {
    return problem('SCENE_UNREADABLE', `\`${basename(mainPath)}\` cannot be read: ${(err as Error).message}`, basename(mainPath));
  }
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch (err) {
    return problem('SCENE_UNREADABLE', `The folder of \`${basename(mainPath)}\` cannot be read: ${(err as Error).message}`, basename(mainPath));
  }
  const mainDir = relative(root, dirname(mainPath)).split(sep).join('/');
  return {
    mainName: basename(mainPath),
    main,
    read(uri) {
      const c = confinedPath(uri, mainDir);
      if ('reason' in c) return { ok: false, reason: c.reason, why: c.why };
      const p = join(root, ...c.path.split('/'));
      let real: string;
      try {
        real = realpathSync(p);
      } catch {
        return { ok: false, reason: 'missing', why: 'is missing' };
      }
      // A symbolic link inside the folder may point anywhere: judge where it really leads.
      if (!real.startsWith(realRoot + sep)) return { ok: false, reason: 'outside', why: "leads outside the scene's folder (through a link); a scene may only use files inside its own folder" };
      try {
        const st = statSync(real);
        if (!st.isFile()) return { ok: false, reason: 'missing', why: 'is not a file' };
        if (st.size > MAX_SCENE_FILE_BYTES) return { ok: false, reason: 'too-large', why: `is larger than ${MAX_SCENE_FILE_BYTES / 1024 ** 3} GiB` };
        return { ok: true, bytes: readFileSync(real) };
      } catch {
        return { ok: false, reason: 'missing', why: 'cannot be read' };
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
    read(uri) {
      const c = confinedPath(uri, base === '.' ? '' : base);
      if ('reason' in c) return { ok: false, reason: c.reason, why: c.why };
      const bytes = map.get(c.path);
      return bytes ? { ok: true, bytes } : { ok: false, reason: 'missing', why: 'is missing' };
    },
  };
}

/** Files from either form of source. */
export function sceneFiles(source: SceneSource): SceneFiles | SceneProblem {
  return 'path' in source ? filesFromPath(source.path, { upload: source.upload ?? false }) : filesFromMemory(source.files);
}
