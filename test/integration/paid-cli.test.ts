/**
 * Public mode through the real command line: `rayfarm node --chain` and `rayfarm submit
 * --chain` as separate processes against one anvil, including kill -9 of either side.
 */
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EscrowClient, TokenClient } from '../../main/core/chain/contracts';
import { feeOf } from '../../shared/pricing';
import type { TestChain } from '../contracts/fixture';
import { sampleScene, waitFor } from './net-helpers';
import { GRACE, paidProcs, startPaidChain } from './paid-procs';
import type { Proc } from './paid-procs';

let chain: TestChain;
let token: string;
let escrow: string;
let sceneFile: string;
const { rayfarm, walletDir, chainArgs, startOperator, killAll } = paidProcs(() => ({ chain, token, escrow }));

/** A free TCP port on loopback. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

function submit(dir: string, out: string, bootstrap: string, extra: string[] = [], port = 0): Proc {
  return rayfarm([
    'submit', sceneFile, '--out', out, '--data-dir', dir, ...chainArgs(), '--bootstrap', bootstrap, '--listen', `/ip4/127.0.0.1/tcp/${port}`,
    '--width', '32', '--height', '32', '--spp', '4', '--frames', '0-3', '--format', 'exr-float', '--bench-hours', '0.01', ...extra,
  ]);
}

/** Once the close is requested and the operators redeemed, moves the chain past the grace period so `submit` can close. */
async function passGraceWhenRequested(chainJobIdOf: () => string | undefined, redeemed: () => boolean): Promise<void> {
  await waitFor(async () => {
    const id = chainJobIdOf();
    if (!id) return false;
    const j = await new EscrowClient(escrow, chain.provider).getJob(id);
    return j.closeRequestedAt > 0 && redeemed();
  }, 120_000, 'the close request and the redemptions');
  await chain.increaseTime(GRACE + 1);
}

beforeAll(async () => {
  ({ chain, token, escrow } = await startPaidChain([3, 5, 7, 9]));
  sceneFile = join(mkdtempSync(join(tmpdir(), 'rf-cli-scene-')), 'animated.glb');
  writeFileSync(sceneFile, await sampleScene('animated.glb'));
}, 120_000);
afterEach(() => {
  killAll();
});
afterAll(async () => {
  await chain?.stop();
});


describe('rayfarm submit/node --chain', () => {
  it('funds, renders, pays exactly and closes; the node logs its redemptions', async () => {
    const tk = new TokenClient(token, chain.provider);
    const treasury = await new EscrowClient(escrow, chain.provider).treasury();
    const opDir = await walletDir(2);
    const creatorDir = await walletDir(3);
    const before = await Promise.all([tk.balanceOf(chain.accounts[2]!.address), tk.balanceOf(treasury), tk.balanceOf(chain.accounts[3]!.address)]);
    const op = await startOperator(opDir);
    const out = mkdtempSync(join(tmpdir(), 'rf-cli-out-'));
    const sub = submit(creatorDir, out, op.addr);
    let chainJobId: string | undefined;
    const logs = new EscrowClient(escrow, chain.provider).contract;
    const graced = passGraceWhenRequested(() => chainJobId, () => op.p.out.some((l) => l.startsWith('{"redeemed"')));
    // The job id on chain comes from the JobOpened event of the creator.
    await waitFor(async () => {
      const evs = await logs.queryFilter(logs.filters.JobOpened!(null, chain.accounts[3]!.address));
      const last = evs[evs.length - 1];
      if (last && 'args' in last) chainJobId = last.args.getValue('jobId') as string;
      return chainJobId;
    }, 90_000, `the job to be funded: ${sub.err.join('\n')}`);
    await graced;
    expect(await sub.exited, sub.err.slice(-20).join('\n')).toBe(0);
    const result = JSON.parse(sub.out[sub.out.length - 1]!) as { paid: string; fee: string; refunded: string; rejected: number; tasks: number; state: string };
    expect(result).toMatchObject({ state: 'closed', tasks: 4, rejected: 0, refunded: '0' });
    const paid = BigInt(result.paid);
    expect(result.fee).toBe(feeOf(paid, 50).toString());
    await waitFor(() => op.p.out.some((l) => l.startsWith('{"redeemed"')), 30_000, 'a redemption line');
    const after = await Promise.all([tk.balanceOf(chain.accounts[2]!.address), tk.balanceOf(treasury), tk.balanceOf(chain.accounts[3]!.address)]);
    expect(after[0]! - before[0]!).toBe(paid - feeOf(paid, 50));
    expect(after[1]! - before[1]!).toBe(feeOf(paid, 50));
    expect(before[2]! - after[2]!).toBe(paid);
  }, 240_000);
  async function killRun(side: 'operator' | 'creator', opAcc: number, creatorAcc: number, when: 'verified' | 'funding' = 'verified'): Promise<void> {
    const tk = new TokenClient(token, chain.provider);
    const es = new EscrowClient(escrow, chain.provider);
    const opAddr = chain.accounts[opAcc]!.address;
    const crAddr = chain.accounts[creatorAcc]!.address;
    const opDir = await walletDir(opAcc);
    const creatorDir = await walletDir(creatorAcc);
    const before = await Promise.all([tk.balanceOf(opAddr), tk.balanceOf(crAddr)]);
    let op = await startOperator(opDir);
    const out = mkdtempSync(join(tmpdir(), 'rf-cli-out-'));
    const extra = ['--frames', '0-7', '--spp', '8'];
    const port = await freePort();
    let sub = submit(creatorDir, out, op.addr, extra, port);
    let chainJobId: string | undefined;
    const c = es.contract;
    if (when === 'funding') {
      // kill -9 the moment openJob is broadcast (before it is known to be mined).
      await waitFor(() => sub.err.some((l) => /openJob sent/.test(l)), 90_000, `openJob to be sent: ${sub.err.slice(-5).join('\n')}`);
      sub.child.kill('SIGKILL');
      await sub.exited;
      sub = submit(creatorDir, out, op.addr, extra, port);
    }
    await waitFor(async () => {
      const evs = await c.queryFilter(c.filters.JobOpened!(null, crAddr));
      const last = evs[evs.length - 1];
      if (last && 'args' in last) chainJobId = last.args.getValue('jobId') as string;
      return chainJobId;
    }, 90_000, 'the job to be funded');
    // kill -9 right after the first verified task (its voucher signed and sent).
    await waitFor(() => op.p.out.some((l) => /: accepted/.test(l)), 90_000, 'a first accepted task').catch((err: Error) => {
      throw new Error(`${err.message}\n--- node ---\n${[...op.p.out, ...op.p.err].slice(-10).join('\n')}\n--- submit ---\n${sub.err.slice(-15).join('\n')}`);
    });
    if (when === 'funding') {
      // already killed and restarted
    } else if (side === 'operator') {
      op.p.child.kill('SIGKILL');
      await op.p.exited;
      // The restarted node finds the creator again through its address.
      const peer = /offered as (\S+);/.exec(sub.err.join('\n'))![1]!;
      op = await startOperator(opDir, [`/ip4/127.0.0.1/tcp/${port}/p2p/${peer}`]);
    } else {
      sub.child.kill('SIGKILL');
      await sub.exited;
      sub = submit(creatorDir, out, op.addr, extra, port);
    }
    const redeemedAll = () => op.p.out.some((l) => l.startsWith('{"redeemed"'));
    try {
      await passGraceWhenRequested(() => chainJobId, redeemedAll);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- submit ---\n${sub.err.slice(-15).join('\n')}\n--- node ---\n${[...op.p.out, ...op.p.err].slice(-25).join('\n')}`);
    }
    expect(await sub.exited, sub.err.slice(-20).join('\n')).toBe(0);
    const result = JSON.parse(sub.out[sub.out.length - 1]!) as { paid: string; fee: string; refunded: string; rejected: number; tasks: number; state: string };
    expect(result).toMatchObject({ state: 'closed', tasks: 8 });
    const job = await es.getJob(chainJobId!);
    const paid = BigInt(result.paid);
    // Every verified task paid (8 of them, whoever's crash), nothing twice: the chain paid exactly the vouchers.
    expect(job.paid).toBe(paid);
    expect(await es.redeemed(chainJobId!, opAddr)).toBe(paid);
    const after = await Promise.all([tk.balanceOf(opAddr), tk.balanceOf(crAddr)]);
    expect(after[0]! - before[0]!).toBe(paid - feeOf(paid, 50));
    expect(before[1]! - after[1]!).toBe(paid);
    expect(paid % 8n).toBe(0n);
    expect(BigInt(result.refunded)).toBe(0n);
    // Funded once: one JobOpened for this creator.
    expect((await c.queryFilter(c.filters.JobOpened!(null, crAddr))).length).toBe(1);
  }

  it('kill -9 of the operator after a verified task: restarted, it finishes; every verified task paid once', async () => {
    await killRun('operator', 4, 5);
  }, 240_000);

  it('kill -9 of the creator after a verified task: the same command resumes the job; every verified task paid once', async () => {
    await killRun('creator', 6, 7);
  }, 240_000);

  it('kill -9 of the creator while openJob is in flight: the same command resumes without funding twice', async () => {
    await killRun('creator', 8, 9, 'funding');
  }, 240_000);
});
