import type { Migration } from './types';
import { initial } from './001-initial';

/**
 * Every schema migration, in order. Append new ones at the end with a higher version;
 * never edit one that has shipped.
 */
export const migrations: readonly Migration[] = [initial];

export type { Migration } from './types';
