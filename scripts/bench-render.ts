/**
 * npm run bench:render -- [--scene FILE.glb]... [--width N] [--height N] [--spp N]
 *   [--max-depth N] [--threads N] [--backend cpu|cuda] [--vs-cycles] [--png DIR] [--repeat N]
 *
 * Renders each scene once with the native engine and prints one JSON line per scene:
 * {scene, width, height, spp, maxDepth, threads, seconds, samplesPerSecond, ...}.
 * With --vs-cycles and `blender` on the PATH, renders the same file with Cycles on the CPU
 * (no denoising, no adaptive sampling, same spp/bounces/threads/camera) and adds
 * {cyclesSeconds, cyclesSamplesPerSecond, ratio, meanLuminanceDifference}; ratio > 1 means
 * Rayfarm is faster. Defaults: resources/scenes/cornell.glb and heavy.glb, 512x512, 64 spp,
 * 8 bounces, 2 threads. --repeat N renders N times (each renderer alternating) and keeps the
 * fastest of each, which tames a busy machine.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PNG } from 'pngjs';
import { benchScene, prepareGlb } from '../main/core/engine/benchmark';
import type { PreparedScene } from '../main/core/engine/benchmark';
import { linearToSrgb } from '../shared/srgb';

const { values } = parseArgs({
  options: {
    scene: { type: 'string', multiple: true },
    width: { type: 'string', default: '512' },
    height: { type: 'string', default: '512' },
    spp: { type: 'string', default: '64' },
    'max-depth': { type: 'string', default: '8' },
    threads: { type: 'string', default: '2' },
    backend: { type: 'string', default: 'cpu' },
    'vs-cycles': { type: 'boolean', default: false },
    png: { type: 'string' },
    repeat: { type: 'string', default: '1' },
  },
});

const opts = {
  width: Number(values.width),
  height: Number(values.height),
  spp: Number(values.spp),
  maxDepth: Number(values['max-depth']),
  threads: Number(values.threads),
  backend: values.backend as 'cpu' | 'cuda',
};
const scenes = values.scene?.length ? values.scene : ['resources/scenes/cornell.glb', 'resources/scenes/heavy.glb'];

/** Blender's Python side: import the glb, match our camera and settings, render, report. */
const CYCLES_PY = String.raw`
import sys, json, math
import numpy as np
np.bool = bool  # Debian's Blender 3.4 glTF addon still uses the removed alias
import bpy, mathutils
cfg = json.loads(sys.argv[sys.argv.index('--') + 1])
bpy.ops.wm.read_factory_settings(use_empty=True)
# COMPAT: sun strength = lux, point/spot power = 4 pi x candela, as the engine reads them.
bpy.ops.import_scene.gltf(filepath=cfg['glb'], convert_lighting_mode='COMPAT')
scene = bpy.context.scene
# glTF: a single-sided surface emits from its front only, but Cycles lets a mesh emit from
# both sides. The importer marks single-sided materials with use_backface_culling; scale
# their emission by (1 - Backfacing) so Cycles renders the lights the file describes.
for mat in bpy.data.materials:
    if not mat.use_nodes or not mat.use_backface_culling:
        continue
    nt = mat.node_tree
    for p in [n for n in nt.nodes if n.type == 'BSDF_PRINCIPLED']:
        s = p.inputs['Emission Strength']
        geo = nt.nodes.new('ShaderNodeNewGeometry')
        front = nt.nodes.new('ShaderNodeMath')
        front.operation = 'SUBTRACT'
        front.inputs[0].default_value = 1.0
        nt.links.new(geo.outputs['Backfacing'], front.inputs[1])
        mul = nt.nodes.new('ShaderNodeMath')
        mul.operation = 'MULTIPLY'
        if s.is_linked:
            nt.links.new(s.links[0].from_socket, mul.inputs[0])
        else:
            mul.inputs[0].default_value = s.default_value
        nt.links.new(front.outputs['Value'], mul.inputs[1])
        nt.links.new(mul.outputs['Value'], s)
scene.render.engine = 'CYCLES'
c = scene.cycles
c.device = 'CPU'
c.samples = cfg['spp']
c.use_adaptive_sampling = False
c.use_denoising = False
c.max_bounces = cfg['maxDepth']
for k in ('diffuse_bounces', 'glossy_bounces', 'transmission_bounces', 'volume_bounces', 'transparent_max_bounces'):
    setattr(c, k, cfg['maxDepth'])
c.caustics_reflective = True
c.caustics_refractive = True
c.blur_glossy = 0.0
c.sample_clamp_direct = 0.0
c.sample_clamp_indirect = 0.0
c.pixel_filter_type = 'BOX'
c.filter_width = 1.0
scene.render.threads_mode = 'FIXED'
scene.render.threads = cfg['threads']
scene.render.resolution_x = cfg['width']
scene.render.resolution_y = cfg['height']
scene.render.resolution_percentage = 100
scene.render.film_transparent = False
scene.view_settings.view_transform = 'Standard'
scene.render.image_settings.file_format = 'OPEN_EXR'
scene.render.image_settings.color_depth = '32'
# Our camera (glTF world, Y up) in Blender's Z-up world.
m = cfg['camera']
M = mathutils.Matrix([[m[0], m[4], m[8], m[12]], [m[1], m[5], m[9], m[13]], [m[2], m[6], m[10], m[14]], [0, 0, 0, 1]])
C = mathutils.Matrix([[1, 0, 0, 0], [0, 0, -1, 0], [0, 1, 0, 0], [0, 0, 0, 1]])
cam_data = bpy.data.cameras.new('rayfarm')
cam_data.sensor_fit = 'VERTICAL'
cam_data.angle_y = cfg['yfov']
cam = bpy.data.objects.new('rayfarm', cam_data)
scene.collection.objects.link(cam)
cam.matrix_world = C @ M
scene.camera = cam
if scene.world is None:
    scene.world = bpy.data.worlds.new('World')
bg = cfg['background']
scene.world.use_nodes = True
node = scene.world.node_tree.nodes.get('Background')
if node is not None:
    node.inputs[0].default_value = (bg[0], bg[1], bg[2], 1.0)
    node.inputs[1].default_value = 1.0
scene.render.filepath = cfg['out']
bpy.ops.render.render(write_still=True)
img = bpy.data.images.load(cfg['out'] + '.exr' if not cfg['out'].endswith('.exr') else cfg['out'])
px = np.array(img.pixels[:], dtype=np.float64).reshape(-1, 4)
lum = float(np.mean(0.2126 * px[:, 0] + 0.7152 * px[:, 1] + 0.0722 * px[:, 2]))
if cfg.get('png'):
    scene.render.image_settings.file_format = 'PNG'
    scene.render.image_settings.color_depth = '8'
    bpy.data.images['Render Result'].save_render(cfg['png'])
print('RAYFARM_CYCLES ' + json.dumps({'meanLuminance': lum}))
`;

function hasBlender(): boolean {
  return spawnSync('blender', ['--version'], { env: { PATH: '/usr/bin:/bin:/usr/local/bin' } }).status === 0;
}

function runCycles(file: string, prepared: PreparedScene): { cyclesSeconds: number; cyclesMeanLuminance: number } {
  const dir = mkdtempSync(join(tmpdir(), 'rayfarm-cycles-'));
  try {
    const py = join(dir, 'bench.py');
    writeFileSync(py, CYCLES_PY);
    const bg = prepared.buffers.background.type === 'color' ? prepared.buffers.background.color : [0, 0, 0];
    const png = values.png ? resolve(values.png, `${prepared.name.replace(/\.glb$/, '')}-cycles.png`) : '';
    const cfg = { glb: resolve(file), out: join(dir, 'out.exr'), png, ...opts, camera: prepared.camera.cameraToWorld, yfov: prepared.camera.yfov, background: bg };
    // A clean environment: Debian's Blender breaks under pyenv's Python variables.
    const r = spawnSync('blender', ['-b', '--factory-startup', '--debug-cycles', '--python', py, '--', JSON.stringify(cfg)], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      maxBuffer: 256 * 1024 * 1024,
    });
    const text = `${r.stdout}\n${r.stderr}`;
    const time = /Render time \(without synchronization\):\s*([\d.]+)/.exec(text);
    const lum = /RAYFARM_CYCLES (\{.*\})/.exec(text);
    if (!time || !lum) throw new Error(`Cycles render failed (exit ${r.status}):\n${text.slice(-3000)}`);
    return { cyclesSeconds: Number(time[1]), cyclesMeanLuminance: (JSON.parse(lum[1]!) as { meanLuminance: number }).meanLuminance };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function savePng(dir: string, name: string, px: Float32Array, w: number, h: number): void {
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) {
    for (let k = 0; k < 3; k++) {
      png.data[i * 4 + k] = Math.round(255 * linearToSrgb(px[i * 4 + k]!));
    }
    png.data[i * 4 + 3] = 255;
  }
  writeFileSync(join(dir, `${name}.png`), PNG.sync.write(png));
}

const cycles = values['vs-cycles'] ? hasBlender() : false;
if (values['vs-cycles'] && !cycles) console.error('bench:render: --vs-cycles asked for, but `blender` is not on the PATH; rendering without it.');
for (const file of scenes) {
  const prepared = await prepareGlb(file, opts.width / opts.height);
  const repeat = Math.max(1, Number(values.repeat) || 1);
  let best: Awaited<ReturnType<typeof benchScene>> | undefined;
  let c: ReturnType<typeof runCycles> | undefined;
  for (let i = 0; i < repeat; i++) {
    const r = await benchScene(prepared, opts);
    if (!best || r.seconds < best.seconds) best = r;
    if (cycles) {
      const rc = runCycles(file, prepared);
      if (!c || rc.cyclesSeconds < c.cyclesSeconds) c = rc;
    }
  }
  const { pixels, ...result } = best!;
  if (values.png) savePng(values.png, prepared.name.replace(/\.glb$/, ''), pixels, opts.width, opts.height);
  let line: Record<string, unknown> = { ...result, repeat };
  if (c) {
    line = {
      ...result,
      cyclesSeconds: c.cyclesSeconds,
      cyclesSamplesPerSecond: (opts.width * opts.height * opts.spp) / c.cyclesSeconds,
      ratio: c.cyclesSeconds / result.seconds,
      meanLuminanceDifference: (result.meanLuminance - c.cyclesMeanLuminance) / Math.max(c.cyclesMeanLuminance, 1e-9),
    };
  }
  console.log(JSON.stringify(line));
}
