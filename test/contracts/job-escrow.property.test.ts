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

// Random sequences of openJob / topUp / allocate / redeem (fresh, replayed or stale vouchers) /
// requestClose / close, checked step by step against a model: the outcome (success or the
// exact custom error) must match, the escrow must hold exactly funded − paid − fees −
// refunded, and no operator may ever receive more than the creator signed for it.
// Operator 2 is the creator itself: it allocates to itself, signs itself vouchers for any
// amount and redeems them mid-job, and closes as early as the contract lets it. Operators 0
// and 1 are honest and act as the redeemer does: they redeem their best voucher during the
// grace period, before any close. Each must end with exactly min(best voucher, allocation).

const GRACE = 3600;
const JOBS = [id('p-job-0'), id('p-job-1')];
const ROOT = id('root');
const HONEST = [0, 1];

type Action =
  | { t: 'open'; job: number; amount: bigint; fee: number }
  | { t: 'topUp'; job: number; amount: bigint }
  | { t: 'allocate'; job: number; op: number; amount: bigint }
  | { t: 'sign'; job: number; op: number; inc: bigint; redeemNow: boolean }
  | { t: 'redeem'; job: number; op: number; pick: number }
  | { t: 'requestClose'; job: number }
  | { t: 'close'; job: number; wait: boolean };

const job = fc.integer({ min: 0, max: JOBS.length - 1 });
const op = fc.integer({ min: 0, max: 2 });
const amount = fc.bigInt({ min: 1n, max: 1_000_000n });
const action: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ t: fc.constant('open' as const), job, amount, fee: fc.integer({ min: 30, max: 520 }) }), weight: 1 },
  { arbitrary: fc.record({ t: fc.constant('topUp' as const), job, amount }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('allocate' as const), job, op, amount: fc.bigInt({ min: 1n, max: 400_000n }) }), weight: 4 },
  { arbitrary: fc.record({ t: fc.constant('sign' as const), job, op, inc: fc.bigInt({ min: 0n, max: 300_000n }), redeemNow: fc.boolean() }), weight: 6 },
  { arbitrary: fc.record({ t: fc.constant('redeem' as const), job, op, pick: fc.nat() }), weight: 3 },
  { arbitrary: fc.record({ t: fc.constant('requestClose' as const), job }), weight: 2 },
  { arbitrary: fc.record({ t: fc.constant('close' as const), job, wait: fc.boolean() }), weight: 2 },
);

interface ModelJob {
  feeBps: number;
  balance: bigint;
  paid: bigint;
  unallocated: bigint;
  closeRequested: boolean;
  graceOver: boolean;
  closed: boolean;
  allocated: bigint[];
  redeemed: bigint[];
  signed: SignedVoucher[][];
  /** Per operator, the best amount signed while the job was open (a voucher for a closed job is worth nothing). */
  bestOpen: bigint[];
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
  operators = [o1, o2, c];
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

const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const best = (list: SignedVoucher[]): SignedVoucher | undefined => list.reduce<SignedVoucher | undefined>((b, v) => (!b || BigInt(v.cumulativeAmount) > BigInt(b.cumulativeAmount) ? v : b), undefined);
const show = (a: unknown): string => JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

it('escrow: books always balance, and an honest operator gets exactly what it was signed for up to its allocation', async () => {
  const domain = escrowDomain(31337, escrow.address);
  const start = {
    escrow: await token.balanceOf(escrow.address),
    treasury: await token.balanceOf(treasury.address),
    ops: await Promise.all(operators.map((o) => token.balanceOf(o.address))),
  };
  await fc.assert(
    fc.asyncProperty(
      fc.tuple(amount, fc.integer({ min: 50, max: 500 }), amount, fc.integer({ min: 50, max: 500 }), fc.array(action, { minLength: 6, maxLength: 24 })),
      async ([a0, f0, a1, f1, rest]) => {
        const actions: Action[] = [{ t: 'open', job: 0, amount: a0, fee: f0 }, { t: 'open', job: 1, amount: a1, fee: f1 }, ...rest];
        const snap = await chain.snapshot();
        try {
          const jobs: (ModelJob | undefined)[] = JOBS.map(() => undefined);
          let funded = 0n;
          let toOps = 0n;
          let fees = 0n;
          let refunded = 0n;
          const opReceived = operators.map(() => 0n);

          /** Redeems voucher `v` for operator `o` on job `j`, expecting the model's outcome. */
          const redeemStep = async (j: number, o: number, v: SignedVoucher, what: unknown): Promise<void> => {
            const m = jobs[j]!;
            const cumulative = BigInt(v.cumulativeAmount);
            const payableTo = min(cumulative, m.allocated[o]!);
            const expected = m.closed ? 'EscrowJobClosed' : cumulative <= m.redeemed[o]! ? 'EscrowNotCumulative' : payableTo <= m.redeemed[o]! ? 'EscrowAllocationExhausted' : 'ok';
            const actual = await outcome(escrow.connect(operators[o]!).redeem(JOBS[j]!, v.operator, cumulative, ROOT, v.signature));
            expect(actual, show(what)).toBe(expected);
            if (expected !== 'ok') return;
            const owed = payableTo - m.redeemed[o]!;
            const fee = (owed * BigInt(m.feeBps)) / 10_000n;
            m.balance -= owed;
            m.paid += owed;
            m.redeemed[o] = payableTo;
            toOps += owed - fee;
            fees += fee;
            opReceived[o]! += owed - fee;
          };
          /** What the redeemer does during a grace period: each honest operator redeems its best voucher if it can still gain. */
          const honestRedeem = async (j: number): Promise<void> => {
            const m = jobs[j];
            if (!m || m.closed) return;
            for (const o of HONEST) {
              const b = best(m.signed[o]!);
              if (b && min(BigInt(b.cumulativeAmount), m.allocated[o]!) > m.redeemed[o]!) await redeemStep(j, o, b, { honest: o, job: j });
            }
          };

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
                  const zeros = operators.map(() => 0n);
                  jobs[a.job] = { feeBps: a.fee, balance: a.amount, paid: 0n, unallocated: a.amount, closeRequested: false, graceOver: false, closed: false, allocated: [...zeros], redeemed: [...zeros], bestOpen: [...zeros], signed: operators.map(() => []) };
                  funded += a.amount;
                }
                break;
              }
              case 'topUp': {
                expected = !m ? 'EscrowUnknownJob' : m.closed ? 'EscrowJobClosed' : 'ok';
                actual = await outcome(escrow.topUp(jobId, a.amount));
                if (expected === 'ok') {
                  m!.balance += a.amount;
                  m!.unallocated += a.amount;
                  funded += a.amount;
                }
                break;
              }
              case 'allocate': {
                expected = !m ? 'EscrowUnknownJob' : m.closed ? 'EscrowJobClosed' : a.amount > m.unallocated ? 'EscrowAllocationExceedsUnallocated' : 'ok';
                actual = await outcome(escrow.allocate(jobId, [operators[a.op]!.address], [a.amount]));
                if (expected === 'ok') {
                  m!.unallocated -= a.amount;
                  m!.allocated[a.op]! += a.amount;
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
                  if (!m.closed) m.bestOpen[a.op] = last + a.inc;
                  if (!a.redeemNow) continue;
                }
                if (list.length === 0) continue;
                // A plain redeem replays any voucher signed so far (stale ones must fail).
                await redeemStep(a.job, a.op, a.t === 'redeem' ? list[a.pick % list.length]! : list.at(-1)!, a);
                expect(await token.balanceOf(escrow.address)).toBe(start.escrow + funded - toOps - fees - refunded);
                continue;
              }
              case 'requestClose': {
                expected = !m ? 'EscrowUnknownJob' : m.closed ? 'EscrowJobClosed' : m.closeRequested ? 'EscrowCloseAlreadyRequested' : 'ok';
                actual = await outcome(escrow.requestClose(jobId));
                if (expected === 'ok') m!.closeRequested = true;
                break;
              }
              case 'close': {
                // The grace period is the operators' time: the redeemer uses it before any close can succeed.
                for (let j = 0; j < JOBS.length; j++) if (jobs[j]?.closeRequested) await honestRedeem(j);
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
                  m!.unallocated = 0n;
                  m!.closed = true;
                }
                break;
              }
            }
            expect(actual, show(a)).toBe(expected);
            expect(await token.balanceOf(escrow.address)).toBe(start.escrow + funded - toOps - fees - refunded);
          }
          // Jobs still open: the honest operators redeem what they hold.
          for (let j = 0; j < JOBS.length; j++) await honestRedeem(j);

          for (let o = 0; o < operators.length; o++) {
            const received = (await token.balanceOf(operators[o]!.address)) - start.ops[o]!;
            if (operators[o] === creator) continue; // the creator's balance also moves by funding and refunds
            expect(received).toBe(opReceived[o]);
            const maxSigned = jobs.reduce((s, j) => s + (j ? BigInt(best(j.signed[o]!)?.cumulativeAmount ?? '0') : 0n), 0n);
            expect(received <= maxSigned).toBe(true);
          }
          for (let j = 0; j < JOBS.length; j++) {
            const m = jobs[j];
            if (!m) continue;
            for (const o of HONEST) {
              // The ring fence: whatever the creator did, an honest operator redeemed exactly
              // min(its best voucher, its allocation) on every job.
              const entitled = min(m.bestOpen[o]!, m.allocated[o]!);
              expect(await escrow.redeemed(JOBS[j]!, operators[o]!.address), show({ job: j, honest: o })).toBe(entitled);
            }
            expect(await escrow.getJob(JOBS[j]!)).toMatchObject({ balance: m.balance, paid: m.paid, unallocated: m.unallocated, closed: m.closed });
          }
          expect((await token.balanceOf(treasury.address)) - start.treasury).toBe(fees);
        } finally {
          await chain.revert(snap);
        }
      },
    ),
    // No shrinking: each run is a few dozen transactions, so shrinking takes minutes, and a
    // sequence of at most 26 actions is readable as it is.
    { numRuns: 40, endOnFailure: true },
  );
}, 180_000);
