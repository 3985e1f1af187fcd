import '../../main/core/polyfills';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { JobSpec } from '../../shared/job-spec';
import { splitJob } from '../../shared/job-spec';
import { writeFrame } from '../../main/core/output/assembler';
import { SceneRenderer, nativeEngine } from '../../main/core/render/render-task';
import { readGlb } from '../../main/core/engine/gltf-io';
import { NetService } from '../../main/core/node/net-service';
import type { NetServiceConfig } from '../../main/core/node/net-service';
import { openStore } from '../../main/core/store';
import type { Store } from '../../main/core/store';
export { waitFor } from '../helpers/wait';

export const ROOT = resolve(import.meta.dirname, '..', '..');

/** The bytes of a generated sample scene (generated into a temp folder if the install skipped it). */
export async function sampleScene(name = 'animated.glb'): Promise<Uint8Array> {
  const file = join(ROOT, 'resources', 'scenes', name);
  if (existsSync(file)) return new Uint8Array(readFileSync(file));
  const dir = mkdtempSync(join(tmpdir(), 'rf-scenes-'));
  const { makeScenes } = await import('../../scripts/scenes/index');
  await makeScenes(dir);
  return new Uint8Array(readFileSync(join(dir, name)));
}

/** A network service on 127.0.0.1 with a data folder of its own. */
export interface Node {
  svc: NetService;
  store: Store;
  dir: string;
  lines: string[];
  stop(): Promise<void>;
}

/** Starts a node; `dir` reuses a data folder (a restart). */
export async function startNode(opts: Partial<NetServiceConfig> & { dir?: string } = {}): Promise<Node> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'rf-node-'));
  const store = openStore(dir);
  const lines: string[] = [];
  const svc = await NetService.start({ listen: ['/ip4/127.0.0.1/tcp/0'], mdns: false, log: (l) => lines.push(l), ...opts, store });
  let stopped = false;
  return {
    svc,
    store,
    dir,
    lines,
    async stop() {
      if (stopped) return;
      stopped = true;
      await svc.stop();
      store.close();
    },
  };
}

/** Renders a spec locally through the same path as `rayfarm render` and writes its frames into a new folder. */
export async function renderLocally(scene: Uint8Array, spec: JobSpec): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rf-ref-'));
  const renderer = new SceneRenderer(await readGlb(scene), nativeEngine);
  try {
    for (const task of splitJob({ ...spec, tiles: { x: 1, y: 1 } })) {
      const r = await renderer.renderTask(spec, task);
      writeFrame(dir, task.frame, r.pixels, spec.width, spec.height, spec.output);
    }
  } finally {
    await renderer.dispose();
  }
  return dir;
}

