import type { sceneCalls } from '../../../shared/api/scenes';
import { isBlenderSpec, validateJobSpec } from '../../../shared/job-spec';
import { estimateBlendJob } from '../creator/pay/blend-estimate';
import { BlendTaskRenderer } from '../render/blend-task';
import { cyclesBenchmark } from '../blender';
import { creatorBlenderFor } from '../scene/blend-import';
import type { CreatorBlender } from '../scene/blend-import';
import { EstimateCache } from '../creator/pay/estimate-cache';
import { baseRatePerBH, estimateFromProbes, localBenchmarkScore, probeJob } from '../creator/pay/estimator';
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
  /** The creator's Blender: it prices Blender jobs by probe renders of the .blend. */
  blender?: CreatorBlender;
}

/** Handlers for creator.importScene, attachEnvironment, listScenes, getScene, preview, estimate, validateSpec. */
export function sceneHandlers(deps: SceneHandlerDeps): HandlerMap<keyof typeof sceneCalls> {
  // One sized preview at a time: a page asking for many cannot queue up work on the engine.
  let previewing = false;
  const estimates = new EstimateCache(deps.store.db);
  return {
    'creator.importScene': async (input) => {
      const r = await deps.library.importScene(input);
      if (r.ok && !r.alreadyImported) deps.events()?.emit('creator.sceneImported', r.scene);
      return r;
    },
    'creator.attachEnvironment': async (input) => {
      const r = await deps.library.attachEnvironment(input);
      if (r.ok) deps.events()?.emit('creator.sceneImported', r.scene);
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
      if (isBlenderSpec(input.spec)) {
        // A .blend: probe renders with the creator's Blender (blend-estimate.ts).
        const pkg = deps.library.blendPackage(input.spec.sceneId);
        const install = await creatorBlenderFor(deps.blender, input.spec.engine);
        // Priced in bench-hours of Cycles: this machine's Cycles score, measured once per Blender version.
        const localScore = (await cyclesBenchmark(deps.store.settings, install)).score;
        return estimateBlendJob(new BlendTaskRenderer(install), pkg, input.spec, {
          localScore,
          baseRatePerBH: baseRatePerBH(deps.store.settings),
          nodes: input.nodes,
          ...(input.nodeScore !== undefined ? { nodeScore: input.nodeScore } : {}),
        });
      }
      // Parsed and flattened in the frame worker (SCENE_UNREADABLE from there when the stored GLB is damaged).
      const scene = deps.library.scenePackage(input.spec.sceneId);
      const engine = await deps.engine();
      const localScore = await localBenchmarkScore(deps.store.settings, () => engine.benchmark());
      // The same scene and settings on a machine of the same score cost the same: probes
      // measured before (in this run or an earlier one) are priced again, not rendered again.
      const kept = estimates.get(input.spec, localScore);
      const probes = kept ?? (await probeJob(engine, scene, input.spec));
      if (!kept) estimates.put(input.spec, localScore, probes);
      return estimateFromProbes(input.spec, probes, {
        localScore,
        baseRatePerBH: baseRatePerBH(deps.store.settings),
        nodes: input.nodes,
        measured: !kept,
        ...(input.nodeScore !== undefined ? { nodeScore: input.nodeScore } : {}),
      });
    },
  };
}
