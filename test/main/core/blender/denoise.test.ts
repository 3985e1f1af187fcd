import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBlender } from '../../../../main/core/blender';
import type { BlenderInstall } from '../../../../main/core/blender';
import { denoiseFrame, requireDenoiser } from '../../../../main/core/blender/denoise';
import { blenderPath, sayIfNoBlender } from '../../../helpers/blender';

const ROOT = resolve(import.meta.dirname, '../../../..');
const without: BlenderInstall = { path: '/usr/bin/blender', version: '3.4.1', majorMinor: '3.4', devices: [{ type: 'CPU', name: 'CPU' }], denoiser: false, sandbox: 'bwrap' };

describe('denoising with a Blender built without OpenImageDenoise', () => {
  it('is refused in words before anything runs', async () => {
    expect(() => requireDenoiser(without)).toThrow(/Denoising is not available: this Blender was built without OpenImageDenoise \(Blender 3\.4\.1 at \/usr\/bin\/blender\)/);
    // Not even started: the path is never run.
    await expect(denoiseFrame({ ...without, path: '/nonexistent/blender' }, new Uint8Array(0), 16, 16)).rejects.toMatchObject({ code: 'BLENDER_NO_DENOISER' });
    expect(() => requireDenoiser({ ...without, denoiser: true })).not.toThrow();
  });
});

sayIfNoBlender('the CLI denoise refusal test');

describe.skipIf(!blenderPath)('rayfarm render FILE.blend --denoise with this machine\'s Blender', () => {
  it('says in words that this Blender cannot denoise, and renders nothing', async () => {
    const install = (await findBlender())!;
    if (install.denoiser) {
      console.log(`blender ${install.version} has OpenImageDenoise: the refusal is not what happens here (skipped)`);
      return;
    }
    const out = mkdtempSync(join(tmpdir(), 'rayfarm-denoise-cli-'));
    try {
      const r = spawnSync(process.execPath, [join(ROOT, 'bin/rayfarm.mjs'), 'render', join(out, 'never-read.blend'), '--out', out, '--denoise'], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/this Blender was built without OpenImageDenoise/);
      expect(r.stderr).not.toMatch(/rendering frame/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
