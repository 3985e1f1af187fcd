/**
 * Blender Cycles as a reference renderer for bench:render: the same .glb, camera, samples,
 * bounces and threads, rendered on the CPU without denoising or adaptive sampling. Materials
 * come from Blender's glTF importer, or (`lambert`) are set by script to a Lambertian Diffuse
 * BSDF plus an Emission, so that no importer mapping is trusted. The world is the scene's
 * background colour, or its equirect map written out as a .hdr. glTF's punctual lights stay
 * punctual (radius 0) and a spot keeps KHR_lights_punctual's falloff, not Blender's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { PreparedScene } from '../main/core/engine/benchmark';
import { writeHdr } from '../main/core/engine/hdr';
import type { HdrImage } from '../main/core/engine/hdr';
import { srgbToLinear } from '../shared/srgb';

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
# glTF lights are punctual, but bpy.data.lights.new gives them Blender's 0.25 m radius (softer
# shadows, ~1.6 % less light at a spot's centre here). And Blender's spot is not glTF's: the
# importer maps the cones to spot_size/spot_blend, whose smoothstep penumbra is wider, and
# Cycles 3.4 scales a spot by cos(angle off its axis) besides (measured on a spot over a plane:
# +33 % more light than KHR_lights_punctual says for inner 0.35 / outer 0.7). So a spot becomes a
# point light whose Emission strength is glTF's falloff, clamp((cos - cos outer) / (cos inner -
# cos outer))^2, of the emission direction in the light's space (Texture Coordinate Normal; the
# light looks down its -Z). On that plane test the two renderers then agree within 0.01 %.
for light in bpy.data.lights:
    light.shadow_soft_size = 0.0
    if light.type == 'SUN':
        light.angle = 0.0
    if light.type != 'SPOT':
        continue
    outer = light.spot_size / 2
    inner = outer * (1 - light.spot_blend)
    co, ci = math.cos(outer), math.cos(inner)
    scale = 1.0 / max(ci - co, 1e-6)
    light.type = 'POINT'
    light.use_nodes = True
    nt = light.node_tree
    em = next(n for n in nt.nodes if n.type == 'EMISSION')
    tc = nt.nodes.new('ShaderNodeTexCoord')
    sep = nt.nodes.new('ShaderNodeSeparateXYZ')
    nt.links.new(tc.outputs['Normal'], sep.inputs[0])
    lin = nt.nodes.new('ShaderNodeMath')
    lin.operation = 'MULTIPLY_ADD'
    lin.use_clamp = True
    nt.links.new(sep.outputs['Z'], lin.inputs[0])
    lin.inputs[1].default_value = -scale
    lin.inputs[2].default_value = -co * scale
    sq = nt.nodes.new('ShaderNodeMath')
    sq.operation = 'MULTIPLY'
    nt.links.new(lin.outputs[0], sq.inputs[0])
    nt.links.new(lin.outputs[0], sq.inputs[1])
    nt.links.new(sq.outputs[0], em.inputs['Strength'])
# --cycles-materials lambert: the importer's Principled setup is replaced, by script, by a
# Lambertian Diffuse BSDF of the glTF base colour plus an Emission of emissive x strength
# (front face only when the glTF material is single-sided). No importer mapping is trusted.
if cfg.get('lambert'):
    for mat in bpy.data.materials:
        if not mat.use_nodes:
            continue
        nt = mat.node_tree
        p = next((n for n in nt.nodes if n.type == 'BSDF_PRINCIPLED'), None)
        if p is None:
            continue
        gm = cfg['lambert'].get(mat.name)
        if gm is None:
            raise SystemExit('no glTF material named ' + mat.name)
        for n in list(nt.nodes):
            nt.nodes.remove(n)
        out = nt.nodes.new('ShaderNodeOutputMaterial')
        dif = nt.nodes.new('ShaderNodeBsdfDiffuse')
        dif.inputs['Color'].default_value = (*gm['base'], 1.0)
        dif.inputs['Roughness'].default_value = 0.0
        add = nt.nodes.new('ShaderNodeAddShader')
        em = nt.nodes.new('ShaderNodeEmission')
        em.inputs['Color'].default_value = (*gm['emissive'], 1.0)
        em.inputs['Strength'].default_value = 1.0
        emit = em.outputs[0]
        if not gm['doubleSided']:
            geo = nt.nodes.new('ShaderNodeNewGeometry')
            mix = nt.nodes.new('ShaderNodeMixShader')
            nt.links.new(geo.outputs['Backfacing'], mix.inputs[0])
            nt.links.new(em.outputs[0], mix.inputs[1])
            emit = mix.outputs[0]
        nt.links.new(dif.outputs[0], add.inputs[0])
        nt.links.new(emit, add.inputs[1])
        nt.links.new(add.outputs[0], out.inputs['Surface'])
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
wt = scene.world.node_tree
node = wt.nodes.get('Background')
if node is not None:
    node.inputs[0].default_value = (bg[0], bg[1], bg[2], 1.0)
    node.inputs[1].default_value = 1.0
    if cfg.get('worldMap'):
        # Our equirect u = 0.5 + atan2(x, -z) / 2pi in glTF axes is Blender's u - 0.25: turn
        # the map a quarter about Z so both renderers see the same sky.
        env = wt.nodes.new('ShaderNodeTexEnvironment')
        env.image = bpy.data.images.load(cfg['worldMap'])
        env.interpolation = 'Linear'
        coord = wt.nodes.new('ShaderNodeTexCoord')
        mapping = wt.nodes.new('ShaderNodeMapping')
        mapping.inputs['Rotation'].default_value = (0.0, 0.0, cfg['worldRotation'])
        wt.links.new(coord.outputs['Generated'], mapping.inputs['Vector'])
        wt.links.new(mapping.outputs['Vector'], env.inputs['Vector'])
        wt.links.new(env.outputs['Color'], node.inputs[0])
        node.inputs[1].default_value = cfg['worldIntensity']
scene.render.filepath = cfg['out']
bpy.ops.render.render(write_still=True)
img = bpy.data.images.load(cfg['out'] + '.exr' if not cfg['out'].endswith('.exr') else cfg['out'])
px = np.array(img.pixels[:], dtype=np.float64).reshape(-1, 4)
lum = float(np.mean(0.2126 * px[:, 0] + 0.7152 * px[:, 1] + 0.0722 * px[:, 2]))
# Blender's rows run bottom to top; ours top to bottom.
px.reshape(cfg['height'], cfg['width'], 4)[::-1].astype(np.float32).tofile(cfg['out'] + '.raw')
if cfg.get('png'):
    scene.render.image_settings.file_format = 'PNG'
    scene.render.image_settings.color_depth = '8'
    bpy.data.images['Render Result'].save_render(cfg['png'])
print('RAYFARM_CYCLES ' + json.dumps({'meanLuminance': lum}))
`;

/** How Cycles gets its materials. */
export type CyclesMaterials = 'importer' | 'lambert';

/** Render settings shared with the engine's run. */
export interface CyclesOptions {
  width: number;
  height: number;
  spp: number;
  maxDepth: number;
  threads: number;
  materials: CyclesMaterials;
  /** Also save Cycles' picture here (PNG). */
  png?: string;
}

/** What Cycles rendered. */
export interface CyclesResult {
  cyclesSeconds: number;
  cyclesMeanLuminance: number;
  /** Linear RGBA float, rows top to bottom. */
  pixels: Float32Array;
}

/** True when `blender` runs. */
export function hasBlender(): boolean {
  return spawnSync('blender', ['--version'], { env: { PATH: '/usr/bin:/bin:/usr/local/bin' } }).status === 0;
}

/** Each material's Lambertian inputs by name, for Cycles materials set by script. */
export function lambertMaterials(prepared: PreparedScene): Record<string, { base: number[]; emissive: number[]; doubleSided: boolean }> {
  const out: Record<string, { base: number[]; emissive: number[]; doubleSided: boolean }> = {};
  for (const m of prepared.buffers.materials) {
    if (m.baseColorTexture >= 0 || m.emissiveTexture >= 0) throw new Error(`--cycles-materials lambert: material "${m.name}" has a texture; only flat Lambertian scenes can be set by script.`);
    out[m.name] = { base: [...m.baseColor].slice(0, 3), emissive: [...m.emissive], doubleSided: m.doubleSided };
  }
  return out;
}

/** True when every material is flat and Lambertian (no texture, no metal, specular 0): Cycles' materials can then be set by script. */
export function isLambertian(prepared: PreparedScene): boolean {
  return prepared.buffers.materials.every((m) => m.baseColorTexture < 0 && m.emissiveTexture < 0 && m.metallic === 0 && m.specular === 0 && m.specularTexture < 0 && m.alphaMode === 'opaque');
}

/** The scene's equirect background as a float image (for Cycles' world), or undefined. */
function worldMap(prepared: PreparedScene): { image: HdrImage; intensity: number } | undefined {
  const bg = prepared.buffers.background;
  if (bg.type === 'hdri') return { image: { width: bg.width, height: bg.height, data: bg.data }, intensity: bg.intensity };
  if (bg.type !== 'equirect') return undefined;
  const t = prepared.buffers.textures[bg.texture]!;
  const data = new Float32Array(t.width * t.height * 3);
  for (let i = 0; i < t.width * t.height; i++) {
    for (let k = 0; k < 3; k++) data[i * 3 + k] = t.srgb ? srgbToLinear(t.data[i * 4 + k]! / 255) : t.data[i * 4 + k]! / 255;
  }
  return { image: { width: t.width, height: t.height, data }, intensity: bg.intensity };
}

/** Renders `file` with Cycles as the engine rendered `prepared`. */
export function runCycles(file: string, prepared: PreparedScene, opts: CyclesOptions): CyclesResult {
  const dir = mkdtempSync(join(tmpdir(), 'rayfarm-cycles-'));
  try {
    const py = join(dir, 'bench.py');
    writeFileSync(py, CYCLES_PY);
    const bg = prepared.buffers.background.type === 'color' ? prepared.buffers.background.color : [0, 0, 0];
    const world = worldMap(prepared);
    if (world) writeFileSync(join(dir, 'world.hdr'), writeHdr(world.image));
    const lambert = opts.materials === 'lambert' ? lambertMaterials(prepared) : undefined;
    const cfg = {
      glb: resolve(file),
      out: join(dir, 'out.exr'),
      png: opts.png ?? '',
      width: opts.width,
      height: opts.height,
      spp: opts.spp,
      maxDepth: opts.maxDepth,
      threads: opts.threads,
      camera: prepared.camera.cameraToWorld,
      yfov: prepared.camera.yfov,
      background: bg,
      worldMap: world ? join(dir, 'world.hdr') : '',
      worldIntensity: world?.intensity ?? 1,
      worldRotation: -Math.PI / 2,
      lambert,
    };
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
    const raw = readFileSync(join(dir, 'out.exr.raw'));
    const pixels = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    return { cyclesSeconds: Number(time[1]), cyclesMeanLuminance: (JSON.parse(lum[1]!) as { meanLuminance: number }).meanLuminance, pixels };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
