/**
 * The simulated world of `npm run bench:scale`, shared by the creator (bench-scale.ts) and
 * the operators' process (operators.ts): the job, the clock scale, the operators' spread of
 * speeds and behaviours, the deterministic "scene" both sides render, and the messages between the two processes.
 */
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import type { TaskRect } from '../../shared/job-spec';
import type { PatchRenderer } from '../../main/core/creator/proof/verifier';

/** Simulated milliseconds per real millisecond: renders, lease times and retries all run this much faster. */
export const SCALE = 2;
/** Operators at the start (5 % more join during the job). */
export const OPERATORS = 1000;
/** 100 frames of 1280 × 720, each in 10 × 10 tiles of 128 × 72: 10,000 tasks. */
export const SPEC_INPUT = { sceneId: 'ab'.repeat(32), width: 1280, height: 720, spp: 64, frames: { start: 0, end: 99 }, tiles: { x: 10, y: 10 }, seed: 7, tier: 'economy' } as const;
export const TASKS = 10_000;
/** A tile's render on a device scoring 100 on the benchmark, in simulated ms (a production tile of one minute). */
export const MEDIAN_RENDER_SIM_MS = 60_000;
/** Benchmark scores are log-normal: median 100, σ = 0.6 (the 5th–95th percentile spans 37–268, a laptop GPU to a flagship). */
export const SCORE_SIGMA = 0.6;
/**
 * The creator re-renders the verifier's patches on its own GPU, scoring this much; each
 * patch takes (patch pixels / tile pixels) × MEDIAN_RENDER_SIM_MS × 100 / score, plus a fixed
 * VERIFY_CALL_SIM_MS per engine call, one patch at a time per VERIFY_SLOTS.
 */
export const CREATOR_SCORE = 100;
export const VERIFY_CALL_SIM_MS = 20;
export const VERIFY_SLOTS = 1;

/** Shares of operators with each behaviour (the rest are steady). */
export const BEHAVIOURS = {
  /** Disconnect for good at a random time (the creator sees the peer go). */
  leaver: 0.03,
  /** Vanish silently (power cut): their leases expire. */
  crasher: 0.02,
  /** Join during the job. */
  joiner: 0.05,
  /** Fail 30 % of their tasks halfway (driver crash). */
  failer: 0.02,
  /** Once, stop renewing and deliver after the lease expired. */
  late: 0.03,
  /** Render at a quarter of the samples and claim the full count. */
  cheater: 0.01,
} as const;
/** One operator's behaviour. */
export type Behaviour = keyof typeof BEHAVIOURS | 'steady';

/** The pixels the honest engine makes for `rect` of `frame`: a cheap deterministic stand-in for the path tracer. */
export function honestPixels(frame: number, rect: TaskRect, spp: number, trueSpp: number): Float32Array {
  const out = new Float32Array(rect.width * rect.height * 4);
  // Fewer samples than asked: the same picture with a different noise (a cheat the re-render catches).
  const noise = spp === trueSpp ? 0 : 1;
  let i = 0;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      for (let c = 0; c < 3; c++) {
        let h = Math.imul(x + 1, 73856093) ^ Math.imul(y + 1, 19349663) ^ Math.imul(frame + 1, 83492791) ^ Math.imul(c + 1 + noise * 7, 2654435761);
        h = Math.imul(h ^ (h >>> 15), 2246822507) >>> 0;
        out[i++] = 0.05 + (h % 10_000) / 5000;
      }
      out[i++] = 1;
    }
  }
  return out;
}

/** Operator process → creator (binary parts travel beside the JSON, see frame()). Timestamps are epoch ms, comparable across processes. */
export type ToCreator =
  | { t: 'hello'; ops: { peerId: string; address: string }[] }
  /** bins: [the encoded work request] */
  | { t: 'work'; op: number; seq: number; sent: number }
  /** bins: [the encoded result header, the pixels] */
  | { t: 'result'; op: number; seq: number; sent: number }
  | { t: 'gone'; op: number }
  | { t: 'report'; operatorIdleShare: number; windowSeconds: number; tasksRendered: number };

/** Creator → operator process; a reply's bins: [the encoded response]. */
export type ToOperators = { t: 'start'; jobId: string } | { t: 'reply'; op: number; seq: number } | { t: 'finished' };

/** Epoch milliseconds with sub-ms precision. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Frames on the socket between the two processes: u32 length of the rest, u32 length of the
 * JSON part, the JSON, then the binary parts (their lengths are listed in the JSON's `bins`).
 * Not Node's IPC channel: with the pixels of hundreds of results queued, its advanced
 * serialization slowed every message behind them by seconds.
 */
export function frame(msg: object, bins: Uint8Array[] = []): Buffer[] {
  const json = Buffer.from(JSON.stringify({ ...msg, bins: bins.map((b) => b.byteLength) }));
  const head = Buffer.alloc(8);
  head.writeUInt32BE(4 + json.length + bins.reduce((s, b) => s + b.byteLength, 0), 0);
  head.writeUInt32BE(json.length, 4);
  return [head, json, ...bins.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength))];
}

/** Splits a byte stream into frames. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly on: (msg: Record<string, unknown>, bins: Uint8Array[]) => void) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    let off = 0;
    while (this.buf.length - off >= 4) {
      const len = this.buf.readUInt32BE(off);
      if (this.buf.length - off < 4 + len) break;
      const jsonLen = this.buf.readUInt32BE(off + 4);
      const msg = JSON.parse(this.buf.toString('utf8', off + 8, off + 8 + jsonLen)) as Record<string, unknown> & { bins: number[] };
      let p = off + 8 + jsonLen;
      const bins = msg.bins.map((n) => {
        // A copy: the receiver keeps it past this chunk.
        const b = new Uint8Array(this.buf.subarray(p, p + n));
        p += n;
        return b;
      });
      off += 4 + len;
      this.on(msg, bins);
    }
    this.buf = off === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(off);
  }
}

/**
 * The creator's re-renders for verification, MODELLED (bench-scale.ts): a patch waits for one
 * of the creator's VERIFY_SLOTS render slots, then its modelled GPU time, and returns the
 * deterministic pixels the honest operators render.
 */
export function modelledPatchRenderer(tilePixels: number): PatchRenderer {
  let slotsFree = VERIFY_SLOTS;
  const slotWaiters: (() => void)[] = [];
  return async (s, task, rect, opts) => {
    if (slotsFree === 0) await new Promise<void>((r) => slotWaiters.push(r));
    else slotsFree--;
    const spp = opts.spp ?? s.spp;
    const simMs = VERIFY_CALL_SIM_MS + ((rect.width * rect.height * spp) / (tilePixels * s.spp)) * MEDIAN_RENDER_SIM_MS * (100 / CREATOR_SCORE);
    await new Promise((r) => setTimeout(r, simMs / SCALE));
    const next = slotWaiters.shift();
    if (next) next();
    else slotsFree++;
    return honestPixels(task.frame, rect, spp, s.spp);
  };
}

/** The first connection to a new Unix socket server at `path`. */
export async function acceptOne(path: string): Promise<Socket> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(path, r));
  const s = await new Promise<Socket>((r) => server.once('connection', r));
  s.setNoDelay(true);
  return s;
}
