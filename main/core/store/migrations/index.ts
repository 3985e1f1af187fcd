import type { Migration } from './types';
import { initial } from './001-initial';
import { operator } from './002-operator';
import { walletTxs } from './003-wallet-txs';
import { dispatch } from './004-dispatch';
import { scenes } from './005-scenes';
import { payments } from './006-payments';
import { pauseReason } from './007-pause-reason';
import { workerCrashes } from './008-worker-crashes';
import { estimateCache } from './009-estimate-cache';
import { heldPay } from './010-held-pay';

/**
 * Every schema migration, in order. Append new ones at the end with a higher version;
 * never edit one that has shipped.
 */
export const migrations: readonly Migration[] = [initial, operator, walletTxs, dispatch, scenes, payments, pauseReason, workerCrashes, estimateCache, heldPay];

export type { Migration } from './types';
