import type { ProtocolLimits } from '../rpc';

/** An operator asks a creator for a task; renews, releases or fails a lease. */
export const WORK_PROTOCOL = '/rayfarm/work/1.0.0';

export const WORK_LIMITS: ProtocolLimits = {
  maxMessageBytes: 32 * 1024,
  timeoutMs: 10_000,
  rate: { perSecond: 20, burst: 60 },
  maxInboundStreams: 64,
};

/**
 * The most tasks one work request may ask for (`count`): an operator with that many free
 * slots asks once. The creator gives no more than its per-operator limit leaves room for; a
 * request for more is refused as malformed. Four leases stay far under maxMessageBytes.
 */
export const MAX_TASKS_PER_REQUEST = 4;

/**
 * Engine id the built-in path tracer announces and operators list. The number changes
 * whenever the same task renders to other pixels (proof of render compares them): 2 counts
 * bounces as Cycles does and reads KHR_materials_specular; 3 mip-maps textures (ray cones) and
 * renders KHR_texture_transform and the transmission, ior, volume, clear coat and sheen extensions;
 * 4 walks an 8-wide BVH on the CPU (two triangles hit at the same rounded distance, or a box
 * entered at the distance of a hit, may resolve the other way: a few pixels in 10^5 move by
 * under 1 %, the same on every CPU: AVX2, SSE or neither).
 */
export const ENGINE_ID = 'rayfarm-pt/4';

/** The engine a job needs: its spec's (a Blender job's `blender-cycles/<major.minor>`), else the built-in path tracer. */
export function jobEngine(spec: { engine?: string | undefined }): string {
  return spec.engine ?? ENGINE_ID;
}
