import { resolve } from 'node:path';
import { splitJob, validateJobSpec } from '../../../shared/job-spec';
import { stitch, writeFrame } from '../../core/output/assembler';
import type { TilePixels } from '../../core/output/assembler';
import { packSceneArg } from './scene-input';
import { nativeEngine, SceneRenderer } from '../../core/render/render-task';
import { RayfarmError } from '../../core/errors';
import { readGlb } from '../../core/engine/gltf-io';
import { sha256Hex } from '../../core/store';
import { parseCommand } from '../options';
import { isBlendPath } from '../../core/scene/blend-prepare';

export const renderHelp = `rayfarm render <scene> --out DIR [options]

Renders a scene on this machine with the native engine (a .blend: with Blender's Cycles,
sandboxed; frames, size and samples default to the file's own) and writes
frame-NNNN.png/.exr into DIR. Frames are produced exactly as network renders are (same packaging, same task
split, same seeds), so this is the reference they are compared with.

  --frames A-B[:S]   frames A to B, every S-th (default 0)
  --spp N            samples per pixel (default 64)
  --width W          (default 640)      --height H   (default 360)
  --tiles N | NxM    split each frame into N×N (or N×M) tiles (default 1)
  --format F         png8 | png16 | exr-half | exr-float (default png8)
  --camera N|auto    glTF camera index, or auto (default)
  --fps N            frames per second of the animation (default 24)
  --seed N           (default 1)        --bounces N  (default 8)
  --threads N        worker threads (default: all cores)
  --blender PATH     the Blender to use for a .blend (default: blender on the PATH)
  --denoise          a .blend: denoise each frame with Blender's OpenImageDenoise (refused,
                     saying why, when this Blender was built without it)
  --json             print a JSON result on stdout
Progress goes to stderr.`;

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new RayfarmError('CLI_BAD_ARGS', `--${name} must be a number, not "${v}".`);
  return n;
}

/** Parses `--frames 1-24`, `--frames 5` or `--frames 1-24:2`. */
export function parseFrames(v: string | undefined): { start: number; end: number; step: number } {
  if (v === undefined) return { start: 0, end: 0, step: 1 };
  const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(v.trim());
  if (!m) throw new RayfarmError('CLI_BAD_ARGS', `--frames takes A, A-B or A-B:STEP (e.g. 1-24), not "${v}".`);
  const start = Number(m[1]);
  return { start, end: m[2] === undefined ? start : Number(m[2]), step: m[3] === undefined ? 1 : Number(m[3]) };
}

function parseTiles(v: string | undefined): { x: number; y: number } {
  if (v === undefined) return { x: 1, y: 1 };
  const m = /^(\d+)(?:x(\d+))?$/i.exec(v.trim());
  if (!m) throw new RayfarmError('CLI_BAD_ARGS', `--tiles takes N or NxM (e.g. 4 or 4x2), not "${v}".`);
  return { x: Number(m[1]), y: Number(m[2] ?? m[1]) };
}

/** `rayfarm render`: the local reference render of a scene. */
export async function renderCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, {
    out: { type: 'string' },
    frames: { type: 'string' },
    spp: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    tiles: { type: 'string' },
    format: { type: 'string' },
    camera: { type: 'string' },
    fps: { type: 'string' },
    seed: { type: 'string' },
    bounces: { type: 'string' },
    threads: { type: 'string' },
    blender: { type: 'string' },
    denoise: { type: 'boolean', default: false },
  });
  if (args.bool('help')) {
    console.log(renderHelp);
    return 0;
  }
  if (args.positionals.length !== 1 || !args.str('out')) throw new RayfarmError('CLI_BAD_ARGS', `rayfarm render needs a scene and --out DIR.\n\n${renderHelp}`);
  if (isBlendPath(args.positionals[0]!)) {
    const num = (n: string) => int(n, args.str(n));
    const opt = <T>(k: string, v: T | undefined) => (v === undefined ? {} : { [k]: v });
    return (await import('./render-blend')).renderBlendCommand(args.positionals[0]!, {
      out: args.str('out')!,
      tiles: parseTiles(args.str('tiles')),
      json: args.bool('json'),
      ...opt('frames', args.str('frames') === undefined ? undefined : parseFrames(args.str('frames'))),
      ...opt('spp', num('spp')),
      ...opt('width', num('width')),
      ...opt('height', num('height')),
      ...opt('format', args.str('format')),
      ...opt('seed', num('seed')),
      ...opt('threads', num('threads')),
      ...opt('blender', args.str('blender')),
      denoise: args.bool('denoise'),
    });
  }
  if (args.bool('denoise')) throw new RayfarmError('CLI_BAD_ARGS', '--denoise is for .blend files (Blender\'s OpenImageDenoise); the built-in engine does not denoise.');
  // Render the packaged scene, exactly what operators receive.
  const packed = await packSceneArg(args.positionals[0]!);
  if (!packed) return 1;
  for (const p of packed.warnings) console.error(`rayfarm render: warning: ${p.message}`);
  const glb = packed.glb;
  const sceneId = sha256Hex(glb);
  const doc = await readGlb(glb);
  const cameraArg = args.str('camera') === undefined || args.str('camera') === 'auto' ? 'auto' : int('camera', args.str('camera'));
  const checked = validateJobSpec({
    sceneId,
    camera: cameraArg,
    width: int('width', args.str('width')) ?? 640,
    height: int('height', args.str('height')) ?? 360,
    spp: int('spp', args.str('spp')) ?? 64,
    frames: parseFrames(args.str('frames')),
    tiles: parseTiles(args.str('tiles')),
    output: args.str('format') ?? 'png8',
    ...(args.str('fps') !== undefined && { fps: int('fps', args.str('fps')) }),
    ...(args.str('seed') !== undefined && { seed: int('seed', args.str('seed')) }),
    ...(args.str('bounces') !== undefined && { maxDepth: int('bounces', args.str('bounces')) }),
  });
  if (!checked.ok) throw new RayfarmError('CLI_BAD_ARGS', checked.message);
  const spec = checked.spec;
  const threads = int('threads', args.str('threads'));
  const out = resolve(args.str('out')!);
  const tasks = splitJob(spec);
  const byFrame = new Map<number, typeof tasks>();
  for (const t of tasks) byFrame.set(t.frame, [...(byFrame.get(t.frame) ?? []), t]);
  const renderer = new SceneRenderer(doc, nativeEngine);
  const started = performance.now();
  const written: string[] = [];
  let done = 0;
  let lastProgress = -Infinity;
  try {
    for (const [frame, frameTasks] of byFrame) {
      const tiles: TilePixels[] = [];
      for (const task of frameTasks) {
        const progress = (f: number) => {
          // At most four updates a second: progress is for a person watching, not a log.
          const now = performance.now();
          if (now - lastProgress < 250) return;
          lastProgress = now;
          const text = `rendering frame ${frame} (${written.length + 1}/${byFrame.size})  tile ${tiles.length + 1}/${frameTasks.length}  ${Math.round(((done + f) / tasks.length) * 100)}%`;
          process.stderr.write(process.stderr.isTTY ? `\r${text}   ` : `${text}\n`);
        };
        const r = await renderer.renderTask(spec, task, { ...(threads ? { threads } : {}), onProgress: progress });
        tiles.push({ rect: task.rect, pixels: r.pixels });
        done++;
      }
      written.push(writeFrame(out, frame, stitch(tiles, spec.width, spec.height), spec.width, spec.height, spec.output));
    }
  } finally {
    await renderer.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`${process.stderr.isTTY ? '\r' : ''}rendered ${written.length} frame${written.length === 1 ? '' : 's'} (${tasks.length} task${tasks.length === 1 ? '' : 's'}) in ${seconds.toFixed(1)} s into ${out}\n`);
  if (args.bool('json')) console.log(JSON.stringify({ sceneId, spec, files: written, seconds }));
  return 0;
}
