import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { validateJobSpec } from '../../../shared/job-spec';
import { packSceneArg } from './scene-input';
import { RayfarmError } from '../../core/errors';
import { startRayfarmNode } from '../../core/node/start-node';
import type { RayfarmNode } from '../../core/node/start-node';
import { openStore, resolveDataDir, sha256Hex } from '../../core/store';
import { parseCommand } from '../options';
import type { BlenderInstall } from '../../core/blender';
import { requireDenoiser } from '../../core/blender/denoise';
import { denoiseJobFrames, frameList } from './denoise-job';
import { blendJobSpec, isBlendPath, prepareBlend, requireBlender } from '../../core/scene/blend-prepare';
import type { PreparedBlend } from '../../core/scene/blend-prepare';
import { parseFrames } from './render';
import { netConfigFrom, netOptions, netOptionsHelp } from './net-options';
import { paidOptions, paidOptionsHelp, paidSubmit } from './paid';

export const submitHelp = `rayfarm submit <scene|file.blend> --out DIR [options]

Offers a render job to the network as a creator, shows progress, writes the frames into
DIR as results arrive, and exits 0 when all are done, printing a final JSON line
{jobId, tasks, frames, outDir, seconds}. Run it again with the same data folder after it
was stopped and it resumes the job.

  --frames A-B[:S]   frames to render (default 0)
  --spp N            samples per pixel (default 64)
  --width W --height H   frame size (default 640 × 360)
  --tiles N | NxM    split each frame into tiles (default 1)
  --format F         png8 | png16 | exr-half | exr-float (default png8)
  --local            also render on this machine
  --blender PATH     the Blender that checks, packs and verifies a .blend (default: on the PATH)
  --denoise          a .blend: once verified, each frame is also denoised with this machine's
                     Blender into OUT/denoised/ (refused, saying why, without OpenImageDenoise)
  --lease-seconds N  how long an operator may go silent before its task is re-leased (default 60)
  --grace-seconds N  how long a disconnected operator keeps its tasks (default 10)
${netOptionsHelp}
${paidOptionsHelp}

With --chain (and no --studio-key) the job is paid through the escrow: the final JSON line
adds {paid, fee, refunded, rejected} (token amounts in the smallest unit, decimal strings).`;

/** Checks and packs a .blend with this machine's Blender; undefined (problems printed) when it cannot render. */
async function blendArg(path: string, blender: string | undefined): Promise<{ install: BlenderInstall; prepared: Extract<PreparedBlend, { ok: true }> } | undefined> {
  // The creator verifies Blender results by rendering patches itself: it needs the same Blender.
  const install = await requireBlender(blender);
  const prepared = await prepareBlend(install, resolve(path));
  if (!prepared.ok) {
    console.error(`${path} cannot be rendered:`);
    for (const p of prepared.problems) console.error(`  ${p.severity}  ${p.message}`);
    return undefined;
  }
  for (const p of prepared.problems) console.error(`rayfarm submit: warning: ${p.message}`);
  return { install, prepared };
}

function num(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new RayfarmError('CLI_BAD_ARGS', `--${name} must be a whole number, not "${v}".`);
  return n;
}

function tiles(v: string | undefined): { x: number; y: number } {
  if (v === undefined) return { x: 1, y: 1 };
  const m = /^(\d+)(?:x(\d+))?$/i.exec(v.trim());
  if (!m) throw new RayfarmError('CLI_BAD_ARGS', `--tiles takes N or NxM, not "${v}".`);
  return { x: Number(m[1]), y: Number(m[2] ?? m[1]) };
}

/** `rayfarm submit`: a creator from the command line. */
export async function submitCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, {
    ...netOptions,
    ...paidOptions,
    out: { type: 'string' },
    frames: { type: 'string' },
    spp: { type: 'string' },
    width: { type: 'string' },
    height: { type: 'string' },
    tiles: { type: 'string' },
    format: { type: 'string' },
    local: { type: 'boolean', default: false },
    blender: { type: 'string' },
    denoise: { type: 'boolean', default: false },
    'lease-seconds': { type: 'string' },
    'grace-seconds': { type: 'string' },
  });
  if (args.bool('help')) {
    console.log(submitHelp);
    return 0;
  }
  if (args.positionals.length !== 1 || !args.str('out')) throw new RayfarmError('CLI_BAD_ARGS', `rayfarm submit needs a scene and --out DIR.\n\n${submitHelp}`);
  const blend = isBlendPath(args.positionals[0]!) ? await blendArg(args.positionals[0]!, args.str('blender')) : null;
  if (blend === undefined) return 1;
  if (args.bool('denoise')) {
    if (!blend) throw new RayfarmError('CLI_BAD_ARGS', "--denoise is for .blend files (Blender's OpenImageDenoise); the built-in engine does not denoise.");
    // Refused before anything is paid or rendered when this Blender cannot denoise.
    requireDenoiser(blend.install);
  }
  const packed = blend ? null : await packSceneArg(args.positionals[0]!);
  if (!blend && !packed) return 1;
  const glb = blend ? blend.prepared.blend : packed!.glb;
  const store = openStore(resolveDataDir(args.str('data-dir')));
  let node: RayfarmNode | undefined;
  try {
    const sceneId = store.blobs.put(glb);
    const opt = (name: string) => (args.str(name) === undefined ? {} : { [name]: num(name, args.str(name), 0) });
    const checked = blend
      ? // A .blend's frames, size and samples are the file's own unless given.
        { ok: true as const, spec: blendJobSpec(sceneId, blend.prepared.engine, blend.prepared.summary, { ...opt('width'), ...opt('height'), ...opt('spp'), ...(args.str('frames') === undefined ? {} : { frames: parseFrames(args.str('frames')) }), tiles: tiles(args.str('tiles')), format: args.str('format') ?? 'png8' }) }
      : validateJobSpec({
          sceneId,
          width: num('width', args.str('width'), 640),
          height: num('height', args.str('height'), 360),
          spp: num('spp', args.str('spp'), 64),
          frames: parseFrames(args.str('frames')),
          tiles: tiles(args.str('tiles')),
          output: args.str('format') ?? 'png8',
        });
    if (!checked.ok) throw new RayfarmError('CLI_BAD_ARGS', checked.message);
    const outDir = resolve(args.str('out')!);
    mkdirSync(outDir, { recursive: true });
    const leaseS = num('lease-seconds', args.str('lease-seconds'), 60);
    const graceS = num('grace-seconds', args.str('grace-seconds'), 10);
    const nodeOptions = { net: netConfigFrom(args), render: args.bool('local'), dispatcher: { leaseMs: leaseS * 1000, disconnectGraceMs: graceS * 1000 } };
    if ((args.str('chain') || args.str('network')) && !args.str('studio-key')) {
      return await paidSubmit(args, store, { spec: checked.spec, ...(packed ? { doc: packed.doc } : {}), ...(blend ? { blender: blend.install, denoise: args.bool('denoise') } : {}), outDir, sceneBytes: glb.byteLength, node: nodeOptions });
    }
    node = await startRayfarmNode({ store, ...nodeOptions, ...(blend ? { blender: blend.install } : {}), log: (l) => console.error(l) });
    const svc = node.net;
    const started = performance.now();
    // The same scene, spec and output folder make the same job: running the command again
    // after it was stopped resumes that job instead of rendering everything anew.
    const id = `job-${sha256Hex(new TextEncoder().encode(JSON.stringify([checked.spec, outDir]))).slice(0, 20)}`;
    const existing = svc.dispatcher.job(id);
    const job = existing ? existing.progress : svc.submit({ id, spec: checked.spec, outDir });
    if (existing) svc.output.catchUp();
    console.error(`rayfarm submit: job ${job.id} ${existing ? 'resumed' : 'offered'} as ${svc.stack.node.peerId}: ${job.tasks} tasks (${job.done} done); waiting for operators…`);
    let last = '';
    let lastChange = performance.now();
    // Say so when nobody works on the job, rather than wait in silence.
    const quiet = setInterval(() => {
      const p = svc.dispatcher.job(job.id)?.progress;
      if (!p || p.state !== 'active' || p.leased > 0 || performance.now() - lastChange < 15_000) return;
      lastChange = performance.now();
      const peers = [...svc.stack.node.peers.values()].filter((x) => x.connected).length;
      console.error(
        `rayfarm submit: no operator is rendering this job (${peers} peer${peers === 1 ? '' : 's'} connected). Start \`rayfarm node\` on a machine of this network, pass --bootstrap ADDR, or add --local to render here.`,
      );
    }, 5000);
    quiet.unref();
    const progress = await svc.waitForJob(job.id, (p) => {
      const line = `${p.done}/${p.tasks} tasks done, ${p.leased} rendering${p.failed ? `, ${p.failed} failed` : ''}${p.waiting ? ` (${p.waiting})` : ''}`;
      if (line !== last) {
        console.error(`rayfarm submit: ${line}`);
        lastChange = performance.now();
      }
      last = line;
    });
    clearInterval(quiet);
    // The last frame is written as its last result is accepted; wait for every file.
    const frames = frameList(svc, job.id).length;
    const written = await new Promise<number>((resolveWritten) => {
      const check = () => svc.output.framesWritten(job.id);
      if (progress.failed > 0 || check() >= frames) return resolveWritten(check());
      const off = svc.output.onFrame(() => {
        if (check() >= frames) {
          off();
          resolveWritten(check());
        }
      });
    });
    const denoised = blend && args.bool('denoise') ? await denoiseJobFrames(svc.output, { id: job.id, spec: checked.spec, frames: frameList(svc, job.id), outDir }, blend.install, (l) => console.error(l)) : undefined;
    const seconds = Math.round((performance.now() - started) / 10) / 100;
    console.log(JSON.stringify({ jobId: job.id, tasks: progress.tasks, frames: written, outDir, seconds, ...(denoised ? { denoised: denoised.written.length } : {}) }));
    return progress.state === 'done' && written === frames ? 0 : 1;
  } finally {
    await node?.stop();
    store.close();
  }
}
