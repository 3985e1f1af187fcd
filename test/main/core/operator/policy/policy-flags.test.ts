import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../../../main/cli/options';
import { parsePolicyFlags, parseFarmToml, policyFlagOptions, readPolicyFile } from '../../../../../main/core/operator/policy/policy-flags';
import { tempDataDir } from '../../../../helpers/headless';

const flags = (...argv: string[]) => parsePolicyFlags(parseCommand(argv, policyFlagOptions, false));

function file(name: string, text: string): string {
  const p = join(tempDataDir(), name);
  writeFileSync(p, text);
  return p;
}

describe('policy flags and config file', () => {
  it('turns the headless flags into policy fields', () => {
    expect(flags('--idle-only', '--idle-minutes', '10', '--schedule', 'mon-fri 22:00-07:00', '--max-threads', '4')).toEqual({
      idleOnly: true,
      idleMinutes: 10,
      schedule: 'mon-fri 22:00-07:00',
      maxThreads: 4,
    });
    expect(flags('--always', '--on-battery', '--gpu-share', '50')).toEqual({ idleOnly: false, onBattery: true, gpuShare: 50 });
    expect(flags()).toEqual({});
  });

  it.each([
    [['--max-threads', 'lots'], /--max-threads must be a whole number/],
    [['--max-threads', '0'], /--max-threads: .*>=1/],
    [['--gpu-share', '5'], /--gpu-share/],
    [['--schedule', 'mon-fri 22-07'], /--schedule: .*not valid/],
    [['--idle-only', '--always'], /contradict/],
    [['--idle-minutse', '3'], /Unknown option/],
  ])('rejects %j with a clear message', (argv, msg) => {
    expect(() => flags(...argv)).toThrow(msg);
  });

  it('reads a TOML file with comments, a section and snake_case keys', () => {
    const p = file(
      'farm.toml',
      `# Studio render boxes
[operator]
idle-only = false   # render whenever there is work
schedule = "mon-fri 19:00-08:00; sat,sun 00:00-24:00"
max_threads = 12
gpu-share = 80
on-battery = false
`,
    );
    expect(readPolicyFile(p)).toEqual({ idleOnly: false, schedule: 'mon-fri 19:00-08:00; sat,sun 00:00-24:00', maxThreads: 12, gpuShare: 80, onBattery: false });
  });

  it('reads JSON, bare or under "operator", and lets flags win over the file', () => {
    const p = file('farm.json', JSON.stringify({ operator: { 'idle-only': true, 'idle-minutes': 20, 'max-threads': 8 } }));
    expect(readPolicyFile(p)).toEqual({ idleOnly: true, idleMinutes: 20, maxThreads: 8 });
    expect(flags('--config', p, '--max-threads', '2')).toEqual({ idleOnly: true, idleMinutes: 20, maxThreads: 2 });
  });

  it.each([
    ['unknown key', 'idle-minuets = 5\n', /unknown key idle-minuets \(known: idle-only/],
    ['wrong type', 'idle-minutes = "five"\n', /idle-minutes: .*number/],
    ['bad line', 'idle-only\n', /x\.toml:1:10: this is not valid TOML \(illegal character in key\)/],
    ['bad value', 'schedule = mon-fri\n', /x\.toml:1:12: this is not valid TOML \(invalid value\)/],
    ['table inside [operator]', 'idle-only = true\n[operator.x]\na = 1\n', /unknown key x \(known:/],
    ['bad schedule', 'schedule = "mon-fri 25:00-07:00"\n', /not a time of day/],
    ['bad section', '[wallet]\n', /unknown section \[wallet\]/],
    ['bad JSON', '{ "idle-only": tru }', /not valid JSON/],
  ])('explains a file with a %s', (_what, text, msg) => {
    const p = file(text.startsWith('{') ? 'x.json' : 'x.toml', text);
    expect(() => readPolicyFile(p)).toThrow(msg);
  });

  it('reads the file named by RAYFARM_CONFIG when no --config is given', () => {
    const p = file('studio.toml', 'schedule = "mon-fri 19:00-08:00"\n');
    const args = parseCommand([], policyFlagOptions, false);
    expect(parsePolicyFlags(args, { RAYFARM_CONFIG: p })).toEqual({ schedule: 'mon-fri 19:00-08:00' });
    expect(parsePolicyFlags(args, {})).toEqual({});
  });

  it('names a missing file', () => {
    expect(() => readPolicyFile('/nonexistent/farm.toml')).toThrow(/Cannot read the config file \/nonexistent\/farm.toml/);
  });

  it('parses TOML values, keys before and under [operator] together', () => {
    expect(parseFarmToml('a = 1\nb = "x \\" y"\n[operator]\nc = true\nd = \'z\'')).toEqual({ a: 1, b: 'x " y', c: true, d: 'z' });
  });
});
