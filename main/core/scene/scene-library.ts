/**
 * scene/ — a creator's scenes before any money moves: reading a scene's files confined to its
 * folder (scene-files.ts), checks in words a person understands (gltf-check.ts, importer.ts),
 * one content-addressed package (packager.ts), summary and preview (summary.ts, preview.ts),
 * all run off the event loop (scene-prepare.ts, import-pool.ts, import-worker.ts) and kept by
 * this library.
 *
 * The creator's scene library: imports a scene (read, check, package into the blob store,
 * summarise, render a preview) and keeps each one in SQLite by its scene id — the sha256
 * of its packaged GLB, or of the packed .blend (blend-import.ts, checked with the creator's
 * Blender). Importing the same scene again finds it and stores nothing new.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Document } from '@gltf-transform/core';
import type { AttachEnvironmentResult, ImportResult, SceneProblem, SceneRecord } from '../../../shared/api/scenes';
import { SceneSummarySchema } from '../../../shared/api/scenes';
import { RayfarmError } from '../errors';
import { readGlb } from '../engine/gltf-io';
import type { Store } from '../store';
import { sha256Hex } from '../store';
import { SceneImportPool } from './import-pool';
import { renderPreview } from './preview';
import type { RenderEngine, ScenePackage } from '../render/render-task';
import type { SceneSource } from './scene-files';
import { blendOf, blendPreview, checkBlendImport } from './blend-import';
import type { CreatorBlender } from './blend-import';
import { MAX_ENVIRONMENT_BYTES } from './environment-attach';

/** What the library needs. */
export interface SceneLibraryDeps {
  store: Store;
  /** The render engine for previews; without one, scenes get no preview (and a warning). */
  engine?: () => Promise<RenderEngine>;
  /** The creator's Blender, which checks, packs and previews a .blend; absent or null: .blend files are refused in words. */
  blender?: CreatorBlender;
  log?: (line: string) => void;
}

/** Where the web server stages browser uploads: `<dataDir>/uploads/<uploadId>/`. */
export function uploadDir(dataDir: string, uploadId: string): string {
  if (!/^[A-Za-z0-9_-]{8,64}$/.test(uploadId)) throw new RayfarmError('SCENE_BAD_UPLOAD', 'The upload id is malformed.');
  return join(dataDir, 'uploads', uploadId);
}

interface SceneRow {
  id: string;
  name: string;
  summary: string;
  preview_hash: string | null;
  imported_at: number;
}

function toRecord(row: SceneRow): SceneRecord {
  return { sceneId: row.id, name: row.name, importedAt: row.imported_at, summary: SceneSummarySchema.parse(JSON.parse(row.summary)) };
}

/** Imports, lists and opens the creator's scenes. */
export class SceneLibrary {
  private readonly docs = new Map<string, Promise<Document>>();
  // Reading, checking, packaging and summarising run in a worker thread (see import-pool.ts).
  private readonly pool: SceneImportPool;

  constructor(private readonly deps: SceneLibraryDeps) {
    this.pool = new SceneImportPool({ ...(deps.log && { log: deps.log }) });
  }

  /** Ends the import worker (imports still running fail); the library can still list and open scenes. */
  close(): Promise<void> {
    return this.pool.close();
  }

  /**
   * Imports a scene from a path, uploaded files, or an upload staged by the web server. A
   * staged upload's folder is removed afterwards: the scene now lives in the blob store, and
   * a failed import is retried with a fresh upload.
   */
  async importScene(source: SceneSource | { uploadId: string }): Promise<ImportResult> {
    if (!('uploadId' in source)) return this.importFrom(source);
    const dir = uploadDir(this.deps.store.dataDir, source.uploadId);
    if (!existsSync(dir)) {
      return { ok: false, problems: [{ severity: 'error', code: 'SCENE_UPLOAD_NOT_FOUND', message: 'The uploaded files are gone (the upload was already imported or never finished). Drop the scene again.' }] };
    }
    try {
      return await this.importFrom({ path: dir, upload: true }, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /**
   * Adds an environment map file (a path, or a one-file upload staged by the web server) to a
   * stored glTF scene: a new package and scene record (the map is then offered by the summary
   * and job form); the old scene and its jobs stay. SCENE_UNKNOWN for a scene not in this
   * library; problems in words for a file that is not a usable map.
   */
  async attachEnvironment(input: { sceneId: string } & ({ path: string } | { uploadId: string })): Promise<AttachEnvironmentResult> {
    const record = this.require(input.sceneId);
    if (record.summary.blender) throw new RayfarmError('SCENE_IS_BLEND', 'This scene is a .blend: set its world in Blender; environment maps are added to glTF scenes only.');
    let file: string | undefined;
    let uploadFolder: string | undefined;
    const refuse = (code: string, message: string): AttachEnvironmentResult => ({ ok: false, problems: [{ severity: 'error', code, message }] });
    if ('uploadId' in input) {
      uploadFolder = uploadDir(this.deps.store.dataDir, input.uploadId);
      if (!existsSync(uploadFolder)) return refuse('SCENE_UPLOAD_NOT_FOUND', 'The uploaded environment map is gone (it was already used or never finished). Choose the file again.');
      const names = readdirSync(uploadFolder);
      if (names.length !== 1) {
        rmSync(uploadFolder, { recursive: true, force: true });
        return refuse('ENV_ONE_FILE', 'Upload exactly one environment map file (.hdr or .exr).');
      }
      file = join(uploadFolder, names[0]!);
    } else {
      file = input.path;
    }
    try {
      let stat;
      try {
        stat = lstatSync(file);
      } catch {
        return refuse('ENV_MISSING', `There is no file at \`${basename(file)}\`.`);
      }
      if (!stat.isFile()) return refuse('ENV_NOT_FILE', `\`${basename(file)}\` is not a plain file.`);
      // The size before the bytes: an oversized file is refused without being read.
      if (stat.size > MAX_ENVIRONMENT_BYTES) return refuse('ENV_TOO_LARGE', `\`${basename(file)}\` is ${(stat.size / 1024 ** 2).toFixed(0)} MiB; an environment map may be at most ${MAX_ENVIRONMENT_BYTES / 1024 ** 2} MiB.`);
      const warnings = record.summary.warnings.filter((w) => w.code !== 'SCENE_NO_PREVIEW');
      const r = await this.pool.attach({ glb: this.packageBytes(input.sceneId), map: readFileSync(file), fileName: basename(file), sceneName: record.name, warnings });
      if (!r.ok) return r;
      const sceneId = sha256Hex(r.glb);
      const existing = this.get(sceneId);
      if (existing) return { ok: true, scene: existing, map: r.map };
      this.deps.store.blobs.put(r.glb);
      const glb = r.glb;
      const preview = await this.preview({ sceneHash: sceneId, glb: () => glb });
      if (preview.hash) r.summary.previewHash = preview.hash;
      if (preview.problem) r.summary.warnings.push(preview.problem);
      // Its own name in the library, beside the scene it came from.
      const name = `${record.name} + ${r.map.name}`;
      r.summary.name = name;
      const inserted = this.insert(sceneId, name, r.summary, []);
      if (!inserted.ok) return inserted;
      return { ok: true, scene: inserted.scene, map: r.map };
    } finally {
      if (uploadFolder) rmSync(uploadFolder, { recursive: true, force: true });
    }
  }

  private async importFrom(source: SceneSource, uploadFolder?: string): Promise<ImportResult> {
    const blend = 'path' in source ? blendOf(source.path) : undefined;
    if (typeof blend === 'object') return { ok: false, problems: [blend.problem] };
    if (blend) return this.importBlend(blend, uploadFolder);
    const prepared = await this.pool.prepare({ source });
    if (!prepared.ok) return { ok: false, problems: prepared.problems };
    const { glb, summary, name, problems } = prepared;
    const sceneId = sha256Hex(glb);
    const existing = this.get(sceneId);
    if (existing) return { ok: true, scene: existing, problems, alreadyImported: true };
    this.deps.store.blobs.put(glb);
    const preview = await this.preview({ sceneHash: sceneId, glb: () => glb });
    if (preview.hash) summary.previewHash = preview.hash;
    if (preview.problem) summary.warnings.push(preview.problem);
    return this.insert(sceneId, name, summary, [...problems, ...(preview.problem ? [preview.problem] : [])]);
  }

  private async importBlend(file: string, uploadFolder?: string): Promise<ImportResult> {
    const blender = this.deps.blender ?? (async () => null);
    const r = await checkBlendImport(blender, file, this.deps.log, uploadFolder);
    if (!r.ok) return r.blender ? { ok: false, problems: r.problems, blender: r.blender } : { ok: false, problems: r.problems };
    const existing = this.get(r.sceneId);
    if (existing) return { ok: true, scene: existing, problems: r.problems, alreadyImported: true };
    this.deps.store.blobs.put(r.blend);
    const install = await blender();
    const preview = install ? await blendPreview(this.deps.store, install, r.sceneId, r.summary.blender!) : {};
    if (preview.hash) r.summary.previewHash = preview.hash;
    if (preview.problem) r.summary.warnings.push(preview.problem);
    return this.insert(r.sceneId, r.name, r.summary, [...r.problems, ...(preview.problem ? [preview.problem] : [])]);
  }

  private insert(sceneId: string, name: string, summary: SceneRecord['summary'], problems: SceneProblem[]): ImportResult {
    this.deps.store.db
      .prepare('INSERT OR IGNORE INTO scenes (id, name, summary, preview_hash, imported_at) VALUES (?, ?, ?, ?, ?)')
      .run(sceneId, name, JSON.stringify(summary), summary.previewHash, Date.now());
    return { ok: true, scene: this.get(sceneId)!, problems, alreadyImported: false };
  }

  private async preview(scene: ScenePackage): Promise<{ hash?: string; problem?: SceneProblem }> {
    if (!this.deps.engine) return { problem: { severity: 'warning', code: 'SCENE_NO_PREVIEW', message: 'No preview: the render engine is not available here.' } };
    try {
      // Parsed and flattened in the frame worker, which keeps the scene for the estimate that usually follows.
      const png = await renderPreview(await this.deps.engine(), scene);
      return { hash: this.deps.store.blobs.put(png) };
    } catch (err) {
      this.deps.log?.(`rayfarm: preview failed: ${(err as Error).message}`);
      return { problem: { severity: 'warning', code: 'SCENE_NO_PREVIEW', message: `No preview: the engine could not render the scene (${(err as Error).message}).` } };
    }
  }

  /** Every scene, newest first. */
  list(): SceneRecord[] {
    const rows = this.deps.store.db.prepare('SELECT * FROM scenes ORDER BY imported_at DESC, id').all() as SceneRow[];
    return rows.map(toRecord);
  }

  /** One scene, or undefined. */
  get(sceneId: string): SceneRecord | undefined {
    const row = this.deps.store.db.prepare('SELECT * FROM scenes WHERE id = ?').get(sceneId) as SceneRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** One scene; SCENE_UNKNOWN when it was never imported. */
  require(sceneId: string): SceneRecord {
    const r = this.get(sceneId);
    if (!r) throw new RayfarmError('SCENE_UNKNOWN', `There is no imported scene with id ${sceneId.slice(0, 12)}….`, { details: { sceneId } });
    return r;
  }

  /** The packaged GLB bytes of a scene (checked against its id by the blob store's name). */
  packageBytes(sceneId: string): Uint8Array {
    this.require(sceneId);
    return this.deps.store.blobs.get(sceneId);
  }

  /** A scene's package for a SceneRenderer (its frames are flattened in the frame worker); SCENE_UNKNOWN when it was never imported. */
  scenePackage(sceneId: string): ScenePackage {
    if (this.require(sceneId).summary.blender) throw new RayfarmError('SCENE_IS_BLEND', 'This scene is a .blend: Blender renders it, not the built-in engine.');
    return { sceneHash: sceneId, glb: () => this.packageBytes(sceneId) };
  }

  /** The packed .blend of a Blender scene on disk (the blob store's file); SCENE_UNKNOWN when it was never imported. */
  blendPackage(sceneId: string): { sceneHash: string; file: string } {
    if (!this.require(sceneId).summary.blender) throw new RayfarmError('SCENE_NOT_BLEND', 'This scene is a glTF scene, not a .blend.');
    return { sceneHash: sceneId, file: this.deps.store.blobs.pathOf(sceneId) };
  }

  /** The parsed document of a scene (cached), for callers that read the document itself. */
  document(sceneId: string): Promise<Document> {
    let d = this.docs.get(sceneId);
    if (!d) {
      d = readGlb(this.packageBytes(sceneId));
      this.docs.set(sceneId, d);
      d.catch(() => this.docs.delete(sceneId));
    }
    return d;
  }
}
