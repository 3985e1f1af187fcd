// The training run of the engine's profile-guided build (scripts/build-native.mjs): renders
// every sample scene, generated here in memory exactly as scripts/make-scenes.mjs writes them,
// small and at few samples, through the instrumented addon that RAYFARM_NATIVE_PATH names, and
// the built-in benchmark once. Its only product is the profile the compiler wrote as it ran.
// A few seconds: the profile needs the shape of a render (which branches, which loops), not its
// length. Exits non-zero on any failure, and the build then falls back to the plain engine.
import { register } from 'tsx/esm/api';

register();
const { createGltfIO, readGlb } = await import('../main/core/engine/gltf-io.ts');
const { flattenScene } = await import('../main/core/engine/flatten.ts');
const { benchmark, loadScene, renderTile } = await import('../main/core/engine/index.ts');
const { SAMPLE_SCENES } = await import('./scenes/samples.ts');
const { LIGHTING_SCENES } = await import('./scenes/lighting.ts');

const started = Date.now();
const io = createGltfIO();
const size = 128;
for (const [name, build] of Object.entries({ ...SAMPLE_SCENES, ...LIGHTING_SCENES })) {
  // Through the glb bytes, as a real job arrives: the reader's own conversions take part.
  const doc = await readGlb(await io.writeBinary(build()));
  const flat = flattenScene(doc, { aspect: 1 });
  const scene = await loadScene(flat.buffers);
  try {
    // One thread: the profile counters are not atomic, and one thread keeps them exact.
    await renderTile({ scene, camera: flat.camera, width: size, height: size, spp: name === 'heavy.glb' ? 16 : 8, seed: 1, maxDepth: 8, threads: 1, backend: 'cpu' });
  } finally {
    scene.dispose();
  }
}
await benchmark({ backend: 'cpu', threads: 1, width: 64, height: 64, spp: 4 });
console.log(`rayfarm: PGO training renders done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
