/**
 * `npm run bench:scale`: one creator feeding 1,000 operators on a 10,000-task job, printed as
 * ONE JSON line {operators, tasks, seconds, operatorIdleShare, leaseP99Ms, leaseP99RunningMs,
 * creatorCpuPercent, creatorRssMB, verifyBacklogMax}. leaseP99Ms is over every lease;
 * leaseP99RunningMs leaves out the start, when all 1,000 operators ask for their first two
 * tasks in the same instant (1,000 requests for two tasks each, the work protocol's `count`;
 * stderr's startBurst says how long the creator took to answer them (answeredInMs, from the
 * first request to the write of the last answer; loopBusyMs of it the event loop was busy,
 * handlerMs in decoding, dispatching and encoding, writeMs in socket writes), its CPU time
 * creatorCpuMs, and sendSpanMs how long the operators took to send them).
 *
 * This process is the creator and is what is measured: the real Dispatcher with its SQLite
 * file (WAL, synchronous = FULL) and blob store, the real CreatorPayments (reputation, the
 * verdict ledger, an EIP-712 voucher signed per accepted result), the real Verifier (form and
 * hash checks, the secret-keyed choice of whether and where to re-render), and the work and
 * result protocols' own decoding, schema checks, signature recovery and limits — only the
 * libp2p stream under them is replaced by Unix sockets (each operator's own work socket; one shared for results). The 1,000 operators (5 % more join during the
 * job) live in a child process (bench-scale/operators.ts) so they do not count against the
 * creator's CPU and memory.
 *
 * Time: a SCALED CLOCK. Simulated time runs SCALE (model.ts: 2) times faster than real time:
 * a median operator's one-minute tile takes 30 real seconds, a 60 s lease 30 s, and the
 * dispatcher's clock is scaled the same way. The creator's own work is not scaled, so it
 * carries twice the load the same job would put on it in real time: creatorCpuPercent is a
 * bound, not the expected figure. (At 10× and 5×, this shared 2-core box could not give the
 * two processes the CPU they needed and leases expired for want of it; see the report.)
 *
 * Verification: re-rendering patches is MODELLED (a real re-render of 10,000 tiles would not
 * fit): each patch waits its modelled GPU time on the creator's one render slot
 * (model.ts: CREATOR_SCORE, VERIFY_CALL_SIM_MS) and returns the deterministic pixels the
 * operators render, so honest results match and cheaters' do not. Which results are
 * re-rendered and which patches is the verifier's real decision: the sampled audit plan (not
 * the app's EVERY_RESULT_AUDIT) with held pay (creator/pay/held-pay.ts), closing re-renders included. The job ends once every
 * held tail is closed, so `seconds` includes them. The signatures of results are recovered in
 * the signature worker thread, as NetService does; its CPU counts in creatorCpuPercent.
 *
 * lease latency: from the operator's send (epoch ms) to the write of the creator's answer
 * (the answers to one read of an operator's socket go out in one write), so a
 * blocked creator event loop counts; every lease of an answer counts once. operatorIdleShare: see operators.ts report().
 * Progress goes to stderr every 10 s (BENCH_SCALE_QUIET=1: none; BENCH_SCALE_DEBUG=1: the
 * answers given, socket transit, event-loop lag and lease expiries too).
 */
import '../main/core/polyfills';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { performance as perf } from 'node:perf_hooks';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Wallet } from 'ethers';
import { JobSpecSchema } from '../shared/job-spec';
import { escrowDomain } from '../shared/voucher';
import { Dispatcher } from '../main/core/creator/dispatch/dispatcher';
import { CreatorPayments } from '../main/core/creator/pay/payments';
import { JobStateStore } from '../main/core/creator/pay/job-state';
import { ReputationBook } from '../main/core/creator/dispatch/reputation';
import { VoucherLedger } from '../main/core/creator/proof/voucher-ledger';
import { heldPayTies } from '../main/core/creator/pay/held-pay';
import { decodeJson, encodeJson } from '../main/core/net/codec';
import { sharedSignaturePool } from '../main/core/creator/proof/signature-pool';
import { WORK_LIMITS } from '../main/core/net/work/constants';
import { WorkRequestSchema } from '../main/core/net/work/messages';
import { quickWorkRequest } from '../main/core/net/work/request-check';
import type { WorkResponse } from '../main/core/net/work/messages';
import { RESULT_LIMITS } from '../main/core/net/result/constants';
import { admitResult } from '../main/core/net/result/result';
import { ResultHeaderSchema, resultClaim } from '../main/core/net/result/messages';
import { openStore, sha256Hex } from '../main/core/store';
import { acceptOne, epochMs, frame, FrameReader, modelledPatchRenderer, OPERATORS, SCALE, SPEC_INPUT, TASKS } from './bench-scale/model';
import type { ToCreator, ToOperators } from './bench-scale/model';

const dir = mkdtempSync(join(tmpdir(), 'rf-bench-scale-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const store = openStore(dir);
const spec = JobSpecSchema.parse(SPEC_INPUT);
const tilePixels = (spec.width / spec.tiles.x) * (spec.height / spec.tiles.y);
const t0 = Date.now();
const now = (): number => t0 + (Date.now() - t0) * SCALE;

const modelled = modelledPatchRenderer(tilePixels);

const creator = Wallet.createRandom();
const jobs = new JobStateStore(store.db, now);
/**
 * BENCH_SCALE_BEFORE=1: the creator as it was before this bench (every commit fsynced on the
 * event loop, every result re-rendered, at most 8 results received at once), to compare.
 * BENCH_SCALE_MAX_SECONDS=N: stop after N s and print how far the job got.
 */
const before = !!process.env.BENCH_SCALE_BEFORE;
const maxSeconds = Number(process.env.BENCH_SCALE_MAX_SECONDS) || Infinity;
const ledger = new VoucherLedger(store.db, !before);
const reputation = new ReputationBook(store.db, now);
const ref: { d?: Dispatcher } = {};
const payments = new CreatorPayments({
  jobs,
  ledger,
  reputation,
  secret: randomBytes(32),
  loadScene: () => Promise.reject(new Error('the bench models re-renders')),
  signer: () => creator,
  domain: escrowDomain(31337, '0x' + '11'.repeat(20)),
  leased: (jobId) => ref.d?.leaseCount(jobId) ?? 0,
  leasedTo: (jobId, address) => ref.d?.leasedTo(jobId, address) ?? 0,
  patchRenderer: modelled,
  // The sampled audit plan with held pay ({}: its defaults; the app re-renders every result,
  // EVERY_RESULT_AUDIT). BENCH_SCALE_BEFORE: every result re-rendered.
  ...(before ? { audit: { floorRate: 1 } } : { audit: {}, durable: () => store.wal.sync() }),
  held: heldPayTies(() => ref.d, store.blobs),
  now,
});
let verifying = 0;
let verifyBacklogMax = 0;
const d = new Dispatcher({
  db: store.db,
  blobs: store.blobs,
  now,
  ...(before ? {} : { durable: () => store.wal.sync() }),
  verify: async (input) => {
    verifyBacklogMax = Math.max(verifyBacklogMax, ++verifying);
    try {
      return await payments.verify(input);
    } finally {
      verifying--;
    }
  },
  pricePerBenchHour: () => '1',
  payments,
});
ref.d = d;
const taskPrice = 10n ** 15n;
const job = d.addJob({ spec, scene: { hash: spec.sceneId, bytes: 50 << 20 } });
jobs.create({ id: job.id, chainJobId: '0x' + '22'.repeat(32), spec, specHash: '33'.repeat(32), sceneHash: spec.sceneId, sceneBytes: 50 << 20, tier: 'economy', feeBps: 50, tasks: TASKS, taskPrice: taskPrice.toString(), budget: (taskPrice * BigInt(TASKS * 2)).toString(), funded: (taskPrice * BigInt(TASKS * 2)).toString(), maxPrice: null, benchHours: 1, chainId: 31337, escrow: null, creator: creator.address, outDir: null, fundTx: null, closeTx: null, closableAt: null, refund: null, note: null });
jobs.transition(job.id, 'funded');
jobs.transition(job.id, 'running');
// As NetService does: leases past their deadline go back four times a second.
const tick = setInterval(() => {
  if (process.env.BENCH_SCALE_DEBUG) {
    // Which leases are about to expire, and how long since they were renewed (real ms).
    const t = now();
    for (const l of (d as unknown as { leases: Map<string, { id: string; deadline: number }> }).leases.values()) {
      if (l.deadline <= t) expiredAfter.push(Math.round(performance.now() - (lastRenew.get(l.id) ?? leasedAt.get(l.id) ?? 0)));
    }
  }
  d.tick();
}, 250);

// Sockets, as in the app each operator has its own connection: one work socket per operator
// (leases, renewals), one shared socket for results (pixels) and one for the bench's own
// control messages. With one work socket shared by all operators, the kernel took only about
// 185 of the burst's 1,000 requests at once; the rest waited inside the operators' process,
// behind its parsing of the first answers (drained 100-170 ms after the first send, measured),
// and that wait was counted as the creator's lease latency.
const paths = { control: join(dir, 'control.sock'), work: join(dir, 'work.sock'), results: join(dir, 'results.sock') };
const workServer = createServer((s) => {
  s.setNoDelay(true);
  const reader = new FrameReader((raw, bins) => onWorkFrame(raw as Extract<ToCreator, { t: 'work' }>, bins[0]!));
  s.on('data', (c: Buffer) => {
    reader.push(c);
    flushWork(s);
  });
  s.on('error', () => {});
});
await new Promise<void>((r) => workServer.listen({ path: paths.work, backlog: 2048 }, r));
const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./bench-scale/operators.ts', import.meta.url)), paths.control, paths.work, paths.results], { stdio: ['ignore', 'inherit', 'inherit'] });
const [controlSock, resultSock] = await Promise.all([acceptOne(paths.control), acceptOne(paths.results)]);
const post = (m: ToOperators, bins: Uint8Array[] = [], sock = controlSock): void => {
  // One write per frame (three small writes cost three system calls).
  sock.write(Buffer.concat(frame(m, bins)));
};
/**
 * Work answers go out in one write per socket for the requests of one read from it, as a
 * server answering many requests read at once does. A lease's latency ends when its answer is
 * written, not when it was made.
 */
const workOut: Buffer[] = [];
const workOutSent: { at: number; sent: number }[] = [];
const flushWork = (sock: Socket): void => {
  if (workOut.length === 0) return;
  const w0 = performance.now();
  sock.write(workOut.length === 1 ? workOut[0]! : Buffer.concat(workOut));
  if (!burstWork.doneAt) burstWork.writeMs += performance.now() - w0;
  workOut.length = 0;
  const t = epochMs();
  for (const w of workOutSent) leaseMs[w.at] = t - w.sent;
  workOutSent.length = 0;
  if (!burstWork.doneAt && leaseMs.length >= 2 * OPERATORS) burstDone();
};
const postWork = (m: ToOperators, bins: Uint8Array[]): void => {
  workOut.push(Buffer.concat(frame(m, bins)));
};
let peers: { peerId: string; address: string }[] = [];
const leaseMs: number[] = [];
/** When each lease was asked for (epoch ms), beside leaseMs. */
const leaseSent: number[] = [];
let receiving = 0;
let receivingBytes = 0;

/** The work protocol's handler (net/work/work.ts) on the socket's bytes: decode, dispatch, encode. */
function onWork(m: Extract<ToCreator, { t: 'work' }>, bytes: Uint8Array): void {
  const op = peers[m.op]!;
  let res: WorkResponse;
  try {
    const req = decodeJson(bytes, WorkRequestSchema, WORK_LIMITS.maxMessageBytes, quickWorkRequest);
    if (req.type === 'request') res = d.request(op, req.jobId, req.offer, req.count) as WorkResponse;
    else if (req.type === 'renew') {
      res = d.renew(op, req.leaseId);
      lastRenew.set(req.leaseId, performance.now());
    }
    else if (req.type === 'release') res = d.release(op, req.leaseId, req.reason);
    else res = d.fail(op, req.leaseId, req.reason);
    if (req.type === 'request' && res.status === 'ok') {
      // Every lease of the answer counts (a request for two tasks answered with two: two leases);
      // its latency is filled in when the answer is written (flushWork).
      for (const l of [res.lease, ...(res.more ?? [])]) {
        workOutSent.push({ at: leaseMs.length, sent: m.sent });
        leaseMs.push(NaN);
        leaseSent.push(m.sent);
        if (process.env.BENCH_SCALE_DEBUG && l) leasedAt.set(l.leaseId, performance.now());
      }
    }
  } catch (err) {
    res = { status: 'error', code: 'BENCH', message: (err as Error).message.slice(0, 300) };
  }
  if (process.env.BENCH_SCALE_DEBUG) {
    const k = `${res.status} ${'reason' in res ? res.reason : ''}`;
    answers.set(k, (answers.get(k) ?? 0) + 1);
  }
  postWork({ t: 'reply', op: m.op, seq: m.seq }, [encodeJson(res)]);
}
/** A work frame from an operator's own socket: answered on that socket (flushWork). */
function onWorkFrame(m: Extract<ToCreator, { t: 'work' }>, bytes: Uint8Array): void {
  transit = Math.max(transit, epochMs() - m.sent);
  const t = performance.now();
  if (!burstWork.firstAt) {
    burstWork.firstAt = t;
    burstWork.elu = perf.eventLoopUtilization();
  }
  onWork(m, bytes);
  if (!burstWork.doneAt) {
    burstWork.handlerMs += performance.now() - t;
    burstWork.messages++;
  }
}
/** The start burst is answered: its creator CPU time, and how long the event loop was busy from its first request on. */
function burstDone(): void {
  burstWork.doneAt = performance.now();
  const c = process.cpuUsage(cpu0);
  burstWork.cpuMs = (c.user + c.system) / 1000;
  burstWork.busyMs = burstWork.elu ? perf.eventLoopUtilization(burstWork.elu).active : 0;
}
const answers = new Map<string, number>();
/**
 * The start burst, up to the write of its last answer: the creator's time in the work handler
 * (decode, dispatch, encode) and in socket writes (real ms), the messages handled, the
 * creator's CPU time since the hello, and the event loop's busy time from the first request on.
 */
const burstWork: { handlerMs: number; writeMs: number; messages: number; cpuMs: number; busyMs: number; firstAt: number; doneAt: number; elu?: EventLoopUtilization } = { handlerMs: 0, writeMs: 0, messages: 0, cpuMs: 0, busyMs: 0, firstAt: 0, doneAt: 0 };
const lastRenew = new Map<string, number>();
const leasedAt = new Map<string, number>();
const expiredAfter: number[] = [];
let transit = 0;
let resultTransit = 0;
let loopLag = 0;
let loopLast = performance.now();
const lagTimer = setInterval(() => {
  const t = performance.now();
  loopLag = Math.max(loopLag, t - loopLast - 100);
  loopLast = t;
}, 100);

/** The result protocol's handler (net/result/result.ts) on the socket's bytes. */
const stage = { received: 0, delivering: 0, deliverMs: 0 };
async function onResult(m: Extract<ToCreator, { t: 'result' }>, headerBytes: Uint8Array, pixels: Uint8Array): Promise<void> {
  stage.received++;
  const op = peers[m.op]!;
  let res: unknown;
  try {
    const header = decodeJson(headerBytes, ResultHeaderSchema, RESULT_LIMITS.maxMessageBytes);
    if ((await sharedSignaturePool().recover(resultClaim(header.leaseId, header.sha256), header.signature)) !== op.address) throw new Error('bad signature');
    const expected = d.expect(op, header);
    if ('verdict' in expected) res = { status: 'ok', ...expected };
    else if (before ? receiving >= 8 : !admitResult(receiving, receivingBytes, expected.bytes)) res = { status: 'busy', retryAfterMs: 500 };
    else {
      receiving++;
      receivingBytes += expected.bytes;
      try {
        if (pixels.byteLength !== expected.bytes || sha256Hex(pixels) !== header.sha256) throw new Error('bad pixels');
        stage.delivering++;
        const t = performance.now();
        res = { status: 'ok', ...(await d.deliver(op, header, pixels)) };
        stage.delivering--;
        stage.deliverMs = Math.max(stage.deliverMs, performance.now() - t);
      } finally {
        receiving--;
        receivingBytes -= expected.bytes;
      }
    }
  } catch (err) {
    res = { status: 'error', code: 'BENCH', message: (err as Error).message.slice(0, 300) };
  }
  if (process.env.BENCH_SCALE_DEBUG) {
    const r = res as { status: string; verdict?: string; reason?: string };
    const k = `result ${r.status} ${r.verdict ?? ''} ${(r.reason ?? '').slice(0, 40)}`;
    answers.set(k, (answers.get(k) ?? 0) + 1);
  }
  post({ t: 'reply', op: m.op, seq: m.seq }, [encodeJson(res)], resultSock);
}

let rssMax = 0;
// rss() alone: memoryUsage() also walks the heap's spaces (milliseconds of the creator's time each call).
const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 200);
let cpu0 = process.cpuUsage();
let wall0 = performance.now();
const finished = new Promise<void>((r) => d.onJobFinished(() => r()));
// Progress on stderr every 10 s (BENCH_SCALE_QUIET=1 turns it off).
const progressTimer = setInterval(() => {
  if (process.env.BENCH_SCALE_QUIET) return;
  const p = d.job(job.id)!.progress;
  const c = process.cpuUsage(cpu0);
  const s = (performance.now() - wall0) / 1000;
  console.error(`bench:scale ${s.toFixed(0)} s: ${p.done} done, ${p.failed} failed, ${p.leased} leased, ${verifying} verifying, creator CPU ${(((c.user + c.system) / 1e6 / s) * 100).toFixed(0)} %`);
  if (process.env.BENCH_SCALE_DEBUG) console.error(JSON.stringify([...answers]), JSON.stringify(stage), store.wal.syncs, `work transit max ${transit.toFixed(0)} ms, result transit max ${resultTransit.toFixed(0)} ms, creator loop lag max ${loopLag.toFixed(0)} ms`);
  transit = 0;
  resultTransit = 0;
  loopLag = 0;
  if (process.env.BENCH_SCALE_DEBUG && expiredAfter.length) {
    const e = expiredAfter.sort((a, b) => a - b);
    console.error(`expired: ${e.length}, since last renewal p10 ${e[Math.floor(e.length / 10)]} p50 ${e[Math.floor(e.length / 2)]} p90 ${e[Math.floor(e.length * 0.9)]} ms`);
    expiredAfter.length = 0;
  }
}, 10_000);
const reported = new Promise<Extract<ToCreator, { t: 'report' }>>((resolve) => {
  const reader = new FrameReader((raw) => {
    const m = raw as ToCreator;
    if (m.t === 'hello') {
      peers = m.ops;
      // Each operator has bound its address (the app's hello protocol, before any work request).
      for (const p of peers) d.peerBound(p.address);
      cpu0 = process.cpuUsage();
      wall0 = performance.now();
      post({ t: 'start', jobId: job.id });
    }
    else if (m.t === 'gone') d.peerGone(peers[m.op]!.peerId);
    else if (m.t === 'report') resolve(m);
  });
  const resultReader = new FrameReader((raw, bins) => {
    const m = raw as Extract<ToCreator, { t: 'result' }>;
    resultTransit = Math.max(resultTransit, epochMs() - m.sent);
    void onResult(m, bins[0]!, bins[1]!);
  });
  controlSock.on('data', (c: Buffer) => reader.push(c));
  resultSock.on('data', (c: Buffer) => resultReader.push(c));
});
const outcome = await Promise.race([finished.then(() => 'finished' as const), new Promise<'cut'>((r) => {
    if (Number.isFinite(maxSeconds)) setTimeout(() => r('cut'), maxSeconds * 1000).unref();
  })]);
const cpu = process.cpuUsage(cpu0);
const seconds = (performance.now() - wall0) / 1000;
post({ t: 'finished' });
const report = await reported;
clearInterval(tick);
clearInterval(rssTimer);
clearInterval(progressTimer);
clearInterval(lagTimer);
// The start: every operator asks for its first two tasks at once (2,000 requests in a burst).
// Running: leases asked for after the creator answered that many.
const fill = Math.min(leaseMs.length, 2 * OPERATORS) - 1;
const fillEnd = fill >= 0 ? leaseSent[fill]! + leaseMs[fill]! : 0;
const running = leaseMs.filter((_, i) => leaseSent[i]! > fillEnd).sort((a, b) => a - b);
const startBurst = leaseMs.slice(0, fill + 1).sort((a, b) => a - b);
const sorted = leaseMs.sort((a, b) => a - b);
const progress = d.job(job.id)!.progress;
console.log(
  JSON.stringify({
    operators: OPERATORS,
    tasks: TASKS,
    seconds: Math.round(seconds * 10) / 10,
    operatorIdleShare: Math.round(report.operatorIdleShare * 1000) / 1000,
    leaseP99Ms: Math.round(sorted[Math.floor(sorted.length * 0.99)]! * 10) / 10,
    leaseP99RunningMs: Math.round((running[Math.floor(running.length * 0.99)] ?? 0) * 10) / 10,
    creatorCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 1000) / 10,
    creatorRssMB: Math.round(rssMax / 2 ** 20),
    verifyBacklogMax,
    ...(outcome === 'cut' ? { finished: false, done: progress.done, tasksPerSecond: Math.round((progress.done / seconds) * 10) / 10 } : {}),
    ...(before ? { variant: 'before' } : {}),
  }),
);
console.error(JSON.stringify({ done: progress.done, failed: progress.failed, leases: sorted.length, leaseP50Ms: Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10, startBurst: { leases: startBurst.length, handlerMs: Math.round(burstWork.handlerMs), writeMs: Math.round(burstWork.writeMs), loopBusyMs: Math.round(burstWork.busyMs), answeredInMs: Math.round(burstWork.doneAt - burstWork.firstAt), messages: burstWork.messages, p50Ms: Math.round(startBurst[Math.floor(startBurst.length / 2)] ?? 0), maxMs: Math.round(startBurst.at(-1) ?? 0), seconds: Math.round((fillEnd - (leaseSent[0] ?? fillEnd)) / 100) / 10, sendSpanMs: Math.round(Math.max(0, ...leaseSent.slice(0, fill + 1)) - Math.min(Infinity, ...leaseSent.slice(0, fill + 1))), creatorCpuMs: Math.round(burstWork.cpuMs) }, idleWindowSeconds: Math.round(report.windowSeconds), verdicts: ledger.counts(job.id), audits: payments.audits.counts, reRendersInFlightMax: payments.audits.maxInFlight }));
store.close();
child.kill();
process.exit(0);
