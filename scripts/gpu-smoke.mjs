// Checks the built addon's CUDA path with nothing but Node (no node_modules): devices, CUDA vs
// CPU agreement, determinism, cancel, speed. For a lent GPU machine; prints JSON lines and
// exits non-zero on a failure. `npm run test:gpu` is the full suite.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const n = require(process.env.RAYFARM_NATIVE_PATH ?? '../native/build/Release/rayfarm_native.node');
const out = process.env.OUT;
let failed = 0;
const check = (name, ok, extra = {}) => {
  console.log(JSON.stringify({ check: name, ok, ...extra }));
  if (!ok) failed++;
};

const devs = n.devices();
console.log(JSON.stringify({ devices: devs, cudaCompiledIn: n.cudaCompiledIn }));
if (!devs.some((d) => d.backend === 'cuda')) {
  console.log('gpu smoke skipped: no CUDA device');
  process.exit(0);
}

// Cornell-style room (as in test/main/core/engine/fixtures.ts).
const pos = [], idx = [], mi = [];
const quad = (a, b, c, d, m) => {
  const k = pos.length / 3;
  pos.push(...a, ...b, ...c, ...d);
  idx.push(k, k + 1, k + 2, k, k + 2, k + 3);
  mi.push(m, m);
};
quad([-1, 0, 1], [1, 0, 1], [1, 0, -1], [-1, 0, -1], 0);
quad([-1, 2, -1], [1, 2, -1], [1, 2, 1], [-1, 2, 1], 0);
quad([-1, 0, -1], [1, 0, -1], [1, 2, -1], [-1, 2, -1], 0);
quad([-1, 0, 1], [-1, 0, -1], [-1, 2, -1], [-1, 2, 1], 1);
quad([1, 0, -1], [1, 0, 1], [1, 2, 1], [1, 2, -1], 2);
quad([-0.3, 1.999, -0.3], [0.3, 1.999, -0.3], [0.3, 1.999, 0.3], [-0.3, 1.999, 0.3], 3);
const rings = 32, segs = 64, base0 = pos.length / 3;
for (let i = 0; i <= rings; i++) for (let j = 0; j <= segs; j++) {
  const th = (Math.PI * i) / rings, ph = (2 * Math.PI * j) / segs;
  pos.push(0.6 * Math.sin(th) * Math.cos(ph), 0.6 + 0.6 * Math.cos(th), 0.6 * Math.sin(th) * Math.sin(ph));
}
for (let i = 0; i < rings; i++) for (let j = 0; j < segs; j++) {
  const a = base0 + i * (segs + 1) + j, b = a + segs + 1;
  idx.push(a, a + 1, b, a + 1, b + 1, b);
  mi.push(4, 4);
}
const mat = (bc, em = [0, 0, 0], metallic = 0, roughness = 1, extra = {}) => ({ name: 'm', baseColor: [...bc, 1], baseColorTexture: -1, metallic, roughness, metallicRoughnessTexture: -1, emissive: em, emissiveTexture: -1, normalTexture: -1, normalScale: 1, specular: 1, specularTexture: -1, specularColor: [1, 1, 1], specularColorTexture: -1, alphaMode: 'opaque', alphaCutoff: 0.5, doubleSided: false, ...extra });
const scene = await n.loadScene({
  positions: new Float32Array(pos), normals: new Float32Array(0), uvs: new Float32Array(0), tangents: new Float32Array(0),
  indices: new Uint32Array(idx), materialIndex: new Uint32Array(mi),
  materials: [mat([0.73, 0.73, 0.73]), mat([0.65, 0.05, 0.05]), mat([0.12, 0.45, 0.15]), mat([0, 0, 0], [15, 15, 15]), mat([0.9, 0.7, 0.4], [0, 0, 0], 1, 0.3)],
  textures: [], lights: [], background: { type: 'color', color: [0, 0, 0] },
});
const W = 256, H = 256;
const opts = { camera: { cameraToWorld: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 3.4, 1], yfov: 0.69 }, rect: { x: 0, y: 0, width: W, height: H }, width: W, height: H, spp: 32, seed: 9, maxDepth: 8, threads: availableParallelism() };
const render = async (o) => {
  const t0 = performance.now();
  const r = await n.renderTile(scene, o).promise;
  return { px: r.pixels, s: (performance.now() - t0) / 1000 };
};
await render({ ...opts, spp: 1, backend: 'cuda' }); // context + upload
const g1 = await render({ ...opts, backend: 'cuda' });
const g2 = await render({ ...opts, backend: 'cuda' });
const c = await render({ ...opts, backend: 'cpu' });
const eq = (a, b) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer));
check('cuda repeat bit-identical', eq(g1.px, g2.px));
const rect = { x: 31, y: 77, width: 100, height: 41 };
const tile = (await render({ ...opts, rect, backend: 'cuda' })).px;
let tileOk = true;
for (let y = 0; y < rect.height; y++) for (let x = 0; x < rect.width * 4; x++) if (tile[y * rect.width * 4 + x] !== g1.px[((rect.y + y) * W + rect.x) * 4 + x]) tileOk = false;
check('cuda tile equals frame region', tileOk);
let same = 0, close = 0, lc = 0, lg = 0;
for (let i = 0; i < W * H; i++) {
  let s = true, cl = true;
  for (let k = 0; k < 3; k++) {
    const a = c.px[i * 4 + k], b = g1.px[i * 4 + k];
    s &&= a === b;
    cl &&= Math.abs(a - b) <= 1e-3 * Math.max(1, Math.abs(a));
  }
  same += s; close += cl;
  lc += 0.2126 * c.px[i * 4] + 0.7152 * c.px[i * 4 + 1] + 0.0722 * c.px[i * 4 + 2];
  lg += 0.2126 * g1.px[i * 4] + 0.7152 * g1.px[i * 4 + 1] + 0.0722 * g1.px[i * 4 + 2];
}
check('cuda agrees with cpu', Math.abs(lc - lg) / lc < 0.01 && close / (W * H) > 0.9, { identicalPixels: same / (W * H), closePixels: close / (W * H), cpuMeanLum: lc / (W * H), cudaMeanLum: lg / (W * H), cpuSeconds: c.s, cudaSeconds: g1.s });
if (out) {
  writeFileSync(`${out}/cpu.f32`, Buffer.from(c.px.buffer));
  writeFileSync(`${out}/cuda.f32`, Buffer.from(g1.px.buffer));
}
const job = n.renderTile(scene, { ...opts, width: 2048, height: 2048, rect: { x: 0, y: 0, width: 2048, height: 2048 }, spp: 1 << 16, backend: 'cuda' });
const t0 = performance.now();
setTimeout(() => job.cancel(), 100);
const err = await job.promise.then(() => null, (e) => e);
check('cuda cancel', err?.code === 'ENGINE_CANCELLED', { msAfterStart: Math.round(performance.now() - t0) });
// Glass, a liquid volume, a clear coat, sheen and a mip-mapped, transformed texture (issue 17):
// the same room with the sphere made of each in turn and the floor textured, CPU vs CUDA.
{
  const uvs = new Float32Array((pos.length / 3) * 2);
  for (let v = 0; v < pos.length / 3; v++) [uvs[2 * v], uvs[2 * v + 1]] = [pos[3 * v] * 8, pos[3 * v + 2] * 8];
  const tex = { width: 64, height: 64, data: new Uint8Array(64 * 64 * 4).map((_, i) => ((((i >> 2) & 63) >> 3) + ((i >> 11) & 7)) & 1 ? 230 : 20), wrapS: 'repeat', wrapT: 'mirror', srgb: true, transform: [0.8, 0.6, 0.1, -0.6, 0.8, 0.2] };
  const floor = mat([0.73, 0.73, 0.73], [0, 0, 0], 0, 1, { baseColorTexture: 0 });
  for (const [name, sphere] of [
    ['glass', mat([1, 1, 1], [0, 0, 0], 0, 0, { transmission: 1, ior: 1.5, thickness: 1, attenuationColor: [0.4, 0.8, 0.5], attenuationDistance: 0.5 })],
    ['rough thin glass', mat([1, 1, 1], [0, 0, 0], 0, 0.3, { transmission: 1, ior: 1.5 })],
    ['coat and sheen', mat([0.6, 0.1, 0.1], [0, 0, 0], 0, 0.6, { clearcoat: 1, clearcoatRoughness: 0.1, sheenColor: [0.5, 0.5, 1], sheenRoughness: 0.4 })],
  ]) {
    const s2 = await n.loadScene({
      positions: new Float32Array(pos), normals: new Float32Array(0), uvs, tangents: new Float32Array(0),
      indices: new Uint32Array(idx), materialIndex: new Uint32Array(mi),
      materials: [floor, mat([0.65, 0.05, 0.05]), mat([0.12, 0.45, 0.15]), mat([0, 0, 0], [15, 15, 15]), sphere],
      textures: [tex], lights: [], background: { type: 'color', color: [0.1, 0.1, 0.1] },
    });
    const o = { ...opts, spp: 16 };
    const cp = (await n.renderTile(s2, { ...o, backend: 'cpu' }).promise).pixels;
    const gp = (await n.renderTile(s2, { ...o, backend: 'cuda' }).promise).pixels;
    let l1 = 0, l2 = 0, near = 0;
    for (let i = 0; i < W * H; i++) {
      l1 += 0.2126 * cp[i * 4] + 0.7152 * cp[i * 4 + 1] + 0.0722 * cp[i * 4 + 2];
      l2 += 0.2126 * gp[i * 4] + 0.7152 * gp[i * 4 + 1] + 0.0722 * gp[i * 4 + 2];
      near += Math.abs(cp[i * 4 + 1] - gp[i * 4 + 1]) <= 1e-3 * Math.max(1, Math.abs(cp[i * 4 + 1]));
    }
    check(`cuda agrees with cpu: ${name}`, Math.abs(l1 - l2) / l1 < 0.01 && near / (W * H) > 0.8, { closePixels: near / (W * H), cpuMeanLum: l1 / (W * H), cudaMeanLum: l2 / (W * H) });
    n.disposeScene(s2);
  }
}
const cpuB = await n.benchmark({ backend: 'cpu', threads: availableParallelism() });
const cudaB = await n.benchmark({ backend: 'cuda', width: 1024, height: 1024, spp: 64 });
console.log(JSON.stringify({ benchmark: { cpu: cpuB, cuda: cudaB, speedup: cudaB.samplesPerSecond / cpuB.samplesPerSecond } }));
n.disposeScene(scene);
process.exit(failed ? 1 : 0);
