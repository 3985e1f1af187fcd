import type { FieldMap } from './field-errors';

/** The unpaid-work limit as operator.payments.maxUnpaid names it, in words. */
export const MAX_UNPAID_FIELDS: FieldMap<'maxUnpaid'> = {
  paths: { maxUnpaid: 'maxUnpaid' },
  codes: { OPERATOR_BAD_MAX_UNPAID: 'maxUnpaid', OPERATOR_MAX_UNPAID_FORCED: 'maxUnpaid' },
  rules: { maxUnpaid: 'Type an amount of RFT above 0, such as 5 or 0.5 (at most 18 decimals), or leave it empty for one task at a time.' },
};

/** Resuming a stopped creator: the button is the one field. */
export const RESUME_FIELDS: FieldMap<'creator'> = {
  paths: { creator: 'creator' },
  codes: { OPERATOR_NOT_STOPPED: 'creator', WALLET_LOCKED: 'creator' },
  rules: { creator: 'That creator could not be resumed; reload the page and try again.' },
};

/** The task history's filters as operator.history names them. */
export const HISTORY_FIELDS: FieldMap<'job' | 'verdict' | 'from' | 'to'> = {
  paths: { jobId: 'job', verdict: 'verdict', from: 'from', to: 'to' },
  rules: {
    job: 'Type part of a job name or id (at most 200 characters).',
    verdict: 'Pick one of the verdicts listed, or All.',
    from: 'Pick a start date.',
    to: 'Pick an end date.',
  },
};

/** Connecting to a peer by its address (the Network view). */
export const PEER_FIELDS: FieldMap<'addr'> = {
  paths: { addr: 'addr' },
  codes: { NET_UNREACHABLE: 'addr' },
  rules: { addr: 'Type the peer\'s full address (at most 300 characters), such as /ip4/192.168.1.20/tcp/4001/p2p/12D3Koo….' },
};

/** The Blender program used for .blend jobs (operator.blender.set). */
export const BLENDER_FIELDS: FieldMap<'path'> = {
  paths: { path: 'path' },
  codes: { BLENDER_NOT_FOUND: 'path', BLENDER_FAILED: 'path', BLENDER_TOO_OLD: 'path' },
  rules: { path: 'Type the full path of the Blender program (at most 4096 characters), such as /usr/bin/blender, or leave it empty to use blender on the PATH.' },
};
