/** Every fuzz target, in the order a run visits them. */
import type { FuzzTarget } from './fuzz-run';
import { apiTarget, httpTarget } from './target-api';
import { gltfTarget } from './target-gltf';
import { netTarget } from './target-net';

/** The targets `npm run fuzz` attacks. */
export function allTargets(): FuzzTarget[] {
  return [gltfTarget, netTarget, apiTarget, httpTarget];
}
