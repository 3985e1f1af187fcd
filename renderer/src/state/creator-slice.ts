import type { StateCreator } from 'zustand';
import type { BlendSceneInfo, SceneProblem, SceneRecord } from '../../../shared/api';
import type { Environment, JobSpec } from '../../../shared/job-spec';
import { api } from '../api/client';
import { sendScene } from '../api/upload';
import { mapApiError } from '../forms/field-errors';
import { SCENE_SOURCE_FIELDS } from '../forms/scene-fields';
import type { PickedFile } from '../api/upload';
import type { RootState } from './store';

/** Where an import stands, for the progress bar and messages. */
export type ImportPhase = { kind: 'idle' } | { kind: 'uploading'; fraction: number; name: string } | { kind: 'checking'; name: string } | { kind: 'done' } | { kind: 'failed'; message: string };

/** Scenes: the library, the import in progress and its findings. */
export interface CreatorSlice {
  scenes: SceneRecord[];
  importPhase: ImportPhase;
  /** Problems of the last import (errors block; warnings do not). */
  importProblems: SceneProblem[];
  /** What Blender found in a refused .blend, shown beside its problems. */
  importBlend: BlendSceneInfo | null;
  selectedSceneId: string | null;
  /** Settings the job form starts from (a draft being edited); null for the defaults. */
  formSeed: JobSpec | null;
  /** The world light the job form has chosen; the sharp preview renders with it. */
  previewEnvironment: Environment;
  setPreviewEnvironment(e: Environment): void;
  loadScenes(): Promise<void>;
  importFiles(files: PickedFile[]): Promise<void>;
  /** Imports a scene by a path the core gave (a sample scene). */
  importPath(path: string, name: string): Promise<void>;
  selectScene(sceneId: string | null): void;
  /**
   * Adds an environment map file to a scene (uploaded first in a browser) and opens the new
   * scene it makes, the form seeded by `seedFor` with the map chosen. Resolves to the
   * reason in words when the file was refused, else null; rejects when the call failed.
   */
  attachEnvironment(sceneId: string, file: File, seedFor: (sceneId: string, sha256: string) => JobSpec | null): Promise<string | null>;
  /** Opens a draft's scene with the draft's settings in the form, and throws the draft away. */
  editDraft(jobId: string, spec: JobSpec): Promise<void>;
}

/** A failed import in words, shown at the drop zone (the import's one field). */
function importFailure(err: unknown): string {
  const mapped = mapApiError(err, SCENE_SOURCE_FIELDS);
  return mapped.fields.files ?? mapped.general ?? 'The scene could not be imported.';
}

export const createCreatorSlice: StateCreator<RootState, [], [], CreatorSlice> = (set, get) => {
  api.on('creator.sceneImported', (scene) => {
    const others = get().scenes.filter((s) => s.sceneId !== scene.sceneId);
    set({ scenes: [scene, ...others] });
  });
  return {
    scenes: [],
    importPhase: { kind: 'idle' },
    importProblems: [],
    importBlend: null,
    selectedSceneId: null,
    formSeed: null,
    previewEnvironment: 'auto',
    setPreviewEnvironment(e) {
      if (JSON.stringify(e) !== JSON.stringify(get().previewEnvironment)) set({ previewEnvironment: e });
    },
    async loadScenes() {
      try {
        set({ scenes: await api.call('creator.listScenes') });
      } catch {
        // The status bar shows a lost connection; the list stays as it was.
      }
    },
    async importFiles(files) {
      if (files.length === 0) return;
      const name = files.length === 1 ? files[0]!.relativePath : files[0]!.relativePath.split('/')[0]!;
      set({ importPhase: { kind: 'uploading', fraction: 0, name }, importProblems: [], importBlend: null });
      try {
        const source = await sendScene(files, (fraction) => set({ importPhase: { kind: 'uploading', fraction, name } }));
        set({ importPhase: { kind: 'checking', name } });
        const r = await api.call('creator.importScene', source);
        set({ importProblems: r.problems, importBlend: r.ok ? null : (r.blender ?? null) });
        if (r.ok) {
          const others = get().scenes.filter((s) => s.sceneId !== r.scene.sceneId);
          set({ scenes: [r.scene, ...others], selectedSceneId: r.scene.sceneId, importPhase: { kind: 'done' } });
        } else {
          set({ importPhase: { kind: 'failed', message: `${name} cannot be rendered as it is. Fix the problems below and drop it again.` } });
        }
      } catch (err) {
        set({ importPhase: { kind: 'failed', message: importFailure(err) } });
      }
    },
    async importPath(path, name) {
      set({ importPhase: { kind: 'checking', name }, importProblems: [], importBlend: null });
      try {
        const r = await api.call('creator.importScene', { path });
        set({ importProblems: r.problems, importBlend: r.ok ? null : (r.blender ?? null) });
        if (r.ok) {
          const others = get().scenes.filter((s) => s.sceneId !== r.scene.sceneId);
          set({ scenes: [r.scene, ...others], selectedSceneId: r.scene.sceneId, importPhase: { kind: 'done' } });
        } else set({ importPhase: { kind: 'failed', message: `${name} cannot be rendered as it is.` } });
      } catch (err) {
        set({ importPhase: { kind: 'failed', message: importFailure(err) } });
      }
    },
    async attachEnvironment(sceneId, file, seedFor) {
      const source = await sendScene([{ file, relativePath: file.name }], () => {});
      const r = await api.call('creator.attachEnvironment', { sceneId, ...source });
      if (!r.ok) return r.problems.map((p) => p.message).join(' ') || 'The environment map cannot be used.';
      const others = get().scenes.filter((s) => s.sceneId !== r.scene.sceneId);
      set({ scenes: [r.scene, ...others], selectedSceneId: r.scene.sceneId, formSeed: seedFor(r.scene.sceneId, r.map.sha256), importProblems: [], importPhase: { kind: 'idle' } });
      return null;
    },
    selectScene(sceneId) {
      set({ selectedSceneId: sceneId, formSeed: null, importProblems: [], importBlend: null, importPhase: { kind: 'idle' } });
    },
    async editDraft(jobId, spec) {
      await get().discardDraft(jobId);
      get().openJob(null);
      set({ selectedSceneId: spec.sceneId, formSeed: spec, importProblems: [], importBlend: null, importPhase: { kind: 'idle' } });
    },
  };
};
