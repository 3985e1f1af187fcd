import { z } from 'zod';
import { MAX_RESULT_BYTES } from './constants';
import { SignedVoucherSchema } from '../../../../shared/voucher';
import type { SignedVoucher } from '../../../../shared/voucher';

/** The metadata sent ahead of a result's pixels. */
export const ResultHeaderSchema = z
  .object({
    leaseId: z.string().min(1).max(80),
    jobId: z.string().min(1).max(80),
    taskIndex: z.number().int().nonnegative(),
    width: z.number().int().positive().max(16384),
    height: z.number().int().positive().max(16384),
    format: z.literal('rgba32f'),
    bytes: z.number().int().positive().max(MAX_RESULT_BYTES),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    renderMs: z.number().nonnegative().max(7 * 24 * 3600_000),
    /** The operator's signature over `resultClaim(leaseId, sha256)`. */
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/),
  })
  .strict();
export type ResultHeader = z.infer<typeof ResultHeaderSchema>;

/** The text an operator signs for a result (the payment layer builds on it). */
export function resultClaim(leaseId: string, sha256: string): string {
  return `Rayfarm result v1\nlease: ${leaseId}\nsha256: ${sha256}`;
}

/** The creator's judgement of one result. */
export type Verdict = {
  verdict: 'accepted' | 'rejected' | 'duplicate' | 'unknown';
  reason?: string;
  /** Public mode: the operator's next cumulative voucher, signed by the creator (accepted results). */
  voucher?: SignedVoucher;
  /**
   * Public mode: accepted without a re-render, its pay held: the voucher (if any) covers the
   * operator's results up to its last re-rendered one, and this one is paid once a later
   * result passes a re-render or, at the job's end, once its last result does.
   */
  held?: boolean;
};

export const ResultResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('ok'), verdict: z.enum(['accepted', 'rejected', 'duplicate', 'unknown']), reason: z.string().max(300).optional(), voucher: SignedVoucherSchema.optional(), held: z.boolean().optional() }).strict(),
  z.object({ status: z.literal('busy'), retryAfterMs: z.number().int().nonnegative().max(600_000) }).strict(),
  z.object({ status: z.literal('unbound') }).strict(),
  z.object({ status: z.literal('error'), code: z.string().max(64), message: z.string().max(400) }).strict(),
]);

/** Who delivered: the peer and the address it proved. */
export interface DeliveringOperator {
  peerId: string;
  address: string;
}

/** What the creator side implements. */
export interface ResultSink {
  /** Checks a header before any pixels are read: the byte count it expects, or a verdict to refuse with. */
  expect(op: DeliveringOperator, header: ResultHeader): { bytes: number } | Verdict;
  deliver(op: DeliveringOperator, header: ResultHeader, pixels: Uint8Array): Promise<Verdict>;
}
