/**
 * Checks a glTF file at the level of its JSON and binary chunks, before @gltf-transform
 * parses it, so every problem is named in plain words (a missing texture and who uses it,
 * a short buffer, an accessor that reads past its data, an unsupported extension) instead
 * of surfacing as a parser's exception.
 */
import { ImageUtils } from '@gltf-transform/core';
import type { GLTF } from '@gltf-transform/core';
import type { SceneProblem } from '../../../shared/api/scenes';
import { decodeImage, MAX_TEXTURE_PIXELS, sniffImage } from '../engine/flatten-materials';
import { RAYFARM_ENVIRONMENT } from '../engine/environment-ext';
import { checkEnvironmentImage } from './exr-environment';
import { DECODED_EXTENSIONS, dracoAndBudgetProblems, isMeshoptFallback, meshoptViewProblem } from './compressed-geometry';
import { isWebp, WEBP, webpProblem } from './webp-textures';
import { gltfShapeProblem } from '../engine/gltf-shape';
import type { FileRead, SceneFiles } from './scene-files';

/** Extensions the renderer honours. */
export const SUPPORTED_EXTENSIONS = new Set([
  'KHR_lights_punctual', 'KHR_materials_emissive_strength', 'KHR_materials_specular', 'KHR_mesh_quantization',
  'KHR_materials_transmission', 'KHR_materials_ior', 'KHR_materials_volume', 'KHR_materials_clearcoat', 'KHR_materials_sheen', 'KHR_texture_transform',
  // Rayfarm's own environment map (engine/environment-ext.ts).
  RAYFARM_ENVIRONMENT,
]);
/** Extensions whose data cannot be read here at all (compressed geometry that compressed-geometry.ts does not decode). */
const UNREADABLE_EXTENSIONS = new Set(['KHR_meshopt_compression']);
/** Textures bigger than this (either side) draw a warning. */
export const MAX_TEXTURE_SIDE = 8192;
/** Largest `data:` URI, decoded: bigger data belongs in a .bin or image file. */
export const MAX_DATA_URI_BYTES = 256 * 1024 ** 2;

/**
 * The file's JSON as glTF declares it. It is a claim until checked: every field read here is
 * tested for its type and range before it is used, so the types name the fields, not their truth.
 */
type Json = GLTF.IGLTF;

/** The glTF JSON with the binary resources it needs, ready for @gltf-transform's readJSON. */
export interface CheckedGltf {
  json: Json;
  resources: Record<string, Uint8Array>;
  problems: SceneProblem[];
  /** False when errors make the file impossible to parse further. */
  parseable: boolean;
}

const GLB_MAGIC = 0x46546c67;
const CHUNK_JSON = 0x4e4f534a;
const CHUNK_BIN = 0x004e4942;
const COMPONENT_BYTES: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };
const TYPE_COUNT: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };
/** A 1×1 grey PNG standing in for a missing image so the rest of the file can still be checked. */
const PLACEHOLDER_PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==';

function err(code: string, message: string, subject?: SceneProblem['subject']): SceneProblem {
  return subject ? { severity: 'error', code, message, subject } : { severity: 'error', code, message };
}
function warn(code: string, message: string, subject?: SceneProblem['subject']): SceneProblem {
  return subject ? { severity: 'warning', code, message, subject } : { severity: 'warning', code, message };
}

/** Splits a GLB into its JSON text and binary chunk, or says why it cannot. */
function parseGlb(bytes: Uint8Array, name: string): { jsonText: string; bin?: Uint8Array } | SceneProblem {
  if (bytes.byteLength < 20) return err('SCENE_CORRUPT', `\`${name}\` is damaged: it has no content after its header.`, { kind: 'file', name });
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = dv.getUint32(4, true);
  if (version !== 2) return err('SCENE_UNSUPPORTED_VERSION', `\`${name}\` is a glTF ${version}.0 file; Rayfarm reads glTF 2.0. Re-export it as glTF 2.0.`, { kind: 'file', name });
  const declared = dv.getUint32(8, true);
  if (declared > bytes.byteLength) {
    return err('SCENE_TRUNCATED', `\`${name}\` is cut short: it should be ${declared} bytes long but has ${bytes.byteLength}. Copy or export it again.`, { kind: 'file', name });
  }
  const jsonLen = dv.getUint32(12, true);
  if (dv.getUint32(16, true) !== CHUNK_JSON || 20 + jsonLen > bytes.byteLength) {
    return err('SCENE_CORRUPT', `\`${name}\` is damaged: its JSON part is missing or cut short.`, { kind: 'file', name });
  }
  const jsonText = new TextDecoder().decode(bytes.subarray(20, 20 + jsonLen));
  let off = 20 + jsonLen;
  off += (4 - (off % 4)) % 4;
  if (off + 8 <= bytes.byteLength && dv.getUint32(off + 4, true) === CHUNK_BIN) {
    const binLen = dv.getUint32(off, true);
    const end = Math.min(bytes.byteLength, off + 8 + binLen);
    return { jsonText, bin: bytes.subarray(off + 8, end) };
  }
  return { jsonText };
}

/** Decodes a `data:` URI; undefined when it is malformed or decodes to more than MAX_DATA_URI_BYTES. */
function decodeDataUri(uri: string): Uint8Array | undefined {
  const m = /^data:[^,]*?(;base64)?,(.*)$/s.exec(uri);
  if (!m) return undefined;
  // Judge the size from the text before decoding anything.
  if ((m[1] ? (m[2]!.length * 3) / 4 : m[2]!.length) > MAX_DATA_URI_BYTES) return undefined;
  if (m[1]) return /^[A-Za-z0-9+/]*={0,2}$/.test(m[2]!) ? new Uint8Array(Buffer.from(m[2]!, 'base64')) : undefined;
  try {
    return new TextEncoder().encode(decodeURIComponent(m[2]!));
  } catch {
    return undefined;
  }
}

function decodeUri(uri: string): string {
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}

function quoteList(names: string[]): string {
  return names.map((n) => `\`${n}\``).join(', ');
}

/** Names of the materials that use each image, for messages. */
function imageUsers(json: Json): Map<number, string[]> {
  const users = new Map<number, string[]>();
  const textures: GLTF.ITexture[] = json.textures ?? [];
  (json.materials ?? []).forEach((m: GLTF.IMaterial, mi: number) => {
    const refs = [m.pbrMetallicRoughness?.baseColorTexture, m.pbrMetallicRoughness?.metallicRoughnessTexture, m.normalTexture, m.occlusionTexture, m.emissiveTexture];
    for (const ref of refs) {
      const src = typeof ref?.index === 'number' ? textures[ref.index]?.source : undefined;
      if (typeof src !== 'number') continue;
      const list = users.get(src) ?? [];
      const name = m.name || `material ${mi}`;
      if (!list.includes(name)) list.push(name);
      users.set(src, list);
    }
  });
  return users;
}

/** Reads the main file and every buffer and image it refers to, and checks them. */
export function checkGltf(files: SceneFiles): CheckedGltf {
  const problems: SceneProblem[] = [];
  const name = files.mainName;
  const bytes = files.main;
  const fail = (p: SceneProblem): CheckedGltf => ({ json: { asset: { version: '2.0' } }, resources: {}, problems: [...problems, p], parseable: false });
  let jsonText: string;
  let bin: Uint8Array | undefined;
  const isGlb = bytes.byteLength >= 12 && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true) === GLB_MAGIC;
  if (isGlb) {
    const r = parseGlb(bytes, name);
    if ('severity' in r) return fail(r);
    ({ jsonText, bin } = r);
  } else {
    jsonText = new TextDecoder().decode(bytes);
  }
  let json: Json;
  try {
    json = JSON.parse(jsonText.replace(/^\uFEFF/, '')) as Json;
  } catch (e) {
    const what = isGlb ? `\`${name}\` is damaged: its JSON part cannot be read (${(e as Error).message}).` : notGltfMessage(name, bytes);
    return fail(err(isGlb ? 'SCENE_CORRUPT' : 'SCENE_NOT_GLTF', what, { kind: 'file', name }));
  }
  if (!json || typeof json !== 'object' || typeof json.asset?.version !== 'string') {
    return fail(err('SCENE_NOT_GLTF', `\`${name}\` is JSON but not a glTF file (it has no "asset.version").`, { kind: 'file', name }));
  }
  if (!json.asset.version.startsWith('2')) {
    return fail(err('SCENE_UNSUPPORTED_VERSION', `\`${name}\` is glTF ${json.asset.version}; Rayfarm reads glTF 2.0. Re-export it as glTF 2.0.`, { kind: 'file', name }));
  }
  const shape = gltfShapeProblem(json);
  if (shape) return fail(err('SCENE_CORRUPT', `\`${name}\` is damaged: ${shape}.`, { kind: 'file', name }));

  // Extensions: required ones we cannot honour block; others are rendered without.
  const required = new Set<string>(json.extensionsRequired ?? []);
  for (const ext of new Set<string>([...(json.extensionsUsed ?? []), ...required])) {
    if (SUPPORTED_EXTENSIONS.has(ext) || DECODED_EXTENSIONS.has(ext) || ext === WEBP) continue;
    if (required.has(ext) || UNREADABLE_EXTENSIONS.has(ext)) {
      problems.push(err('SCENE_UNSUPPORTED_EXTENSION', `The scene requires the glTF extension ${ext}, which Rayfarm cannot render. Export without it${UNREADABLE_EXTENSIONS.has(ext) ? ' (turn off mesh compression)' : ''}.`, { kind: 'extension', name: ext }));
    } else {
      problems.push(warn('SCENE_EXTENSION_IGNORED', `The scene uses the glTF extension ${ext}; Rayfarm renders it without that effect.`, { kind: 'extension', name: ext }));
    }
  }

  // Buffers: present, long enough.
  const resources: Record<string, Uint8Array> = {};
  const bufferData: (Uint8Array | undefined)[] = [];
  (json.buffers ?? []).forEach((b: GLTF.IBuffer, i: number) => {
    const label = b.uri && !String(b.uri).startsWith('data:') ? decodeUri(b.uri) : b.name || `buffer ${i}`;
    let data: Uint8Array | undefined;
    if (b.uri === undefined) {
      data = isGlb && i === 0 ? bin : undefined;
      if (!data && !isMeshoptFallback(b)) problems.push(err('SCENE_CORRUPT', `\`${name}\` is damaged: buffer ${i} has neither a file nor data in the GLB.`, { kind: 'file', name }));
    } else if (String(b.uri).startsWith('data:')) {
      data = decodeDataUri(b.uri);
      if (!data) problems.push(err('SCENE_CORRUPT', `Buffer ${i} of \`${name}\` holds data that cannot be decoded.`, { kind: 'file', name: label }));
    } else {
      const r: FileRead = files.read(b.uri);
      if (r.ok) {
        data = r.bytes;
        resources[b.uri] = data;
      } else if (r.reason === 'missing') {
        problems.push(err('SCENE_MISSING_FILE', `The data file \`${label}\`, which holds the scene's geometry, is missing. Keep it next to \`${name}\`, and add them together: select all the scene's files (or drop its folder).`, { kind: 'file', name: label }));
      } else {
        problems.push(err('SCENE_FILE_REFUSED', `The data file \`${b.uri}\`, which holds the scene's geometry, ${r.why}. Put it next to \`${name}\` and refer to it by a relative name.`, { kind: 'file', name: String(b.uri) }));
      }
    }
    if (data && data.byteLength < b.byteLength) {
      problems.push(err('SCENE_SHORT_BUFFER', `The data file \`${label}\` is cut short: the scene needs ${b.byteLength} bytes but it holds ${data.byteLength}. Copy or export it again.`, { kind: 'file', name: label }));
      data = undefined;
    } else if (data && data.byteLength > b.byteLength + 3) {
      // A GLB's binary chunk is padded to 4 bytes; anything longer is not the buffer the file declares.
      problems.push(err('SCENE_BUFFER_LENGTH', `The data file \`${label}\` holds ${data.byteLength} bytes but the scene declares ${b.byteLength}; it does not belong to this scene. Export it again.`, { kind: 'file', name: label }));
      data = undefined;
    }
    bufferData.push(data);
  });
  if (isGlb && bin) resources['@glb.bin'] = bin;

  // Buffer views and accessors stay inside their data.
  const views: GLTF.IBufferView[] = json.bufferViews ?? [];
  const decoded = { bytes: 0 };
  const viewOk = views.map((v, i) => {
    const buf = bufferData[v.buffer];
    if (typeof v.buffer !== 'number' || v.buffer >= (json.buffers ?? []).length) {
      problems.push(err('SCENE_CORRUPT', `\`${name}\` is damaged: buffer view ${i} points to a buffer that does not exist.`, { kind: 'file', name }));
      return false;
    }
    // meshopt: the view's bytes come from decoding its compressed data (its own buffer may be empty).
    const packed = meshoptViewProblem(v, i, bufferData, decoded, name);
    if (packed) problems.push(packed);
    if (packed !== undefined && (packed || !buf)) return packed === null;
    if (!buf) return false;
    if ((v.byteOffset ?? 0) + (v.byteLength ?? 0) > buf.byteLength) {
      problems.push(err('SCENE_CORRUPT_BUFFER', `\`${name}\` is damaged: buffer view ${i} reads bytes ${v.byteOffset ?? 0}–${(v.byteOffset ?? 0) + v.byteLength} of a buffer that has ${buf.byteLength}.`, { kind: 'file', name }));
      return false;
    }
    return true;
  });
  const accessorNames = accessorLabels(json);
  (json.accessors ?? []).forEach((a: GLTF.IAccessor, i: number) => {
    const label = accessorNames.get(i) ?? `accessor ${i}`;
    const comp = COMPONENT_BYTES[a.componentType];
    const n = TYPE_COUNT[a.type];
    if (!comp || !n || !Number.isInteger(a.count) || a.count < 0) {
      problems.push(err('SCENE_CORRUPT', `${cap(label)} has an invalid type or count.`, { kind: 'accessor', name: label }));
      return;
    }
    if (a.bufferView === undefined) return;
    const view = views[a.bufferView];
    if (!view) {
      problems.push(err('SCENE_ACCESSOR_OUT_OF_RANGE', `${cap(label)} points to buffer view ${a.bufferView}, which does not exist.`, { kind: 'accessor', name: label }));
      return;
    }
    if (!viewOk[a.bufferView]) return;
    const elem = comp * n;
    const stride = view.byteStride ?? elem;
    const need = a.count === 0 ? 0 : (a.byteOffset ?? 0) + stride * (a.count - 1) + elem;
    if (need > view.byteLength) {
      problems.push(err('SCENE_ACCESSOR_OUT_OF_RANGE', `${cap(label)} reads past the end of its data (${need} bytes needed, ${view.byteLength} available); the file is damaged.`, { kind: 'accessor', name: label }));
    }
  });
  problems.push(...dracoAndBudgetProblems(json, viewOk, decoded, name));
  checkReferences(json, problems);

  // Images: present, readable, not huge. A missing one is replaced by a placeholder so the rest can be checked.
  const users = imageUsers(json);
  const images: GLTF.IImage[] = json.images ?? [];
  images.forEach((img, i) => {
    const label = img.uri && !String(img.uri).startsWith('data:') ? decodeUri(img.uri) : img.name || `image ${i}`;
    const who = users.get(i) ?? [];
    const usedBy = who.length ? `, used by material${who.length > 1 ? 's' : ''} ${quoteList(who)},` : '';
    let data: Uint8Array | undefined;
    if (img.bufferView !== undefined) {
      const v = views[img.bufferView];
      const buf = v && viewOk[img.bufferView] ? bufferData[v.buffer] : undefined;
      data = buf ? buf.subarray(v!.byteOffset ?? 0, (v!.byteOffset ?? 0) + v!.byteLength) : undefined;
    } else if (typeof img.uri === 'string' && img.uri.startsWith('data:')) {
      data = decodeDataUri(img.uri);
    } else if (typeof img.uri === 'string') {
      const r: FileRead = files.read(img.uri);
      if (r.ok) {
        data = r.bytes;
        resources[img.uri] = data;
      } else if (r.reason === 'missing') {
        problems.push(err('SCENE_MISSING_FILE', `Texture \`${label}\`${usedBy} is missing. Keep it next to \`${name}\` and add them together: select all the scene's files (or drop its folder), or export with textures embedded.`, { kind: 'texture', name: label }));
        img.uri = PLACEHOLDER_PNG;
        return;
      } else {
        problems.push(err('SCENE_FILE_REFUSED', `Texture \`${img.uri}\`${usedBy} ${r.why}. Put it next to \`${name}\` and refer to it by a relative name.`, { kind: 'texture', name: img.uri }));
        return;
      }
    }
    if (!data) {
      if (typeof img.uri === 'string') problems.push(err('SCENE_CORRUPT', `Texture \`${label}\`${usedBy} holds data that cannot be decoded (or more than ${MAX_DATA_URI_BYTES / 1024 ** 2} MiB of it).`, { kind: 'texture', name: label }));
      return;
    }
    const env = checkEnvironmentImage(img, data, label, resources);
    if (env) {
      if (env.problem) problems.push(err('SCENE_TEXTURE_UNREADABLE', env.problem, { kind: 'texture', name: label }));
      return;
    }
    const kind = sniffImage(data);
    if (!kind && isWebp(data)) {
      // Decoded (and made PNG) after parsing; only its header is read here.
      const p = webpProblem(data, label, usedBy);
      if (p) problems.push(p);
      return;
    }
    if (!kind) {
      const msg =
        img.mimeType === 'image/ktx2'
          ? `Texture \`${label}\`${usedBy} is in KTX2 format, which Rayfarm cannot read. Save it as PNG, JPEG or WebP.`
          : `Texture \`${label}\`${usedBy} is not a PNG, JPEG or WebP image. Save it as PNG or JPEG.`;
      problems.push(err('SCENE_TEXTURE_UNREADABLE', msg, { kind: 'texture', name: label }));
      return;
    }
    let size: [number, number] | null = null;
    try {
      size = ImageUtils.getSize(data, kind === 'png' ? 'image/png' : 'image/jpeg');
    } catch {
      size = null;
    }
    if (size && size[0] * size[1] > MAX_TEXTURE_PIXELS) {
      problems.push(err('SCENE_TEXTURE_TOO_LARGE', `Texture \`${label}\`${usedBy} is ${size[0]} × ${size[1]} pixels; a texture may have at most ${MAX_TEXTURE_PIXELS} (8192 × 8192). Scale it down.`, { kind: 'texture', name: label }));
      return;
    }
    try {
      decodeImage(data);
    } catch (e) {
      problems.push(err('SCENE_TEXTURE_UNREADABLE', `Texture \`${label}\`${usedBy} is a damaged ${kind.toUpperCase()} image (${(e as Error).message}). Save it again.`, { kind: 'texture', name: label }));
      return;
    }
    if (size && (size[0] > MAX_TEXTURE_SIDE || size[1] > MAX_TEXTURE_SIDE)) {
      problems.push(warn('SCENE_TEXTURE_TOO_LARGE', `Texture \`${label}\` is ${size[0]} × ${size[1]} pixels, larger than ${MAX_TEXTURE_SIDE}; it uses a lot of memory on every render node.`, { kind: 'texture', name: label }));
    }
  });

  const fatal = problems.some((p) => p.severity === 'error' && p.code !== 'SCENE_MISSING_FILE') || problems.some((p) => p.code === 'SCENE_MISSING_FILE' && p.subject?.kind === 'file');
  return { json, resources, problems, parseable: !fatal };
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function notGltfMessage(name: string, bytes: Uint8Array): string {
  const head = new TextDecoder().decode(bytes.subarray(0, 64));
  let kind = '';
  if (/^BLENDER/.test(head)) kind = ' It is a Blender file; export it from Blender with File → Export → glTF 2.0.';
  else if (/^\s*(#|v |o |mtllib)/m.test(head)) kind = ' It looks like an OBJ file; convert it to glTF first.';
  else if (/^Kaydara FBX|^; FBX/.test(head)) kind = ' It is an FBX file; convert it to glTF first.';
  return `\`${name}\` is not a glTF file.${kind || ' Rayfarm reads .glb and .gltf scenes.'}`;
}

/** "accessor 3 (POSITION of mesh `Chair`)" for each accessor a mesh uses. */
function accessorLabels(json: Json): Map<number, string> {
  const out = new Map<number, string>();
  (json.meshes ?? []).forEach((m: GLTF.IMesh, mi: number) => {
    const mesh = m.name || `mesh ${mi}`;
    (m.primitives ?? []).forEach((p: GLTF.IMeshPrimitive) => {
      for (const [attr, idx] of Object.entries(p.attributes ?? {})) if (typeof idx === 'number' && !out.has(idx)) out.set(idx, `accessor ${idx} (${attr} of mesh \`${mesh}\`)`);
      if (typeof p.indices === 'number' && !out.has(p.indices)) out.set(p.indices, `accessor ${p.indices} (indices of mesh \`${mesh}\`)`);
    });
  });
  return out;
}

/** Indices between top-level arrays point at things that exist. */
function checkReferences(json: Json, problems: SceneProblem[]): void {
  const len = (k: keyof Json) => {
    const v: unknown = json[k];
    return Array.isArray(v) ? v.length : 0;
  };
  const bad = (what: string, idx: unknown, list: string) => {
    problems.push(err('SCENE_CORRUPT', `The file is damaged: ${what} refers to ${list} ${String(idx)}, which does not exist.`));
  };
  const check = (what: string, idx: unknown, list: keyof Json) => {
    if (idx === undefined) return;
    if (typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0 || idx >= len(list)) bad(what, idx, list.replace(/s$/, ''));
  };
  (json.meshes ?? []).forEach((m: GLTF.IMesh, mi: number) => {
    const mesh = `mesh \`${m.name || mi}\``;
    (m.primitives ?? []).forEach((p: GLTF.IMeshPrimitive) => {
      for (const idx of Object.values(p.attributes ?? {})) check(mesh, idx, 'accessors');
      check(mesh, p.indices, 'accessors');
      check(mesh, p.material, 'materials');
      for (const t of p.targets ?? []) for (const idx of Object.values(t ?? {})) check(mesh, idx, 'accessors');
    });
  });
  (json.nodes ?? []).forEach((n: GLTF.INode, ni: number) => {
    const node = `node \`${n.name || ni}\``;
    check(node, n.mesh, 'meshes');
    check(node, n.camera, 'cameras');
    check(node, n.skin, 'skins');
    for (const c of n.children ?? []) check(node, c, 'nodes');
  });
  (json.scenes ?? []).forEach((s: GLTF.IScene, si: number) => {
    for (const c of s.nodes ?? []) check(`scene \`${s.name || si}\``, c, 'nodes');
  });
  (json.textures ?? []).forEach((t: GLTF.ITexture, ti: number) => check(`texture ${t.name || ti}`, t.source, 'images'));
  (json.materials ?? []).forEach((m: GLTF.IMaterial, mi: number) => {
    const mat = `material \`${m.name || mi}\``;
    for (const ref of [m.pbrMetallicRoughness?.baseColorTexture, m.pbrMetallicRoughness?.metallicRoughnessTexture, m.normalTexture, m.occlusionTexture, m.emissiveTexture]) {
      if (ref) check(mat, ref.index, 'textures');
    }
  });
}
