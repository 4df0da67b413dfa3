/**
 * Every migration, in the order they apply. Append new ones at the end.
 */
import { initial } from './0001-initial';
import type { Migration } from './migration';

export type { Migration } from './migration';

/** All migrations, ascending by version. */
export const migrations: readonly Migration[] = Object.freeze([initial]);
