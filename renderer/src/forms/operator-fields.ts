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
