/**
 * The preview image of a scene: a small, quick render (256 px wide, a few samples) from the
 * scene's first camera, stored as a PNG so the library can show what was imported.
 */
import { JobSpecSchema } from '../../../shared/job-spec';
import type { Environment } from '../../../shared/job-spec';
import { encodePng } from '../output/png';
import { SceneRenderer } from '../render/render-task';
import type { RenderEngine, SceneInput } from '../render/render-task';

/** Preview size and quality, as stored at import. */
export const PREVIEW = { width: 256, height: 144, spp: 8, maxDepth: 4 } as const;

/** The largest preview the UI may ask for (a full-HD panel at most; a few dozen samples). */
export const PREVIEW_LIMITS = { maxWidth: 1920, maxHeight: 1080, maxSpp: 64 } as const;

/**
 * Renders the preview PNG of a scene (from a package, its frame is flattened in the frame
 * worker): the stored size by default, or the size the UI shows it at, under the world light
 * the job form has chosen (auto by default).
 */
export async function renderPreview(engine: RenderEngine, scene: SceneInput, size: { width: number; height: number; spp: number; environment?: Environment } = PREVIEW): Promise<Uint8Array> {
  const spec = JobSpecSchema.parse({ sceneId: '0'.repeat(64), width: size.width, height: size.height, spp: size.spp, maxDepth: PREVIEW.maxDepth, environment: size.environment ?? 'auto' });
  const renderer = new SceneRenderer(scene, engine);
  try {
    const r = await renderer.renderTask(spec, { index: 0, id: 'preview', frame: 0, tileX: 0, tileY: 0, rect: { x: 0, y: 0, width: spec.width, height: spec.height } });
    return encodePng(r.pixels, spec.width, spec.height, 8);
  } finally {
    await renderer.dispose();
  }
}
