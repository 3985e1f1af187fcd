/**
 * The scene frame worker's entry: flattens frames of packaged scenes off the main thread
 * and hands their arrays and textures back by transfer. Loaded by frame-pool.ts, never imported.
 */
import type { SceneBuffers } from '../engine/types';
import { flattenFrame } from './scene-frames';
import type { FlatFrame, FrameRequest } from './scene-frames';
import { ownBuffer, serveRequests } from '../workers/worker-serve';

/**
 * The frame's buffers, ready to move: arrays that share a buffer are copied, and textures
 * always are (their pixels stay in this worker's image cache for the next frame).
 */
function movable(b: SceneBuffers): { buffers: SceneBuffers; transfer: ArrayBuffer[] } {
  const copies = new Map<Uint8Array, Uint8Array>();
  const textures = b.textures.map((t) => {
    let data = copies.get(t.data);
    if (!data) copies.set(t.data, (data = t.data.slice()));
    return { ...t, data };
  });
  const arrays = { positions: ownBuffer(b.positions), normals: ownBuffer(b.normals), uvs: ownBuffer(b.uvs), tangents: ownBuffer(b.tangents), indices: ownBuffer(b.indices), materialIndex: ownBuffer(b.materialIndex) };
  const transfer = new Set<ArrayBuffer>();
  for (const a of [...Object.values(arrays), ...copies.values()]) transfer.add(a.buffer as ArrayBuffer);
  return { buffers: { ...b, ...arrays, textures }, transfer: [...transfer] };
}

serveRequests<FrameRequest, FlatFrame>(async (req) => {
  const frame = await flattenFrame(req);
  const { buffers, transfer } = movable(frame.buffers);
  return { result: { ...frame, buffers }, transfer };
});
