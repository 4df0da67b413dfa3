/**
 * Every migration, in the order they apply. Append new ones at the end.
 */
import { initial } from './0001-initial';
import { adminConsent } from './0002-admin-consent';
import { botConversations } from './0003-bot-conversations';
import { scheduledJobs } from './0004-scheduled-jobs';
import { consentHardening } from './0005-consent-hardening';
import type { Migration } from './migration';

export type { Migration } from './migration';

/** All migrations, ascending by version. */
export const migrations: readonly Migration[] = Object.freeze([initial, adminConsent, botConversations, scheduledJobs, consentHardening]);
