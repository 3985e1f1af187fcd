/**
 * The CPU-heavy half of a scene import — read, check, package and summarise — as one
 * function of plain, cloneable data, so it can run in the import worker (import-worker.ts)
 * or, when no worker can start, on the calling thread with the same result.
 */
import type { SceneProblem, SceneSummary } from '../../../shared/api/scenes';
import { readGlb } from '../engine/gltf-io';
import { hasErrors, readScene } from './importer';
import { packageScene } from './packager';
import type { SceneSource } from './scene-files';
import { summarizeScene } from './summary';
import { attachEnvironment } from './environment-attach';
import type { AttachRequest, AttachResult } from './environment-attach';

/** What to prepare: a scene source (its files always stay inside its folder, see scene-files.ts). */
export interface PrepareRequest {
  source: SceneSource;
}

/** A prepared scene: the packaged GLB and its summary, or the problems that stop the import. */
export type PreparedScene =
  | { ok: false; problems: SceneProblem[] }
  | { ok: true; name: string; problems: SceneProblem[]; glb: Uint8Array; summary: SceneSummary };

/** Reads, checks, packages and summarises a scene (the preview is rendered later, by the caller). */
export async function prepareScene(req: PrepareRequest): Promise<PreparedScene> {
  const read = await readScene(req.source);
  if (!read.doc || hasErrors(read.problems)) return { ok: false, problems: read.problems };
  const warnings = read.problems.filter((p) => p.severity === 'warning');
  const glb = await packageScene(read.doc);
  // Summarise the packaged scene (what operators will render), not the source.
  const doc = await readGlb(glb);
  const summary = summarizeScene(doc, { name: read.name, bytes: glb.byteLength, warnings });
  return { ok: true, name: read.name, problems: read.problems, glb, summary };
}

/** One job of the import worker: prepare a scene, or add an environment map to a stored one. */
export type ImportJob = PrepareRequest | { attach: AttachRequest };
/** What an import job gives. */
export type ImportJobResult = PreparedScene | AttachResult;

/** Runs one import job (in the worker, or on the calling thread when no worker can start). */
export function runImportJob(job: ImportJob): Promise<ImportJobResult> {
  return 'attach' in job ? attachEnvironment(job.attach) : prepareScene(job);
}
