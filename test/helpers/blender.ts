/**
 * Blender for tests: whether it is installed (tests that need it print one skip line without
 * it), and .blend files made by script at test time — no binary fixtures in the repository.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { locateBlender } from '../../main/core/blender';

/** The Blender executable, or null when none is installed. */
export const blenderPath: string | null = (() => {
  try {
    return locateBlender();
  } catch {
    return null;
  }
})();

/** Prints the one-line skip reason for `what` when Blender is missing. */
export function sayIfNoBlender(what: string): void {
  if (!blenderPath) console.log(`blender not installed: ${what} skipped (apt-get install blender)`);
}

/** A small Cycles scene: a cube on a plane, a sun and a camera; 64×48, 8 samples, frames 1–4. */
export const BASE_SCENE_PY = String.raw`
import bpy
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = 'CYCLES'
s.cycles.samples = 8
s.render.resolution_x = 64
s.render.resolution_y = 48
s.render.resolution_percentage = 100
s.frame_start = 1
s.frame_end = 4
s.view_settings.view_transform = 'Standard'
bpy.ops.mesh.primitive_cube_add(size=1)
bpy.ops.mesh.primitive_plane_add(size=10, location=(0, 0, -0.5))
bpy.ops.object.light_add(type='SUN', location=(3, 3, 5))
bpy.ops.object.camera_add(location=(4, -4, 3), rotation=(1.1, 0, 0.78))
cam = bpy.context.object
s.camera = cam
w = bpy.data.worlds.new('World')
s.world = w
`;

/** Moves the camera over frames 1–4 (append to BASE_SCENE_PY). */
export const ANIMATE_CAMERA_PY = String.raw`
for f in range(1, 5):
    cam.location.x = 4 + 0.3 * f
    cam.keyframe_insert('location', frame=f)
`;

/** A material on the cube showing the image file `path` (append to BASE_SCENE_PY). */
export function texturedCubePy(path: string, material = 'Wood'): string {
  return String.raw`
cube = bpy.data.objects['Cube']
m = bpy.data.materials.new(${JSON.stringify(material)})
m.use_nodes = True
tex = m.node_tree.nodes.new('ShaderNodeTexImage')
tex.image = bpy.data.images.load(${JSON.stringify(path)}, check_existing=False)
tex.interpolation = 'Closest'
m.node_tree.links.new(tex.outputs['Color'], m.node_tree.nodes['Principled BSDF'].inputs['Base Color'])
cube.data.materials.append(m)
`;
}

/** A Python snippet that writes a small PNG at `path` (a 4×4 red-green checker). */
export function writePngPy(path: string): string {
  return String.raw`
img = bpy.data.images.new('gen', 4, 4)
img.pixels = [v for i in range(16) for v in ((1, 0, 0, 1) if (i + i // 4) % 2 else (0, 1, 0, 1))]
img.filepath_raw = ${JSON.stringify(path)}
img.file_format = 'PNG'
img.save()
bpy.data.images.remove(img)
`;
}

/** Runs Blender (with its own scripts allowed: this is the test author's file) on `py`, then saves to `out`. */
export function makeBlend(out: string, py: string, opts: { relative?: boolean } = {}): void {
  if (!blenderPath) throw new Error('blender is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'rayfarm-make-blend-'));
  try {
    const script = join(dir, 'make.py');
    writeFileSync(script, `${py}\nbpy.ops.wm.save_as_mainfile(filepath=${JSON.stringify(out)}, relative_remap=${opts.relative === false ? 'False' : 'True'})\n`);
    const r = spawnSync(blenderPath, ['-b', '--factory-startup', '-noaudio', '--python-exit-code', '3', '--python', script], { env: { PATH: '/usr/bin:/bin', HOME: dir }, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`making ${out} failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
