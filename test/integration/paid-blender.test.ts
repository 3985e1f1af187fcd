/**
 * A paid Blender job through the real command line: `rayfarm node --chain` (with Blender)
 * renders a .blend submitted by `rayfarm submit --chain`, the creator verifies every result
 * with its own Blender, and the escrow pays the operator exactly.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EscrowClient, TokenClient } from '../../main/core/chain/contracts';
import { feeOf } from '../../shared/pricing';
import type { TestChain } from '../contracts/fixture';
import { ANIMATE_CAMERA_PY, BASE_SCENE_PY, blenderPath, makeBlend, sayIfNoBlender } from '../helpers/blender';
import { waitFor } from './net-helpers';
import { GRACE, paidProcs, startPaidChain } from './paid-procs';

sayIfNoBlender('the paid Blender job test');
let chain: TestChain;
let token: string;
let escrow: string;
let sceneFile: string;
const { rayfarm, walletDir, chainArgs, startOperator, killAll } = paidProcs(() => ({ chain, token, escrow }));

beforeAll(async () => {
  if (!blenderPath) return;
  ({ chain, token, escrow } = await startPaidChain([3]));
  sceneFile = join(mkdtempSync(join(tmpdir(), 'rf-cli-blend-')), 'anim.blend');
  makeBlend(sceneFile, BASE_SCENE_PY + ANIMATE_CAMERA_PY);
}, 120_000);
afterEach(() => {
  killAll();
});
afterAll(async () => {
  await chain?.stop();
});

describe.skipIf(!blenderPath)('a paid Blender job on the dev chain', () => {
  it('funds, renders with Blender, verifies with the creator\'s Blender, pays exactly and closes', async () => {
    const tk = new TokenClient(token, chain.provider);
    const treasury = await new EscrowClient(escrow, chain.provider).treasury();
    const opDir = await walletDir(2);
    const creatorDir = await walletDir(3);
    const before = await Promise.all([tk.balanceOf(chain.accounts[2]!.address), tk.balanceOf(treasury), tk.balanceOf(chain.accounts[3]!.address)]);
    const op = await startOperator(opDir);
    const out = mkdtempSync(join(tmpdir(), 'rf-cli-blend-out-'));
    const sub = rayfarm(['submit', sceneFile, '--out', out, '--data-dir', creatorDir, ...chainArgs(), '--bootstrap', op.addr, '--listen', '/ip4/127.0.0.1/tcp/0', '--frames', '1-4', '--format', 'exr-float', '--bench-hours', '0.01']);
    let chainJobId: string | undefined;
    const logs = new EscrowClient(escrow, chain.provider).contract;
    await waitFor(async () => {
      const evs = await logs.queryFilter(logs.filters.JobOpened!(null, chain.accounts[3]!.address));
      const last = evs[evs.length - 1];
      if (last && 'args' in last) chainJobId = last.args.getValue('jobId') as string;
      return chainJobId;
    }, 90_000, `the job to be funded: ${sub.err.join('\n')}`);
    await waitFor(async () => {
      const j = await new EscrowClient(escrow, chain.provider).getJob(chainJobId!);
      return j.closeRequestedAt > 0 && op.p.out.some((l) => l.startsWith('{"redeemed"'));
    }, 180_000, `the close request and the redemptions: ${sub.err.slice(-10).join('\n')}`);
    await chain.increaseTime(GRACE + 1);
    expect(await sub.exited, sub.err.slice(-20).join('\n')).toBe(0);
    const result = JSON.parse(sub.out[sub.out.length - 1]!) as { paid: string; fee: string; refunded: string; rejected: number; tasks: number; state: string };
    expect(result).toMatchObject({ state: 'closed', tasks: 4, rejected: 0, refunded: '0' });
    expect(readdirSync(out).filter((n) => n.endsWith('.exr')).sort()).toEqual(['frame-0001.exr', 'frame-0002.exr', 'frame-0003.exr', 'frame-0004.exr']);
    // Every task passed proof of render with the creator's own Blender and was paid: exactly once, fee apart.
    expect(op.p.out.filter((l) => / accepted/.test(l))).toHaveLength(4);
    expect(sub.err.join('\n')).not.toMatch(/checking form only/);
    const paid = BigInt(result.paid);
    expect(paid).toBeGreaterThan(0n);
    expect(result.fee).toBe(feeOf(paid, 50).toString());
    const after = await Promise.all([tk.balanceOf(chain.accounts[2]!.address), tk.balanceOf(treasury), tk.balanceOf(chain.accounts[3]!.address)]);
    expect(after[0]! - before[0]!).toBe(paid - feeOf(paid, 50));
    expect(after[1]! - before[1]!).toBe(feeOf(paid, 50));
    expect(before[2]! - after[2]!).toBe(paid);
    // The node measured its Blender's Cycles score (it prices the node's Blender work).
    await waitFor(() => op.p.err.some((l) => /Cycles score \d+(\.\d)? \(CPU\)/.test(l)), 120_000, `the Cycles benchmark: ${op.p.err.slice(-5).join('\n')}`);
  }, 300_000);
});
