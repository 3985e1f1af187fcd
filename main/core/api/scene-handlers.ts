import type { sceneCalls } from '../../../shared/api/scenes';
import { validateJobSpec } from '../../../shared/job-spec';
import { baseRatePerBH, estimateJob, localBenchmarkScore } from '../creator/pay/estimator';
import type { RenderEngine } from '../render/render-task';
import { RayfarmError } from '../errors';
import { renderPreview } from '../scene/preview';
import type { SceneLibrary } from '../scene/scene-library';
import type { Store } from '../store';
import type { ApiServer, HandlerMap } from './api-server';

/** What the creator's scene calls need. */
export interface SceneHandlerDeps {
  library: SceneLibrary;
  store: Store;
  /** The native engine (probes, benchmark); rejects when it cannot be loaded. */
  engine: () => Promise<RenderEngine & { benchmark(): Promise<{ score: number; threads: number }> }>;
  events: () => ApiServer | undefined;
}

/** Handlers for creator.importScene, listScenes, getScene, preview, estimate, validateSpec. */
export function sceneHandlers(deps: SceneHandlerDeps): HandlerMap<keyof typeof sceneCalls> {
  // One sized preview at a time: a page asking for many cannot queue up work on the engine.
  let previewing = false;
  return {
    'creator.importScene': async (input) => {
      const r = await deps.library.importScene(input);
      if (r.ok && !r.alreadyImported) deps.events()?.emit('creator.sceneImported', r.scene);
      return r;
    },
    'creator.listScenes': () => deps.library.list(),
    'creator.getScene': (input) => deps.library.require(input.sceneId),
    'creator.validateSpec': (input) => {
      const r = validateJobSpec(input.spec);
      return r.ok ? { ok: true, problems: [] } : { ok: false, problems: r.problems };
    },
    'creator.preview': async ({ sceneId, width, height, spp, environment }) => {
      const scene = deps.library.scenePackage(sceneId);
      if (previewing) throw new RayfarmError('PREVIEW_BUSY', 'A preview is already being rendered; the picture shown stays until it is done.');
      previewing = true;
      try {
        const png = await renderPreview(await deps.engine(), scene, { width, height, spp, environment });
        return { dataUrl: `data:image/png;base64,${Buffer.from(png).toString('base64')}`, width, height, spp };
      } finally {
        previewing = false;
      }
    },
    'creator.estimate': async (input) => {
      // Parsed and flattened in the frame worker (SCENE_UNREADABLE from there when the stored GLB is damaged).
      const scene = deps.library.scenePackage(input.spec.sceneId);
      const engine = await deps.engine();
      const localScore = await localBenchmarkScore(deps.store.settings, () => engine.benchmark());
      return estimateJob(engine, scene, input.spec, {
        localScore,
        baseRatePerBH: baseRatePerBH(deps.store.settings),
        nodes: input.nodes,
        ...(input.nodeScore !== undefined ? { nodeScore: input.nodeScore } : {}),
      });
    },
  };
}
