/**
 * Our Python scripts, run inside Blender by sandbox.ts (kept as strings so they travel with
 * the code through every bundler). Each reads its config from the JSON after `--`, does one
 * thing and prints `RAYFARM_RESULT_<mark> {json}`, or `RAYFARM_ERROR_<mark> sentence` and exits
 * with 3; the mark is a secret of the run (the second argument after `--`).
 * They never run anything the file brings: auto-run is off and they call no code from it.
 */

/** What each script starts with: its config, its secret mark, answer() and fail(). */
export const PRELUDE = String.raw`
import bpy, json, os, sys
cfg = json.loads(sys.argv[sys.argv.index('--') + 1])
# The run's secret mark: text the file makes Blender print cannot pass for our answer.
mark = sys.argv[sys.argv.index('--') + 2]
def answer(obj):
    sys.stdout.write('RAYFARM_RESULT_' + mark + ' ' + json.dumps(obj) + '\n')
    sys.stdout.flush()
def fail(msg):
    sys.stdout.write('RAYFARM_ERROR_' + mark + ' ' + msg.replace('\n', ' ') + '\n')
    sys.stdout.flush()
    os._exit(3)
`;

/** Prints Blender's version and the Cycles devices it can use. */
export const PROBE_PY = String.raw`${PRELUDE}
devices = [{'type': 'CPU', 'name': 'CPU'}]
try:
    prefs = bpy.context.preferences.addons['cycles'].preferences
    for kind in ('CUDA', 'OPTIX', 'HIP', 'ONEAPI', 'METAL'):
        try:
            for d in prefs.get_devices_for_type(kind):
                if d.type != 'CPU':
                    devices.append({'type': d.type, 'name': d.name})
        except Exception:
            pass  # a backend this build does not have
except Exception:
    pass
answer({'version': bpy.app.version_string, 'versionTuple': list(bpy.app.version), 'devices': devices, 'oidn': bool(getattr(bpy.app.build_options, 'openimagedenoise', False))})
`;

/** Reports what the open file holds and every file it points to; changes nothing. */
export const INSPECT_PY = String.raw`${PRELUDE}
s = bpy.context.scene
r = s.render
def users_of(img):
    mats = []
    for m in bpy.data.materials:
        if m.node_tree and any(getattr(n, 'image', None) == img for n in m.node_tree.nodes):
            mats.append(m.name)
    for w in bpy.data.worlds:
        if w.node_tree and any(getattr(n, 'image', None) == img for n in w.node_tree.nodes):
            mats.append('world ' + w.name)
    return mats
files = []
def add(kind, idb, path, packed, used_by=None):
    if not path or path == '<builtin>':
        return
    lib = getattr(idb, 'library', None)
    files.append({'kind': kind, 'name': idb.name, 'path': os.path.normpath(bpy.path.abspath(path, library=lib)),
                  'packed': bool(packed), 'users': idb.users, 'usedBy': used_by or []})
for img in bpy.data.images:
    if img.source in ('FILE', 'SEQUENCE', 'MOVIE', 'TILED'):
        if img.source == 'TILED' and '<UDIM>' in img.filepath:
            for t in img.tiles:
                add('image', img, img.filepath.replace('<UDIM>', str(t.number)), img.packed_file, users_of(img))
        else:
            add('image', img, img.filepath, img.packed_file, users_of(img))
for lib in bpy.data.libraries:
    add('library', lib, lib.filepath, lib.packed_file)
for f in bpy.data.fonts:
    add('font', f, f.filepath, f.packed_file)
for snd in bpy.data.sounds:
    add('sound', snd, snd.filepath, snd.packed_file)
for clip in bpy.data.movieclips:
    add('movie', clip, clip.filepath, False)
for v in bpy.data.volumes:
    add('volume', v, v.filepath, v.packed_file)
for c in bpy.data.cache_files:
    add('cache', c, c.filepath, False)
sims = []
def point_cache(obj, what, pc):
    if pc is None:
        return
    sims.append({'object': obj.name, 'kind': what, 'baked': bool(pc.is_baked), 'diskCache': bool(pc.use_disk_cache or pc.use_external)})
for ob in s.objects:
    for m in ob.modifiers:
        if m.type in ('CLOTH', 'SOFT_BODY'):
            point_cache(ob, m.type.lower().replace('_', ' '), m.point_cache)
        elif m.type == 'PARTICLE_SYSTEM':
            ps = m.particle_system
            if ps.settings.type == 'EMITTER' or ps.settings.use_hair_dynamics:
                point_cache(ob, 'particles', ps.point_cache)
        elif m.type == 'DYNAMIC_PAINT' and m.canvas_settings:
            for surf in m.canvas_settings.canvas_surfaces:
                point_cache(ob, 'dynamic paint', surf.point_cache)
        elif m.type == 'FLUID' and m.fluid_type == 'DOMAIN':
            sims.append({'object': ob.name, 'kind': 'fluid', 'baked': False, 'diskCache': True})
if s.rigidbody_world and s.rigidbody_world.enabled:
    point_cache(s, 'rigid body', s.rigidbody_world.point_cache)
scripts = []
for t in bpy.data.texts:
    if t.use_module:
        scripts.append('the text block "%s" is registered to run when the file opens' % t.name)
def drivers_of(idb, label):
    ad = getattr(idb, 'animation_data', None)
    if not ad:
        return
    for d in ad.drivers:
        if d.driver.type == 'SCRIPTED' and not d.driver.is_simple_expression:
            scripts.append('a driver on %s (%s) runs the Python expression "%s"' % (label, d.data_path, d.driver.expression))
for coll, label in ((bpy.data.objects, 'object'), (bpy.data.materials, 'material'), (bpy.data.meshes, 'mesh'),
                    (bpy.data.shape_keys, 'shape keys'), (bpy.data.node_groups, 'node group'), (bpy.data.scenes, 'scene'),
                    (bpy.data.worlds, 'world'), (bpy.data.cameras, 'camera'), (bpy.data.lights, 'light'), (bpy.data.armatures, 'armature')):
    for idb in coll:
        drivers_of(idb, '%s "%s"' % (label, idb.name))
        nt = getattr(idb, 'node_tree', None)
        if nt is not None:
            drivers_of(nt, '%s "%s" nodes' % (label, idb.name))
osl = [m.name for m in bpy.data.materials if m.node_tree and any(n.bl_idname == 'ShaderNodeScript' for n in m.node_tree.nodes)]
cyc = getattr(s, 'cycles', None)
scale = r.resolution_percentage / 100.0
answer({
    'blenderVersion': bpy.app.version_string,
    'savedWith': '%d.%d' % tuple(bpy.data.version[:2]),
    'scene': s.name,
    'scenes': [x.name for x in bpy.data.scenes],
    'engine': r.engine,
    'frameStart': s.frame_start, 'frameEnd': s.frame_end, 'frameStep': s.frame_step,
    'fps': r.fps / r.fps_base,
    'resolutionX': r.resolution_x, 'resolutionY': r.resolution_y, 'resolutionPercentage': r.resolution_percentage,
    'width': int(r.resolution_x * scale), 'height': int(r.resolution_y * scale),
    'samples': cyc.samples if cyc else 0,
    'adaptiveSampling': bool(cyc.use_adaptive_sampling) if cyc else False,
    'denoising': bool(cyc.use_denoising) if cyc else False,
    'timeLimit': float(cyc.time_limit) if cyc else 0.0,
    'animatedSeed': bool(cyc.use_animated_seed) if cyc else False,
    'seed': int(cyc.seed) if cyc else 0,
    'cameras': [o.name for o in s.objects if o.type == 'CAMERA'],
    'camera': s.camera.name if s.camera else None,
    'outputFormat': r.image_settings.file_format,
    'colorDepth': r.image_settings.color_depth,
    'viewTransform': s.view_settings.view_transform,
    'compositing': bool(r.use_compositing and s.use_nodes),
    'externalFiles': files,
    'simulations': sims,
    'scripts': scripts,
    'oslMaterials': osl,
    'shadingSystem': bool(cyc.shading_system) if cyc else False,
})
`;

/** Packs every external file into the open file, makes linked data local, saves a copy. */
export const PACK_PY = String.raw`${PRELUDE}
# Linked data becomes the file's own, so the package needs no other .blend.
for coll in (bpy.data.objects, bpy.data.meshes, bpy.data.materials, bpy.data.node_groups, bpy.data.images,
             bpy.data.collections, bpy.data.worlds, bpy.data.cameras, bpy.data.lights, bpy.data.actions,
             bpy.data.textures, bpy.data.curves, bpy.data.armatures, bpy.data.fonts):
    for idb in list(coll):
        if idb.library is not None:
            try:
                idb.make_local()
            except Exception as e:
                fail('the linked data "%s" from %s could not be made local: %s' % (idb.name, idb.library.filepath, e))
for lib in list(bpy.data.libraries):
    if lib.users == 0:
        bpy.data.libraries.remove(lib)
if len(bpy.data.libraries) > 0:
    bpy.ops.file.pack_libraries()
try:
    bpy.ops.file.pack_all()
except Exception as e:
    fail('Blender could not pack the scene\'s files: %s' % e)
for img in bpy.data.images:
    if img.source in ('FILE', 'TILED') and not img.packed_file and img.users > 0:
        fail('the image "%s" (%s) could not be packed into the file' % (img.name, img.filepath))
# The creator's folder names are nobody else's business and would change the package's bytes.
for idb in list(bpy.data.images) + list(bpy.data.fonts) + list(bpy.data.sounds) + list(bpy.data.volumes):
    if getattr(idb, 'packed_file', None) and getattr(idb, 'filepath', '') and idb.filepath != '<builtin>':
        idb.filepath_raw = '//packed/' + os.path.basename(bpy.path.abspath(idb.filepath))
bpy.ops.wm.save_as_mainfile(filepath=cfg['out'], compress=False, relative_remap=False, copy=True)
answer({'bytes': os.path.getsize(cfg['out'])})
`;

/**
 * Renders regions of one frame: the spec's size, samples and seed, nothing left to chance (no animated
 * seed, no time limit, no adaptive sampling, no denoising); each region is a border render
 * cropped to it, written as float EXR and read back as raw float32 RGBA (rows bottom-up).
 */
export const RENDER_PY = String.raw`${PRELUDE}
import array, time
s = bpy.context.scene
if s.render.engine != 'CYCLES':
    fail('the scene renders with %s, not Cycles' % s.render.engine)
c = s.cycles
dev = cfg.get('device', 'CPU')
if dev == 'CPU':
    c.device = 'CPU'
else:
    prefs = bpy.context.preferences.addons['cycles'].preferences
    prefs.compute_device_type = dev
    prefs.get_devices_for_type(dev)
    for d in prefs.devices:
        d.use = d.type == dev
    c.device = 'GPU'
c.seed = cfg['seed']
c.use_animated_seed = False
c.time_limit = 0
c.use_adaptive_sampling = False
c.use_denoising = False
c.samples = cfg['spp']
r = s.render
r.resolution_x = cfg['width']
r.resolution_y = cfg['height']
r.resolution_percentage = 100
# The verifier's patches are many renders of one frame: keep the synced scene and its BVH between
# them (measured: the same pixels, 320 regions in 3.8 s instead of 13.4 s).
r.use_persistent_data = True
if cfg.get('threads'):
    r.threads_mode = 'FIXED'
    r.threads = cfg['threads']
if cfg.get('tileSize'):
    c.use_auto_tile = True
    c.tile_size = cfg['tileSize']
W, H = cfg['width'], cfg['height']
r.use_border = True
r.use_crop_to_border = True
r.use_compositing = False
r.use_sequencer = False
im = r.image_settings
im.file_format = 'OPEN_EXR'
im.color_depth = '32'
im.exr_codec = 'ZIP'
im.color_mode = 'RGBA'
s.frame_set(cfg['frame'])
# Several regions (the verifier's patches) share one start-up and one scene load. Each
# region's render is timed (the estimate's probes tell Blender's start-up from the render).
times = []
for i, (x, y, w, h) in enumerate(cfg['rects']):
    # Blender's border is a fraction of the frame measured from the bottom-left corner, kept
    # as a 32-bit float and truncated back to pixels: a quarter pixel in keeps a 119/120 that
    # comes back as 118.9999 on pixel 119.
    r.border_min_x = (x + 0.25) / W
    r.border_max_x = (x + w + 0.25) / W
    r.border_min_y = (H - y - h + 0.25) / H
    r.border_max_y = (H - y + 0.25) / H
    out = '%s.%d' % (cfg['out'], i)
    exr = out + '.exr'
    r.filepath = exr
    t0 = time.perf_counter()
    bpy.ops.render.render(write_still=True)
    times.append(time.perf_counter() - t0)
    img = bpy.data.images.load(exr)
    iw, ih = img.size
    if (iw, ih) != (w, h):
        fail('Blender rendered %dx%d pixels for a %dx%d region' % (iw, ih, w, h))
    buf = array.array('f', bytes(4 * iw * ih * 4))
    img.pixels.foreach_get(buf)
    bpy.data.images.remove(img)
    with open(out, 'wb') as f:
        f.write(buf.tobytes())
    os.remove(exr)
answer({'regions': len(cfg['rects']), 'renderSeconds': times})
`;
