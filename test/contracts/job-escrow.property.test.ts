import fc from 'fast-check';
import { Wallet, id, parseEther } from 'ethers';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { jobEscrowAbi, jobEscrowBytecode, renderTokenAbi, renderTokenBytecode } from '../../contracts/generated';
import { EscrowClient, TokenClient } from '../../main/core/chain/contracts';
import { signVoucher } from '../../main/core/chain/voucher';
import { RayfarmError } from '../../main/core/errors';
import { escrowDomain } from '../../shared/voucher';
import type { SignedVoucher } from '../../shared/voucher';
import { deploy, startTestChain } from './fixture';
import type { TestChain } from './fixture';

// Random sequences of openJob / topUp / redeem (fresh, replayed or stale vouchers) /
// requestClose / close, checked step by step against a model: the outcome (success or the
// exact custom error) must match, the escrow must hold exactly funded − paid − fees −
// refunded, and no operator may ever receive more than the creator signed for it.

const GRACE = 3600;
const JOBS = [id('p-job-0'), id('p-job-1')];
const ROOT = id('root');

type Action =
  | { t: 'open'; job: number; amount: bigint; fee: number }
  | { t: 'topUp'; job: number; amount: bigint }
  | { t: 'sign'; job: number; op: number; inc: bigint; redeemNow: boolean }
  | { t: 'redeem'; job: number; op: number; pick: number }
  | { t: 'requestClose'; job: number }
  | { t: 'close'; job: number; wait: boolean };

const job = fc.integer({ min: 0, max: JOBS.length - 1 });
const op = fc.integer({ min: 0, max: 1 });
const amount = fc.bigInt({ min: 1n, max: 1_000_000n });
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('open' as const), job, amount, fee: fc.integer({ min: 30, max: 520 }) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('topUp' as const), job, amount }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('sign' as const), job, op, inc: fc.bigInt({ min: 0n, max: 150_000n }), redeemNow: fc.boolean() }), weight: 6 },
  { arbitrary: fc.record({ t: fc.constant('redeem' as const), job, op, pick: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('requestClose' as const), job }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('close' as const), job, wait: fc.boolean() }), weight: 2 },
);

interface ModelJob {
  feeBps: number;
  balance: bigint;
  paid: bigint;
  closeRequested: boolean;
  graceOver: boolean;
  closed: boolean;
  redeemed: bigint[];
  signed: SignedVoucher[][];
}

let chain: TestChain;
let creator: Wallet, treasury: Wallet;
let operators: Wallet[];
let token: TokenClient;
let escrow: EscrowClient;

beforeAll(async () => {
  chain = await startTestChain();
  const [deployer, t, c, o1, o2] = chain.accounts as [Wallet, Wallet, Wallet, Wallet, Wallet];
  treasury = t;
  creator = c;
  operators = [o1, o2];
  const tokenAddress = await deploy(deployer, renderTokenAbi, renderTokenBytecode);
  const escrowAddress = await deploy(deployer, jobEscrowAbi, jobEscrowBytecode, tokenAddress, treasury.address, GRACE);
  token = new TokenClient(tokenAddress, creator);
  escrow = new EscrowClient(escrowAddress, creator);
  await token.faucet(creator.address, parseEther('10000'));
  await token.approve(escrowAddress, 2n ** 256n - 1n);
});
afterAll(async () => {
  await chain?.stop();
});

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof RayfarmError && err.code === 'TX_REVERTED') return String(err.details?.errorName);
    throw err;
  }
}

it('escrow: books always balance and no operator gets more than was signed', async () => {
  const domain = escrowDomain(31337, escrow.address);
  const start = {
    escrow: await token.balanceOf(escrow.address),
    treasury: await token.balanceOf(treasury.address),
    ops: await Promise.all(operators.map((o) => token.balanceOf(o.address))),
  };
  await fc.assert(
    fc.asyncProperty(
      fc.tuple(amount, fc.integer({ min: 50, max: 500 }), amount, fc.integer({ min: 50, max: 500 }), fc.array(action, { minLength: 6, maxLength: 20 })),
      async ([a0, f0, a1, f1, rest]) => {
      const actions: Action[] = [{ t: 'open', job: 0, amount: a0, fee: f0 }, { t: 'open', job: 1, amount: a1, fee: f1 }, ...rest];
      const snap = await chain.snapshot();
      try {
        const jobs: (ModelJob | undefined)[] = JOBS.map(() => undefined);
        let funded = 0n;
        let toOps = 0n;
        let fees = 0n;
        let refunded = 0n;
        const opReceived = [0n, 0n];
        const maxSigned = [0n, 0n]; // per operator, summed over jobs below
        for (const a of actions) {
          const m = jobs[a.job];
          const jobId = JOBS[a.job]!;
          let expected: string;
          let actual: string;
          switch (a.t) {
            case 'open': {
              expected = a.fee < 50 || a.fee > 500 ? 'EscrowFeeOutOfBounds' : m ? 'EscrowJobExists' : 'ok';
              actual = await outcome(escrow.openJob(jobId, a.amount, a.fee, ROOT));
              if (expected === 'ok') {
                jobs[a.job] = { feeBps: a.fee, balance: a.amount, paid: 0n, closeRequested: false, graceOver: false, closed: false, redeemed: [0n, 0n], signed: [[], []] };
                funded += a.amount;
              }
              break;
            }
            case 'topUp': {
              expected = !m ? 'EscrowUnknownJob' : m.closed ? 'EscrowJobClosed' : 'ok';
              actual = await outcome(escrow.topUp(jobId, a.amount));
              if (expected === 'ok') {
                m!.balance += a.amount;
                funded += a.amount;
              }
              break;
            }
            case 'sign':
            case 'redeem': {
              if (!m) continue;
              const list = m.signed[a.op]!;
              if (a.t === 'sign') {
                const last = list.length ? BigInt(list.at(-1)!.cumulativeAmount) : 0n;
                list.push(await signVoucher(creator, domain, { jobId, operator: operators[a.op]!.address, cumulativeAmount: last + a.inc, resultsRoot: ROOT }));
                if (!a.redeemNow) continue;
              }
              if (list.length === 0) continue;
              // A plain redeem replays any voucher signed so far (stale ones must fail).
              const v = a.t === 'redeem' ? list[a.pick % list.length]! : list.at(-1)!;
              const cumulative = BigInt(v.cumulativeAmount);
              const owed = cumulative - m.redeemed[a.op]!;
              expected = m.closed ? 'EscrowJobClosed' : owed <= 0n ? 'EscrowNotCumulative' : owed > m.balance ? 'EscrowVoucherExceedsBalance' : 'ok';
              actual = await outcome(escrow.connect(operators[a.op]!).redeem(jobId, v.operator, cumulative, ROOT, v.signature));
              if (expected === 'ok') {
                const fee = (owed * BigInt(m.feeBps)) / 10_000n;
                m.balance -= owed;
                m.paid += owed;
                m.redeemed[a.op] = cumulative;
                toOps += owed - fee;
                fees += fee;
                opReceived[a.op]! += owed - fee;
              }
              break;
            }
            case 'requestClose': {
              expected = !m ? 'EscrowUnknownJob' : m.closed ? 'EscrowJobClosed' : m.closeRequested ? 'EscrowCloseAlreadyRequested' : 'ok';
              actual = await outcome(escrow.requestClose(jobId));
              if (expected === 'ok') m!.closeRequested = true;
              break;
            }
            case 'close': {
              if (a.wait) {
                await chain.increaseTime(GRACE);
                for (const j of jobs) if (j?.closeRequested) j.graceOver = true;
              }
              expected = !m
                ? 'EscrowUnknownJob'
                : m.closed
                  ? 'EscrowJobClosed'
                  : !m.closeRequested
                    ? 'EscrowCloseNotRequested'
                    : !m.graceOver
                      ? 'EscrowGracePeriodActive'
                      : 'ok';
              actual = await outcome(escrow.close(jobId));
              if (expected === 'ok') {
                refunded += m!.balance;
                m!.balance = 0n;
                m!.closed = true;
              }
              break;
            }
          }
          expect(actual, JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).toBe(expected);
          expect(await token.balanceOf(escrow.address)).toBe(start.escrow + funded - toOps - fees - refunded);
        }
        for (let o = 0; o < operators.length; o++) {
          maxSigned[o] = jobs.reduce((s, j) => s + (j?.signed[o]?.reduce((mx, v) => (BigInt(v.cumulativeAmount) > mx ? BigInt(v.cumulativeAmount) : mx), 0n) ?? 0n), 0n);
          const received = (await token.balanceOf(operators[o]!.address)) - start.ops[o]!;
          expect(received).toBe(opReceived[o]);
          expect(received <= maxSigned[o]!).toBe(true);
        }
        expect((await token.balanceOf(treasury.address)) - start.treasury).toBe(fees);
        for (let j = 0; j < JOBS.length; j++) {
          const m = jobs[j];
          if (!m) continue;
          expect(await escrow.getJob(JOBS[j]!)).toMatchObject({ balance: m.balance, paid: m.paid, closed: m.closed });
        }
      } finally {
        await chain.revert(snap);
      }
    }),
    { numRuns: 40 },
  );
});
