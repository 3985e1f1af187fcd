/**
 * The worker's renderer for Blender jobs: the packed .blend is the blob store's own file
 * (content-checked when it was fetched), rendered by this machine's Blender through the same
 * `BlendTaskRenderer` as `rayfarm render FILE.blend`, so a task's pixels equal a local render's.
 * The routed renderer sends each task to the engine its spec names.
 */
import { isBlenderSpec } from '../../../../shared/job-spec';
import type { BlenderInstall, BlenderLimits } from '../../blender';
import { RayfarmError } from '../../errors';
import { BlendTaskRenderer } from '../../render/blend-task';
import type { BlobStore } from '../../store';
import type { TaskRenderer } from './worker-types';

/** A TaskRenderer rendering Blender tasks with `install`, sandboxed, within `limits`. */
export function blendTaskRenderer(blobs: BlobStore, install: BlenderInstall, limits: BlenderLimits = {}): TaskRenderer {
  const renderer = new BlendTaskRenderer(install, limits);
  return {
    async render({ spec, task, sceneHash, threads, signal, onProgress }) {
      if (!blobs.has(sceneHash)) throw new RayfarmError('SCENE_NOT_FOUND', `The scene ${sceneHash.slice(0, 12)}… is not here.`);
      onProgress(0);
      const r = await renderer.renderTask({ sceneHash, file: blobs.pathOf(sceneHash) }, spec, task, { ...(threads ? { threads } : {}), signal });
      onProgress(1);
      return r.pixels;
    },
  };
}

/** Sends Blender tasks to `blender` (refused in words when this machine has none) and the rest to `native`. */
export function routedTaskRenderer(native: TaskRenderer & { dispose?: () => Promise<void> }, blenderNow: () => TaskRenderer | undefined): TaskRenderer & { dispose?: () => Promise<void> } {
  return {
    render(input) {
      if (!isBlenderSpec(input.spec)) return native.render(input);
      const blender = blenderNow();
      if (!blender) return Promise.reject(new RayfarmError('BLENDER_NOT_FOUND', `This job needs Blender (${input.spec.engine}), which this machine does not have.`));
      return blender.render(input);
    },
    ...(native.dispose ? { dispose: () => native.dispose!() } : {}),
  };
}
