/**
 * Fuzz target: the scene import a creator runs on a file from anywhere (read, check,
 * package, summarise), then what an operator does with the packaged scene (parse,
 * flatten, load into the native engine). Inputs are mutations of a small hand-built glTF
 * (external .bin and .png, instanced nodes) and of a real GLB, with URI attacks mixed in.
 * A crash is any exception that is not a RayfarmError, and any packaged scene that holds
 * the canary file kept beside the scene's folder (a confinement breach).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { prepareScene } from '../../main/core/scene/scene-prepare';
import { RayfarmError } from '../../main/core/errors';
import { flattenScene } from '../../main/core/engine/flatten';
import { readGlb } from '../../main/core/engine/gltf-io';
import { loadScene } from '../../main/core/engine/index';
import type { FuzzTarget } from './fuzz-run';
import { mutateBytes, mutateJson } from './rng';
import type { Rng } from './rng';

const CANARY = 'RAYFARM-FUZZ-CANARY-7f3a';
const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==', 'base64');

/** A triangle mesh used by two nodes, a textured material, external .bin and .png. */
function handMade(): Record<string, Buffer> {
  const pos = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0]);
  const uv = new Float32Array([0, 0, 1, 0, 0, 1, 1, 1]);
  const idx = new Uint16Array([0, 1, 2, 1, 3, 2]);
  const bin = Buffer.concat([Buffer.from(pos.buffer), Buffer.from(uv.buffer), Buffer.from(idx.buffer)]);
  const gltf = {
    asset: { version: '2.0' },
    scene: 0,
    scenes: [{ nodes: [0, 1, 2] }],
    nodes: [{ mesh: 0 }, { mesh: 0, translation: [2, 0, 0], children: [] }, { camera: 0, translation: [0, 0, 3] }],
    cameras: [{ type: 'perspective', perspective: { yfov: 0.8, znear: 0.1 } }],
    meshes: [{ name: 'Quad', primitives: [{ attributes: { POSITION: 0, TEXCOORD_0: 1 }, indices: 2, material: 0 }] }],
    // The material and texture extensions the engine renders, so mutations reach their readers.
    extensionsUsed: ['KHR_materials_transmission', 'KHR_materials_ior', 'KHR_materials_volume', 'KHR_materials_clearcoat', 'KHR_materials_sheen', 'KHR_texture_transform'],
    materials: [{
      name: 'Wood',
      pbrMetallicRoughness: { baseColorTexture: { index: 0, extensions: { KHR_texture_transform: { offset: [0.5, 0], rotation: 0.3, scale: [2, 2] } } }, metallicFactor: 0 },
      extensions: {
        KHR_materials_transmission: { transmissionFactor: 0.8, transmissionTexture: { index: 0 } },
        KHR_materials_ior: { ior: 1.4 },
        KHR_materials_volume: { thicknessFactor: 0.1, attenuationDistance: 2, attenuationColor: [0.9, 0.5, 0.5] },
        KHR_materials_clearcoat: { clearcoatFactor: 0.5, clearcoatRoughnessFactor: 0.2 },
        KHR_materials_sheen: { sheenColorFactor: [0.5, 0.4, 0.3], sheenRoughnessFactor: 0.5 },
      },
    }],
    textures: [{ source: 0, sampler: 0 }],
    samplers: [{}],
    images: [{ uri: 'tex.png' }],
    buffers: [{ uri: 'data.bin', byteLength: bin.byteLength }],
    bufferViews: [
      { buffer: 0, byteOffset: 0, byteLength: 48 },
      { buffer: 0, byteOffset: 48, byteLength: 32 },
      { buffer: 0, byteOffset: 80, byteLength: 12 },
    ],
    accessors: [
      { bufferView: 0, componentType: 5126, count: 4, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] },
      { bufferView: 1, componentType: 5126, count: 4, type: 'VEC2' },
      { bufferView: 2, componentType: 5123, count: 6, type: 'SCALAR' },
    ],
  };
  return { 'scene.gltf': Buffer.from(JSON.stringify(gltf)), 'data.bin': bin, 'tex.png': PNG_1x1 };
}

const ATTACK_URIS = [
  '../canary.txt',
  '../../../../../../../etc/passwd',
  '/etc/passwd',
  'file:///etc/passwd',
  'http://127.0.0.1:9/x.png',
  'sub/../../canary.txt',
  '..%2Fcanary.txt',
  '%E0',
  'data:image/png;base64,!!!!',
  `data:image/png;base64,${PNG_1x1.toString('base64')}`,
  'data:,%E0%A4%A',
  'tex.png?x=1',
  'link-out/canary.txt',
  'C:\\canary.txt',
];

interface GltfInput {
  /** File name → base64 bytes; the main file is the one ending .gltf/.glb. */
  files: Record<string, string>;
  /**
   * 'disk': written to a folder and imported by path (what the CLI and a local import do);
   * 'package': handed straight to the operator's side as a creator's packaged GLB.
   */
  via: 'memory' | 'disk' | 'package';
}

let work = '';
let glbSample: Buffer | undefined;

/** A GLB with this JSON and binary chunk. */
function glb(json: unknown, bin: Uint8Array): Buffer {
  const text = Buffer.from(JSON.stringify(json));
  const jsonChunk = Buffer.concat([text, Buffer.alloc((4 - (text.length % 4)) % 4, 0x20)]);
  const binChunk = Buffer.concat([Buffer.from(bin), Buffer.alloc((4 - (bin.length % 4)) % 4)]);
  const head = Buffer.alloc(12);
  head.writeUInt32LE(0x46546c67, 0);
  head.writeUInt32LE(2, 4);
  head.writeUInt32LE(12 + 8 + jsonChunk.length + 8 + binChunk.length, 8);
  const jh = Buffer.alloc(8);
  jh.writeUInt32LE(jsonChunk.length, 0);
  jh.writeUInt32LE(0x4e4f534a, 4);
  const bh = Buffer.alloc(8);
  bh.writeUInt32LE(binChunk.length, 0);
  bh.writeUInt32LE(0x004e4942, 4);
  return Buffer.concat([head, jh, jsonChunk, bh, binChunk]);
}

/** The JSON and binary chunk of the sample GLB. */
function splitSample(b: Buffer): { json: unknown; bin: Uint8Array } {
  const jsonLen = b.readUInt32LE(12);
  const json = JSON.parse(b.subarray(20, 20 + jsonLen).toString()) as unknown;
  const off = 20 + jsonLen;
  return { json, bin: b.subarray(off + 8, off + 8 + b.readUInt32LE(off)) };
}

function generate(rng: Rng): GltfInput {
  if (rng.bool(0.25) && glbSample) {
    // A hostile creator's package: JSON mutated and re-wrapped, or raw bytes flipped.
    const { json, bin } = splitSample(glbSample);
    const bytes = rng.bool(0.7) ? glb(mutateJson(rng, json), rng.bool(0.2) ? mutateBytes(rng, bin) : bin) : Buffer.from(mutateBytes(rng, glbSample));
    return { via: 'package', files: { 'scene.glb': bytes.toString('base64') } };
  }
  const via = rng.bool(0.3) ? 'disk' : 'memory';
  if (rng.bool(0.2) && glbSample) return { via, files: { 'scene.glb': Buffer.from(mutateBytes(rng, glbSample)).toString('base64') } };
  const files = handMade();
  const json = JSON.parse(files['scene.gltf']!.toString()) as { images: { uri?: string }[]; buffers: { uri?: string }[] };
  const mode = rng.int(10);
  let out: unknown = json;
  if (mode < 4) out = mutateJson(rng, json);
  else if (mode < 7) {
    const list = rng.bool() ? json.images : json.buffers;
    list[0]!.uri = rng.pick(ATTACK_URIS);
  } else if (mode < 8) files['tex.png'] = Buffer.from(mutateBytes(rng, PNG_1x1));
  else files['data.bin'] = Buffer.from(mutateBytes(rng, files['data.bin']!));
  files['scene.gltf'] = Buffer.from(JSON.stringify(out));
  return { via, files: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.toString('base64')])) };
}

/** What an operator does with a package: parse, flatten, load into the engine. */
async function operatorLoad(bytes: Uint8Array): Promise<void> {
  const doc = await readGlb(bytes);
  const flat = flattenScene(doc, { aspect: 1 });
  const scene = await loadScene(flat.buffers);
  scene.dispose();
}

function containsCanary(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(CANARY);
}

async function run(raw: unknown): Promise<void> {
  const input = raw as GltfInput;
  const files = Object.entries(input.files).map(([name, b64]) => ({ name, bytes: new Uint8Array(Buffer.from(b64, 'base64')) }));
  const main = files.find((f) => /\.(gltf|glb)$/.test(f.name))!;
  let dir: string | undefined;
  try {
    if (input.via === 'package') return await operatorLoad(main.bytes);
    let source: { path: string } | { files: typeof files };
    if (input.via === 'disk') {
      dir = mkdtempSync(join(work, 'scene-'));
      for (const f of files) {
        mkdirSync(dirname(join(dir, f.name)), { recursive: true });
        writeFileSync(join(dir, f.name), f.bytes);
      }
      // A link inside the folder that points out of it.
      symlinkSync(work, join(dir, 'link-out'));
      source = { path: join(dir, main.name) };
    } else source = { files };
    const prepared = await prepareScene({ source });
    if (!prepared.ok) return;
    if (containsCanary(prepared.glb)) throw new Error('confinement breach: the packaged scene holds a file from outside its folder');
    await operatorLoad(prepared.glb);
  } catch (err) {
    if (err instanceof RayfarmError && /^[A-Z][A-Z0-9_]+$/.test(err.code)) return;
    throw err;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** The scene import and the operator's scene load as one fuzz target. */
export const gltfTarget: FuzzTarget = {
  name: 'gltf',
  weight: 2,
  async setup() {
    work = mkdtempSync(join(tmpdir(), 'rayfarm-fuzz-'));
    // The canary sits beside every scene folder: reaching it means escaping the folder.
    writeFileSync(join(work, 'canary.txt'), CANARY);
    try {
      glbSample = readFileSync(join(import.meta.dirname, '..', '..', 'resources', 'scenes', 'cornell.glb'));
    } catch {
      glbSample = undefined;
    }
  },
  async teardown() {
    rmSync(work, { recursive: true, force: true });
  },
  generate,
  run,
};
