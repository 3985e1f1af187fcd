import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { sampleCalls } from '../../../shared/api';
import { packageRoot } from '../version';
import type { HandlerMap } from './api-server';

const NAMES: Record<string, string> = {
  'cornell.glb': 'Cornell box',
  'animated.glb': 'Animation (24 frames)',
  'spheres.glb': 'Material spheres',
  'heavy.glb': 'Terrain, 210k triangles',
  'glass.glb': 'Glass, liquid, clear coat and velvet',
  'texture-transform.glb': 'Texture transforms',
};

/** Handlers for creator.samples: the scenes generated into resources/scenes at install. */
export function sampleHandlers(dir = join(packageRoot(), 'resources', 'scenes')): HandlerMap<keyof typeof sampleCalls> {
  return {
    'creator.samples': () => {
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => f.endsWith('.glb'))
        .sort((a, b) => Object.keys(NAMES).indexOf(a) - Object.keys(NAMES).indexOf(b))
        .map((f) => ({ name: NAMES[f] ?? f.replace(/\.glb$/, ''), path: join(dir, f), bytes: statSync(join(dir, f)).size }));
    },
  };
}
