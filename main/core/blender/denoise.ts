/**
 * Denoising, on the creator's side only: a finished frame (verified, or rendered locally) run
 * through Blender's compositor Denoise node (OpenImageDenoise). Operators never denoise — a
 * denoised pixel depends on its neighbours, which proof of render could not check. A Blender
 * built without OpenImageDenoise (Debian's 3.4.1) is refused in words before anything runs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RayfarmError } from '../errors';
import type { BlenderInstall } from './locate';
import { PRELUDE } from './py';
import { runBlender } from './sandbox';

/** Refuses denoising with a Blender built without OpenImageDenoise, in words. */
export function requireDenoiser(install: BlenderInstall): void {
  if (!install.denoiser) {
    throw new RayfarmError(
      'BLENDER_NO_DENOISER',
      `Denoising is not available: this Blender was built without OpenImageDenoise (Blender ${install.version} at ${install.path}). Install Blender from blender.org, whose builds include it, or render without denoising.`,
    );
  }
}

/**
 * Loads the frame (an EXR we wrote), denoises it in the compositor (an empty scene with a
 * camera, rendered at one sample only so the compositor runs) and writes its raw RGBA floats.
 */
const DENOISE_PY = String.raw`${PRELUDE}
import array
if not bpy.app.build_options.openimagedenoise:
    fail('this Blender was built without OpenImageDenoise')
bpy.ops.wm.read_factory_settings(use_empty=True)
s = bpy.context.scene
s.render.engine = 'CYCLES'
s.cycles.samples = 1
s.cycles.use_denoising = False
bpy.ops.object.camera_add()
s.camera = bpy.context.object
r = s.render
r.resolution_x = cfg['width']
r.resolution_y = cfg['height']
r.resolution_percentage = 100
r.use_compositing = True
s.view_settings.view_transform = 'Standard'
s.use_nodes = True
tree = s.node_tree
for n in list(tree.nodes):
    tree.nodes.remove(n)
src = tree.nodes.new('CompositorNodeImage')
src.image = bpy.data.images.load(cfg['input'])
dn = tree.nodes.new('CompositorNodeDenoise')
dn.use_hdr = True
out = tree.nodes.new('CompositorNodeComposite')
out.use_alpha = True
tree.links.new(src.outputs['Image'], dn.inputs['Image'])
tree.links.new(dn.outputs['Image'], out.inputs['Image'])
im = r.image_settings
im.file_format = 'OPEN_EXR'
im.color_depth = '32'
im.color_mode = 'RGBA'
r.filepath = cfg['out'] + '.exr'
bpy.ops.render.render(write_still=True)
img = bpy.data.images.load(cfg['out'] + '.exr')
if tuple(img.size) != (cfg['width'], cfg['height']):
    fail('Blender denoised %dx%d pixels of a %dx%d frame' % (img.size[0], img.size[1], cfg['width'], cfg['height']))
buf = array.array('f', bytes(4 * cfg['width'] * cfg['height'] * 4))
img.pixels.foreach_get(buf)
with open(cfg['out'], 'wb') as f:
    f.write(buf.tobytes())
answer({'ok': True})
`;

/**
 * Denoises one frame with the creator's Blender: `exr` is the frame as an OpenEXR file
 * (linear RGBA float); returns the denoised linear RGBA floats, rows top-down. Not testable on
 * a Blender without OpenImageDenoise (refused first, see requireDenoiser).
 */
export async function denoiseFrame(install: BlenderInstall, exr: Uint8Array, width: number, height: number, opts: { timeoutMs?: number } = {}): Promise<Float32Array> {
  requireDenoiser(install);
  const work = mkdtempSync(join(tmpdir(), 'rayfarm-denoise-'));
  try {
    const input = join(work, 'frame.exr');
    writeFileSync(input, exr);
    const out = join(work, 'denoised');
    await runBlender({ blender: install.path, script: DENOISE_PY, config: { input, out, width, height }, readOnly: [input], writable: work, timeoutMs: opts.timeoutMs ?? 600_000, memoryBytes: 8 * 2 ** 30 });
    const raw = readFileSync(out);
    if (raw.byteLength !== width * height * 16) throw new RayfarmError('BLENDER_FAILED', `Blender wrote ${raw.byteLength} bytes for a denoised ${width}×${height} frame.`);
    const bottomUp = new Float32Array(new Uint8Array(raw).buffer);
    const px = new Float32Array(width * height * 4);
    const row = width * 4;
    for (let y = 0; y < height; y++) px.set(bottomUp.subarray((height - 1 - y) * row, (height - y) * row), y * row);
    return px;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
