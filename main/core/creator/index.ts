/**
 * creator/ — the artist's side of a job once its scene is packaged: handing tasks to operators
 * (dispatch/), checking what comes back and signing vouchers for it (proof/), and paying for it
 * through the escrow (pay/). It never imports operator/: what both roles need lives in render/,
 * scene/ and net/, and node/ composes the two.
 */
export { Dispatcher, verifyFinite } from './dispatch/dispatcher';
export type { DispatcherOptions, JobProgress, PaymentHooks, VerifyInput } from './dispatch/dispatcher';
export { Verifier } from './proof/verifier';
export { VoucherLedger } from './proof/voucher-ledger';
export { CreatorPayments } from './pay/payments';
export { JobService } from './pay/job-service';
export { JobStateStore } from './pay/job-state';
