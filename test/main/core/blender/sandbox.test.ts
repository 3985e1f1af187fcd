import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBlender, findBwrap, inspectBlend, locateBlender, runBlender } from '../../../../main/core/blender';
import type { BlenderInstall } from '../../../../main/core/blender';
import { BASE_SCENE_PY, blenderPath, makeBlend, sayIfNoBlender } from '../../../helpers/blender';
import { waitFor } from '../../../helpers/wait';

sayIfNoBlender('Blender sandbox tests');
const root = mkdtempSync(join(tmpdir(), 'rayfarm-blender-sandbox-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dir(name: string): string {
  const d = join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
}

const PRELUDE = "import bpy, json, os, sys, socket, time\ncfg = json.loads(sys.argv[sys.argv.index('--') + 1])\nmark = sys.argv[sys.argv.index('--') + 2]\n";

describe.skipIf(!blenderPath)('Blender, found and run safely', () => {
  let install: BlenderInstall;
  beforeAll(async () => {
    install = (await findBlender())!;
  });

  it('finds Blender on the PATH and reports its version and the CPU device', () => {
    expect(install.version).toMatch(/^\d+\.\d+/);
    expect(install.majorMinor).toMatch(/^\d+\.\d+$/);
    expect(install.devices[0]).toEqual({ type: 'CPU', name: 'CPU' });
    expect(install.sandbox).toBe(findBwrap() ? 'bwrap' : 'none');
  });

  it('a given path that is not Blender is a sentence, not a crash', () => {
    expect(() => locateBlender(join(root, 'no-such-blender'))).toThrow(/There is no Blender at/);
  });

  it('a .blend that registers a script to run on load does not run it', async () => {
    const d = dir('autoexec');
    const marker = join(d, 'pwned');
    const file = join(d, 'evil.blend');
    makeBlend(file, `${BASE_SCENE_PY}\nt = bpy.data.texts.new('boot.py')\nt.write(${JSON.stringify(`open(${JSON.stringify(marker)}, 'w').write('ran')\n`)})\nt.use_module = True\n`);
    expect(existsSync(marker)).toBe(false);
    // Sandboxed and not: auto-run is off either way.
    for (const sandbox of [true, false]) {
      const { info } = await inspectBlend(install, file, { sandbox });
      expect(info.scripts.join(' ')).toMatch(/boot\.py/);
      expect(existsSync(marker)).toBe(false);
    }
  });

  it('an answer line without the run\'s secret mark (printed by the file, say) is ignored', async () => {
    const work = dir('forged');
    const script = `${PRELUDE}print('RAYFARM_RESULT {"forged": 1}')\nprint('RAYFARM_RESULT_0000 {"forged": 2}')\nprint('RAYFARM_RESULT_' + mark + ' {"real": true}')\nprint('RAYFARM_RESULT_deadbeef {"forged": 3}')\n`;
    const r = await runBlender({ blender: install.path, script, config: {}, readOnly: [], writable: work, timeoutMs: 60_000, memoryBytes: 4 * 2 ** 30 });
    expect(r.result).toEqual({ real: true });
  });

  it('a render past its time limit is stopped and reported', async () => {
    const work = dir('slow');
    const started = Date.now();
    const run = runBlender({ blender: install.path, script: `${PRELUDE}time.sleep(120)\n`, config: {}, readOnly: [], writable: work, timeoutMs: 4000, memoryBytes: 4 * 2 ** 30 });
    await expect(run).rejects.toMatchObject({ code: 'BLENDER_TIMEOUT', message: expect.stringMatching(/time limit of 4 s/) });
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('a cancelled render stops at once (the operator\'s person came back)', async () => {
    const work = dir('cancel');
    const ac = new AbortController();
    const run = runBlender({ blender: install.path, script: `${PRELUDE}open(os.path.join(cfg['work'], 'started'), 'w').write('1')\ntime.sleep(120)\n`, config: { work }, readOnly: [], writable: work, timeoutMs: 120_000, memoryBytes: 4 * 2 ** 30, signal: ac.signal });
    await waitFor(() => existsSync(join(work, 'started')), 60_000, 'Blender to start the script');
    ac.abort();
    await expect(run).rejects.toMatchObject({ code: 'BLENDER_CANCELLED' });
  });

  it('a run that asks for more memory than its limit is stopped and reported', async () => {
    const work = dir('greedy');
    const run = runBlender({ blender: install.path, script: `${PRELUDE}x = bytearray(3 * 1024 ** 3)\nprint('RAYFARM_RESULT_' + mark + ' {}')\n`, config: {}, readOnly: [], writable: work, timeoutMs: 60_000, memoryBytes: 1.5 * 2 ** 30 });
    await expect(run).rejects.toMatchObject({ code: 'BLENDER_OUT_OF_MEMORY' });
  });

  it.skipIf(!findBwrap())('inside bubblewrap Blender sees only its files, writes only its folder and has no network', async () => {
    const secretDir = dir('secret');
    const secret = join(secretDir, 'wallet.json');
    writeFileSync(secret, '{"key":"do not read"}');
    const allowedDir = dir('allowed');
    const allowed = join(allowedDir, 'in.txt');
    writeFileSync(allowed, 'hello');
    const work = dir('work');
    const server = createServer((s) => s.end('hi'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const script = `${PRELUDE}
def tryit(f):
    try:
        f()
        return True
    except Exception:
        return False
res = {
  'readAllowed': tryit(lambda: open(cfg['allowed']).read()),
  'readSecret': tryit(lambda: open(cfg['secret']).read()),
  'writeAllowedDir': tryit(lambda: open(cfg['allowed'] + '.w', 'w').write('x')),
  'writeSecretDir': tryit(lambda: open(cfg['secret'] + '.w', 'w').write('x')),
  'writeWork': tryit(lambda: open(os.path.join(cfg['work'], 'out'), 'w').write('x')),
  'network': tryit(lambda: socket.create_connection(('127.0.0.1', cfg['port']), timeout=3)),
  'home': tryit(lambda: os.listdir(os.path.expanduser('~root'))) and len(os.listdir(os.path.expanduser('~root'))) > 0,
}
print('RAYFARM_RESULT_' + mark + ' ' + json.dumps(res))
`;
      const r = await runBlender<Record<string, boolean>>({ blender: install.path, script, config: { allowed, secret, work, port }, readOnly: [allowed], writable: work, timeoutMs: 60_000, memoryBytes: 4 * 2 ** 30 });
      expect(r.sandbox).toBe('bwrap');
      // Writes beside a given file may land in the sandbox's own throwaway /tmp: never on disk here.
      const { writeAllowedDir: _ephemeral, ...rest } = r.result;
      expect(rest).toEqual({ readAllowed: true, readSecret: false, writeSecretDir: false, writeWork: true, network: false, home: false });
      expect(existsSync(`${secret}.w`)).toBe(false);
      expect(existsSync(`${allowed}.w`)).toBe(false);
      expect(existsSync(join(work, 'out'))).toBe(true);
    } finally {
      server.close();
    }
  });
});
