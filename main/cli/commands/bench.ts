import { runBench } from '../../core/engine/benchmark';
import { RayfarmError } from '../../core/errors';
import { parseCommand } from '../options';

export const benchHelp = `rayfarm bench [--json] [--backend cpu|cuda] [--threads N] [--quick]

Runs the engine's built-in benchmark on each device and prints its score. The score is
proportional to path samples per second: 100 = 1,000,000 samples/s on the built-in scene
(256×256, 16 spp, 8 bounces); one bench-hour is one hour of a device scoring 100.`;

/** `rayfarm bench`: the score that bench-hour pricing is measured in. */
export async function benchCommand(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { backend: { type: 'string' }, threads: { type: 'string' }, quick: { type: 'boolean', default: false } }, false);
  if (args.bool('help')) {
    console.log(benchHelp);
    return 0;
  }
  const backend = args.str('backend');
  if (backend !== undefined && backend !== 'cpu' && backend !== 'cuda') throw new RayfarmError('CLI_BAD_ARGS', '--backend must be cpu or cuda.');
  const threadsArg = args.str('threads');
  const threads = threadsArg === undefined ? undefined : Number(threadsArg);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= 1024)) throw new RayfarmError('CLI_BAD_ARGS', '--threads must be a whole number from 1 to 1024.');
  const results = await runBench({ ...(backend && { backend }), ...(threads !== undefined && { threads }), quick: args.bool('quick') });
  if (results.length === 0) throw new RayfarmError('ENGINE_NO_DEVICE', backend === 'cuda' ? 'No CUDA device was found on this machine.' : 'No device to benchmark.');
  for (const r of results) {
    if (args.bool('json')) console.log(JSON.stringify(r));
    else console.log(`${r.device} (${r.backend}, ${r.threads} threads): score ${r.score.toFixed(1)} — ${(r.samplesPerSecond / 1e6).toFixed(2)} M samples/s over ${r.seconds.toFixed(2)} s`);
  }
  return 0;
}
