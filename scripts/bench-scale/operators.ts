/**
 * The 1,000 simulated operators of `npm run bench:scale`, in their own process so the
 * creator's CPU and memory are measured alone. Each operator has a wallet (it signs its
 * results for real), a benchmark score drawn from a log-normal spread, and a behaviour
 * (model.ts). It speaks the real work and result messages (encoded and decoded with the
 * protocols' own schemas) over two Unix sockets instead of libp2p, keeps one task rendering and one
 * queued like the real worker, renews its leases every third of their time-to-live, and
 * "renders" by waiting the simulated time, then makes the deterministic pixels.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { Wallet } from 'ethers';
import { JobSpecSchema } from '../../shared/job-spec';
import { decodeJson, encodeJson } from '../../main/core/net/codec';
import { ENGINE_ID, WORK_LIMITS } from '../../main/core/net/work/constants';
import { WorkResponseSchema } from '../../main/core/net/work/messages';
import type { Lease, WorkRequest, WorkResponse } from '../../main/core/net/work/messages';
import { RESULT_LIMITS } from '../../main/core/net/result/constants';
import { ResultResponseSchema, resultClaim } from '../../main/core/net/result/messages';
import type { ResultHeader } from '../../main/core/net/result/messages';
import { sha256Hex } from '../../main/core/store';
import { BEHAVIOURS, epochMs, frame, FrameReader, honestPixels, MEDIAN_RENDER_SIM_MS, OPERATORS, SCALE, SCORE_SIGMA, SPEC_INPUT } from './model';
import type { Behaviour, ToCreator, ToOperators } from './model';
import type { z } from 'zod';

const spec = JobSpecSchema.parse(SPEC_INPUT);
// The bench's control messages, each operator's work messages and all results on separate
// sockets (see bench-scale.ts); an operator's work socket is opened before its first request.
const sock = connect(process.argv[2]!);
const workPath = process.argv[3]!;
const resultSock = connect(process.argv[4]!);
sock.setNoDelay(true);
resultSock.setNoDelay(true);
const workSocks: Socket[] = [];
const send = (m: ToCreator, bins: Uint8Array[] = []): void => {
  // One write per frame: the kernel takes it at once.
  const bytes = Buffer.concat(frame(m, bins));
  if (m.t === 'work') workSocks[m.op]!.write(bytes);
  else (m.t === 'result' ? resultSock : sock).write(bytes);
};
const sleep = (simMs: number) => new Promise<void>((r) => setTimeout(r, simMs / SCALE));
const pending = new Map<string, (bytes: Uint8Array) => void>();
let seq = 0;
let jobId = '';
let finished = false;

/** A seeded uniform stream (Mulberry32) so every run draws the same operators. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20261203);
const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

/** Sends a message and waits for the creator's reply. */
function ask<S extends z.ZodType>(op: number, kind: 'work' | 'result', body: Uint8Array, schema: S, max: number, pixels?: Uint8Array): Promise<z.output<S>> {
  const n = seq++;
  return new Promise((resolve, reject) => {
    pending.set(`${op}/${n}`, (bytes) => {
      try {
        resolve(decodeJson(bytes, schema, max));
      } catch (err) {
        reject(err as Error);
      }
    });
    if (kind === 'work') send({ t: 'work', op, seq: n, sent: epochMs() }, [body]);
    else send({ t: 'result', op, seq: n, sent: epochMs() }, [body, pixels!]);
  });
}

/** Time spans of one operator, in real ms. */
interface Spans {
  online: [number, number];
  busy: [number, number][];
}

class Operator {
  readonly wallet = new Wallet(`0x${randomBytes(32).toString('hex')}`);
  readonly peerId: string;
  readonly score = Math.min(800, Math.max(15, 100 * Math.exp(SCORE_SIGMA * gauss())));
  private readonly queue: Lease[] = [];
  private running: Lease | undefined;
  /** Leases whose result awaits a verdict: they still count against the creator's per-operator limit. */
  private delivering = 0;
  private readonly awaiting = new Map<string, Lease>();
  private asking = false;
  private gone = false;
  private lateDone = false;
  /** The lease a late operator stopped renewing. */
  private readonly forgotten = new Set<string>();
  readonly spans: Spans = { online: [Infinity, Infinity], busy: [] };
  rendered = 0;

  constructor(
    readonly n: number,
    readonly behaviour: Behaviour,
    readonly joinSimMs: number,
    readonly leaveSimMs: number,
  ) {
    this.peerId = `12D3KooWsim${String(n).padStart(6, '0')}`;
  }

  /** What it is doing (for the debug line). */
  state(): { running: number; queued: number; delivering: number; asking: number; gone: number } {
    return { running: this.running ? 1 : 0, queued: this.queue.length, delivering: this.delivering, asking: this.asking ? 1 : 0, gone: this.gone ? 1 : 0 };
  }

  /** Renews every lease held, running or queued, each third of its time-to-live (as the worker does). */
  private renewAll(): void {
    if (this.gone || finished) return;
    for (const l of [...this.queue, ...(this.running ? [this.running] : []), ...this.awaiting.values()]) {
      if (!this.forgotten.has(l.leaseId)) void this.work({ type: 'renew', leaseId: l.leaseId });
    }
    setTimeout(() => this.renewAll(), 20_000 / SCALE);
  }

  async run(): Promise<void> {
    if (this.joinSimMs > 0) await sleep(this.joinSimMs);
    this.spans.online[0] = performance.now();
    setTimeout(() => this.renewAll(), (20_000 * rand()) / SCALE);
    if (this.leaveSimMs < Infinity) {
      setTimeout(() => {
        this.gone = true;
        this.spans.online[1] = performance.now();
        // A leaver's connection closes (the creator sees it); a crasher just stops answering.
        if (this.behaviour === 'leaver') send({ t: 'gone', op: this.n });
      }, this.leaveSimMs / SCALE);
    }
    this.top();
  }

  private work(req: WorkRequest): Promise<WorkResponse> {
    return ask(this.n, 'work', encodeJson(req), WorkResponseSchema, WORK_LIMITS.maxMessageBytes);
  }

  /** Keeps one task rendering and one queued: asks once for as many as it has room for (the worker's `count`). */
  private top(): void {
    if (this.asking || this.gone || finished) return;
    const room = 2 - (this.queue.length + (this.running ? 1 : 0) + this.delivering);
    if (room <= 0) return;
    this.asking = true;
    void this.work({ type: 'request', jobId, offer: { engines: [ENGINE_ID], maxSceneBytes: 1 << 30 }, ...(room > 1 ? { count: room } : {}) }).then((res) => {
      this.asking = false;
      if (this.gone || finished) return;
      if (res.status === 'ok' && res.lease) {
        this.queue.push(res.lease, ...(res.more ?? []));
        this.next();
        this.top();
      } else if (res.status === 'none' || res.status === 'busy') {
        if (res.status === 'none' && res.reason.startsWith('every task is taken')) noteDry();
        setTimeout(() => this.top(), res.retryAfterMs / SCALE);
      }
      // Denied (banned after rejections): this job is over for this operator, which is not
      // waiting on the creator any more.
      else if (res.status === 'denied') this.spans.online[1] = Math.min(this.spans.online[1], performance.now());
    });
  }

  private next(): void {
    if (this.running || this.gone) return;
    const lease = this.queue.shift();
    if (!lease) return;
    this.running = lease;
    void this.render(lease);
  }

  private async render(lease: Lease): Promise<void> {
    const start = performance.now();
    const renderSim = (MEDIAN_RENDER_SIM_MS * 100) / this.score;
    const late = this.behaviour === 'late' && !this.lateDone && this.rendered === 2;
    if (late) this.lateDone = true;
    if (late) this.forgotten.add(lease.leaseId);
    const fail = this.behaviour === 'failer' && rand() < 0.3;
    const until = fail ? renderSim / 2 : renderSim;
    await sleep(until + (late ? lease.ttlMs + 15_000 : 0));
    this.spans.busy.push([start, performance.now()]);
    this.running = undefined;
    if (this.gone) return;
    if (fail) {
      void this.work({ type: 'fail', leaseId: lease.leaseId, reason: 'the renderer crashed' }).then(() => this.top());
    } else {
      this.rendered++;
      void this.deliver(lease);
    }
    this.next();
    this.top();
  }

  private async deliver(lease: Lease): Promise<void> {
    this.delivering++;
    this.awaiting.set(lease.leaseId, lease);
    const trueSpp = this.behaviour === 'cheater' ? Math.ceil(spec.spp / 4) : spec.spp;
    const px = honestPixels(lease.task.frame, lease.task.rect, trueSpp, spec.spp);
    const pixels = new Uint8Array(px.buffer);
    const sha256 = sha256Hex(pixels);
    const signature = await this.wallet.signMessage(resultClaim(lease.leaseId, sha256));
    const header: ResultHeader = { leaseId: lease.leaseId, jobId: lease.jobId, taskIndex: lease.task.index, width: lease.task.rect.width, height: lease.task.rect.height, format: 'rgba32f', bytes: pixels.byteLength, sha256, renderMs: 1, signature };
    try {
      for (;;) {
        if (this.gone || finished) return;
        const res = await ask(this.n, 'result', encodeJson(header), ResultResponseSchema, RESULT_LIMITS.maxMessageBytes, pixels);
        if (res.status === 'busy') await sleep(res.retryAfterMs);
        else if (res.status === 'ok' && res.verdict === 'unknown') await sleep(1000);
        else return;
      }
    } finally {
      this.delivering--;
      this.awaiting.delete(lease.leaseId);
      this.top();
    }
  }
}

let dryAt = Infinity;
function noteDry(): void {
  if (dryAt === Infinity) dryAt = performance.now();
}

const ops: Operator[] = [];
const expectedJobSimMs = (MEDIAN_RENDER_SIM_MS * 10_000) / OPERATORS;
for (let n = 0; n < OPERATORS * (1 + BEHAVIOURS.joiner); n++) {
  let behaviour: Behaviour = 'steady';
  if (n >= OPERATORS) behaviour = 'joiner';
  else {
    let u = rand();
    for (const [b, share] of Object.entries(BEHAVIOURS)) {
      if (b === 'joiner') continue;
      if (u < share) {
        behaviour = b as Behaviour;
        break;
      }
      u -= share;
    }
  }
  const join = behaviour === 'joiner' ? expectedJobSimMs * (0.1 + 0.4 * rand()) : 0;
  const leave = behaviour === 'leaver' || behaviour === 'crasher' ? expectedJobSimMs * (0.1 + 0.6 * rand()) : Infinity;
  ops.push(new Operator(n, behaviour, join, leave));
}

const onFrame = (raw: Record<string, unknown>, bins: Uint8Array[]): void => {
  const m = raw as ToOperators;
  if (m.t === 'reply') {
    const k = `${m.op}/${m.seq}`;
    const fn = pending.get(k);
    pending.delete(k);
    fn?.(bins[0]!);
  } else if (m.t === 'start') {
    jobId = m.jobId;
    for (const o of ops) void o.run();
  } else if (m.t === 'finished') {
    finished = true;
    send(report());
    sock.end();
    resultSock.end();
    for (const s of workSocks) s.destroy();
  }
};
const controlReader = new FrameReader(onFrame);
const resultReader = new FrameReader(onFrame);
sock.on('data', (c: Buffer) => controlReader.push(c));
resultSock.on('data', (c: Buffer) => resultReader.push(c));
// Every operator's own work socket, connected before the hello.
await Promise.all(
  ops.map(
    (o) =>
      new Promise<void>((resolve, reject) => {
        const s = connect(workPath, resolve);
        s.setNoDelay(true);
        s.once('error', reject);
        const reader = new FrameReader(onFrame);
        s.on('data', (c: Buffer) => reader.push(c));
        workSocks[o.n] = s;
      }),
  ),
);

/**
 * Idle share once the job runs: from the moment every first-hour operator has its first task
 * to the moment the creator first has no task left to hand out, the share of operator-time
 * online that was spent without a task rendering.
 */
function report(): ToCreator {
  const starts = ops.filter((o) => o.joinSimMs === 0 && o.spans.busy.length > 0).map((o) => o.spans.busy[0]![0]);
  const from = Math.max(...starts);
  const to = Math.min(dryAt, performance.now());
  let online = 0;
  let busy = 0;
  for (const o of ops) {
    const a = Math.max(from, o.spans.online[0]);
    const b = Math.min(to, o.spans.online[1]);
    if (b <= a) continue;
    online += b - a;
    for (const [s, e] of o.spans.busy) busy += Math.max(0, Math.min(b, e) - Math.max(a, s));
  }
  return { t: 'report', operatorIdleShare: online > 0 ? 1 - busy / online : 1, windowSeconds: (to - from) / 1000, tasksRendered: ops.reduce((s, o) => s + o.rendered, 0) };
}

if (process.env.BENCH_SCALE_DEBUG) {
  let last = performance.now();
  let lagMax = 0;
  const lag = setInterval(() => {
    const t = performance.now();
    lagMax = Math.max(lagMax, t - last - 100);
    last = t;
  }, 100);
  const show = setInterval(() => {
    const c = process.cpuUsage();
    const st = { running: 0, queued: 0, delivering: 0, asking: 0, gone: 0 };
    for (const o of ops) {
      const x = o.state();
      for (const k of Object.keys(st) as (keyof typeof st)[]) st[k] += x[k];
    }
    console.error(`operators: result socket buffered ${(resultSock.writableLength / 1e6).toFixed(1)} MB, loop lag max ${lagMax.toFixed(0)} ms, CPU ${((c.user + c.system) / 1e3 / performance.now() * 100).toFixed(0)} %, ${JSON.stringify(st)}`);
    lagMax = 0;
    if (finished) { clearInterval(lag); clearInterval(show); }
  }, 10_000);
}

send({ t: 'hello', ops: ops.map((o) => ({ peerId: o.peerId, address: o.wallet.address.toLowerCase() })) });
