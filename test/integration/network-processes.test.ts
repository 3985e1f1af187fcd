import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleScene } from './net-helpers';
import { rayfarm } from './cli-procs';
import type { Proc } from './cli-procs';

const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));
const NET = ['--listen', '/ip4/127.0.0.1/tcp/0', '--no-mdns'];

let procs: Proc[] = [];
let scenePath: string;
let keyFile: string;
let nodeAddrs: string[] = [];

async function startNode(extra: string[] = []): Promise<{ p: Proc; addr: string }> {
  const p = rayfarm(['node', '--data-dir', tmp('rf-pnode-'), ...NET, '--json', '--threads', '1', ...extra]);
  procs.push(p);
  const line = await p.line(/^\{/, 90_000);
  return { p, addr: (JSON.parse(line) as { listenAddrs: string[] }).listenAddrs[0]! };
}

function submit(args: string[], dataDir = tmp('rf-psubmit-')): Proc {
  const p = rayfarm(['submit', scenePath, '--data-dir', dataDir, ...NET, '--width', '32', '--height', '32', '--format', 'exr-float', ...args]);
  procs.push(p);
  return p;
}

async function reference(args: string[]): Promise<string> {
  const out = tmp('rf-pref-');
  const p = rayfarm(['render', scenePath, '--out', out, '--width', '32', '--height', '32', '--format', 'exr-float', ...args]);
  expect(await p.exited).toBe(0);
  return out;
}

function expectSame(outDir: string, refDir: string): void {
  const names = readdirSync(refDir).sort();
  expect(readdirSync(outDir).sort()).toEqual(names);
  for (const n of names) expect(readFileSync(join(outDir, n)).equals(readFileSync(join(refDir, n))), n).toBe(true);
}

beforeAll(async () => {
  const dir = tmp('rf-pscene-');
  scenePath = join(dir, 'animated.glb');
  writeFileSync(scenePath, await sampleScene('animated.glb'));
  keyFile = join(dir, 'farm.key');
  const key = rayfarm(['studio-key', 'new']);
  expect(await key.exited).toBe(0);
  writeFileSync(keyFile, `${key.out.join('\n')}\n`);
  const nodes = await Promise.all([startNode(['--studio-key', keyFile]), startNode(['--studio-key', keyFile])]);
  nodeAddrs = nodes.map((n) => n.addr);
});

afterAll(async () => {
  await Promise.all(procs.map((p) => p.kill('SIGKILL')));
  procs = [];
});

describe('network end to end (separate processes, studio farm)', () => {
  it('a creator and two operators render an 8-frame animation and a tiled still, identical to rayfarm render', async () => {
    const boot = nodeAddrs.flatMap((a) => ['--bootstrap', a]);
    const outA = tmp('rf-pout-');
    const anim = submit(['--out', outA, '--frames', '0-7', '--spp', '2', '--studio-key', keyFile, ...boot]);
    const outB = tmp('rf-pout-');
    const still = submit(['--out', outB, '--frames', '2', '--spp', '2', '--tiles', '2', '--studio-key', keyFile, ...boot]);
    const [lineA, lineB] = await Promise.all([anim.line(/^\{/, 120_000), still.line(/^\{/, 120_000)]);
    expect(await anim.exited).toBe(0);
    expect(await still.exited).toBe(0);
    expect(JSON.parse(lineA)).toMatchObject({ tasks: 8, frames: 8, outDir: outA });
    expect(JSON.parse(lineB)).toMatchObject({ tasks: 4, frames: 1, outDir: outB });
    expectSame(outA, await reference(['--frames', '0-7', '--spp', '2']));
    expectSame(outB, await reference(['--frames', '2', '--spp', '2', '--tiles', '2']));
  });

  it('a node without the studio key cannot join the farm', async () => {
    const outsider = rayfarm(['node', '--data-dir', tmp('rf-poutsider-'), ...NET, '--bootstrap', nodeAddrs[0]!]);
    procs.push(outsider);
    await outsider.line(/listening on/, 90_000);
    const deadline = Date.now() + 30_000;
    while (!/not reachable/.test(outsider.err()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(outsider.err()).toMatch(/bootstrap peer .* not reachable/);
    await outsider.kill();
  });

  it('an operator killed mid-task: its task is re-leased and the job completes', async () => {
    const victim = await startNode(['--studio-key', keyFile]);
    const out = tmp('rf-pout-');
    const boot = [victim.addr, ...nodeAddrs].flatMap((a) => ['--bootstrap', a]);
    const job = submit(['--out', out, '--frames', '0-5', '--spp', '256', '--width', '64', '--height', '64', '--grace-seconds', '1', '--lease-seconds', '5', '--studio-key', keyFile, ...boot]);
    const deadline = Date.now() + 90_000;
    while (!/rendering/.test(victim.p.err()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await victim.p.kill('SIGKILL');
    // The victim's leases expire and go to the other two operators.
    const line = await job.line(/^\{/, 100_000);
    expect(await job.exited).toBe(0);
    expect(JSON.parse(line)).toMatchObject({ tasks: 6, frames: 6 });
    expect(job.err()).toMatch(/expired/);
  }, 120_000);

  it('a creator killed mid-job and started again resumes the job', async () => {
    const boot = nodeAddrs.flatMap((a) => ['--bootstrap', a]);
    const out = tmp('rf-pout-');
    const dataDir = tmp('rf-psubmit-');
    const args = ['--out', out, '--frames', '0-7', '--spp', '256', '--width', '64', '--height', '64', '--studio-key', keyFile, ...boot];
    const first = submit(args, dataDir);
    const deadline = Date.now() + 90_000;
    while (readdirSync(out).filter((n) => n.endsWith('.exr')).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await first.kill('SIGKILL');
    const before = readdirSync(out).filter((n) => n.endsWith('.exr')).length;
    expect(before).toBeGreaterThanOrEqual(2);
    const again = submit(args, dataDir);
    const line = await again.line(/^\{/, 100_000);
    expect(await again.exited).toBe(0);
    expect(JSON.parse(line)).toMatchObject({ tasks: 8, frames: 8 });
    expect(again.err()).toMatch(/resumed/);
    expect(readdirSync(out).filter((n) => n.endsWith('.exr'))).toHaveLength(8);
  }, 120_000);
});
