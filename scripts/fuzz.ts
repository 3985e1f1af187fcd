/**
 * `npm run fuzz [-- --inputs N --seed S --hang-ms MS]`: a seeded, bounded fuzzer over the
 * glTF import and check, every protocol message decoder, every API call's input and the
 * HTTP paths. Prints one JSON line `{inputs, crashes, hangs, seconds}`; each failing input
 * is stored under test/fixtures/fuzz/ and replayed by test/scripts/fuzz.test.ts.
 */
import '../main/core/polyfills';
import { parseArgs } from 'node:util';
import { fuzz } from './fuzz/fuzz-run';
import { allTargets } from './fuzz/targets';

const { values } = parseArgs({
  options: {
    inputs: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '14' },
    'hang-ms': { type: 'string', default: '5000' },
  },
});
const summary = await fuzz(allTargets(), {
  inputs: Number(values.inputs),
  seed: Number(values.seed),
  hangMs: Number(values['hang-ms']),
  log: (l) => process.stderr.write(`${l}\n`),
});
const { findings: _findings, ...line } = summary;
process.stdout.write(`${JSON.stringify(line)}\n`);
process.exit(0);
