import { runBench } from '../../core/engine/benchmark';
import { RayfarmError } from '../../core/errors';
import { parseCommand } from '../options';
import { runCyclesBenchmark } from '../../core/blender';
import { requireBlender } from '../../core/scene/blend-prepare';

export const benchHelp = `rayfarm bench [--json] [--backend cpu|cuda] [--threads N] [--quick]
rayfarm bench --cycles [--blender PATH] [--json]

Runs the engine's built-in benchmark on each device and prints its score. The score is
proportional to path samples per second: 100 = 1,000,000 samples/s on the built-in scene
(256×256, 16 spp, 8 bounces); one bench-hour is one hour of a device scoring 100.
--cycles runs the Cycles benchmark with Blender instead (a short fixed CPU render, sandboxed),
the score that prices Blender work; only the CPU is measured.`;

function threadsOf(arg: string | undefined): number | undefined {
  const threads = arg === undefined ? undefined : Number(arg);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 1024)) throw new RayfarmError('CLI_BAD_ARGS', '--threads must be a whole number from 1 to 1024.');
  return threads;
}

/** `rayfarm bench`: the score that bench-hour pricing is measured in. */
export async function benchCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { backend: { type: 'string' }, threads: { type: 'string' }, quick: { type: 'boolean', default: false }, cycles: { type: 'boolean', default: false }, blender: { type: 'string' } }, false);
  if (args.bool('help')) {
    console.log(benchHelp);
    return 0;
  }
  if (args.bool('cycles')) {
    const install = await requireBlender(args.str('blender'));
    const b = await runCyclesBenchmark(install, threadsOf(args.str('threads')) ? { threads: threadsOf(args.str('threads'))! } : {});
    const gpus = install.devices.filter((d) => d.type !== 'CPU').map((d) => `${d.type} ${d.name}`);
    if (args.bool('json')) console.log(JSON.stringify({ ...b, devices: install.devices, measured: ['CPU'] }));
    else console.log(`Blender ${install.version} Cycles on the CPU (${b.threads} threads): score ${b.score.toFixed(1)} — ${(b.samplesPerSecond / 1e6).toFixed(2)} M samples/s over ${b.renderSeconds.toFixed(2)} s${gpus.length ? `; not measured: ${gpus.join(', ')}` : ''}`);
    return 0;
  }
  const backend = args.str('backend');
  if (backend !== undefined && backend !== 'cpu' && backend !== 'cuda') throw new RayfarmError('CLI_BAD_ARGS', '--backend must be cpu or cuda.');
  const threads = threadsOf(args.str('threads'));
  const results = await runBench({ ...(backend && { backend }), ...(threads !== undefined && { threads }), quick: args.bool('quick') });
  if (results.length === 0) throw new RayfarmError('ENGINE_NO_DEVICE', backend === 'cuda' ? 'No CUDA device was found on this machine.' : 'No device to benchmark.');
  for (const r of results) {
    if (args.bool('json')) console.log(JSON.stringify(r));
    else console.log(`${r.device} (${r.backend}, ${r.threads} threads): score ${r.score.toFixed(1)} — ${(r.samplesPerSecond / 1e6).toFixed(2)} M samples/s over ${r.seconds.toFixed(2)} s`);
  }
  return 0;
}
