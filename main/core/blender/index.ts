/**
 * blender/ — Blender, run headless and sandboxed on files nobody vouched for: finding it and
 * its devices (locate.ts), one safe run of our own Python script (sandbox.ts, py.ts), and the
 * three questions asked of a .blend — what it holds, a packed copy, one rendered region
 * (blend-ops.ts). It knows no scene library, network or role: scene/ and render/ use it.
 */
export { blenderEngineId, blenderVersionOf, findBlender, locateBlender, probeBlender } from './locate';
export type { BlenderDevice, BlenderInstall } from './locate';
export { defaultMemoryLimit, inspectBlend, MAX_REGIONS, packBlend, renderBlendRegions } from './blend-ops';
export type { BlenderLimits, BlendExternalFile, BlendInfo, BlendRegions, BlendSimulation } from './blend-ops';
export { findBwrap, runBlender } from './sandbox';
export type { BlenderRun, BlenderRunResult, SandboxKind } from './sandbox';
export { CYCLES_BENCH, cyclesBenchmark, keptCyclesBenchmark, runCyclesBenchmark } from './cycles-bench';
export type { CyclesBenchmark, CyclesBenchmarkStore } from './cycles-bench';
