/**
 * The worker's renderer on the native engine: the scene GLB from the blob store is parsed
 * once per scene (in the frame worker, which keeps it for the following tasks) and rendered through the same `renderTask` path as `rayfarm render`, so a
 * task's pixels are bit-identical to a local render of the same spec.
 */
import { SceneRenderer, nativeEngine, renderTask } from '../../render/render-task';
import type { RenderEngine } from '../../render/render-task';
import type { BlobStore } from '../../store';
import type { TaskRenderer } from './worker';

/** A TaskRenderer keeping the last scene loaded (tasks of one job follow each other). */
export function engineTaskRenderer(blobs: BlobStore, engine: RenderEngine = nativeEngine): TaskRenderer & { dispose(): Promise<void> } {
  let current: { hash: string; renderer: Promise<SceneRenderer> } | undefined;
  const rendererFor = (hash: string): Promise<SceneRenderer> => {
    if (current?.hash === hash) return current.renderer;
    const previous = current;
    const renderer = Promise.resolve(new SceneRenderer({ sceneHash: hash, glb: () => blobs.get(hash) }, engine));
    current = { hash, renderer };
    void previous?.renderer.then((r) => r.dispose(), () => undefined);
    return renderer;
  };
  return {
    async render({ spec, task, sceneHash, threads, signal, onProgress }) {
      const renderer = await rendererFor(sceneHash);
      return renderTask(engine, renderer, spec, task, { ...(threads ? { threads } : {}), signal, onProgress });
    },
    async dispose() {
      const c = current;
      current = undefined;
      if (c) await (await c.renderer.catch(() => undefined))?.dispose();
    },
  };
}
