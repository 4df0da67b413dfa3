/**
 * Scheduled jobs (issue 3 item 5, issue 6 item 4, bot-card purge): the runner that runs each job once per period
 * across N instances, and Convene's jobs. `createScheduledJobs` is what the composition root uses.
 */
import type { CalendarProvider } from '../calendar/provider';
import type { Logger } from '../log';
import type { ConversationStore } from '../store/conversations';
import type { JobStore } from '../store/types';
import { auditPurgeJobName, createAuditPurgeJob } from './audit-purge';
import { botCardPurgeJobName, createBotCardPurgeJob } from './bot-card-purge';
import { createJobRunner, type JobRunner, type JobRunnerDeps, type ScheduledJob } from './runner';
import { createUserArchiveJob, userArchiveJobName } from './user-archive';

export { auditPurgeJobName } from './audit-purge';
export { botCardPurgeJobName, botCardRetentionDays } from './bot-card-purge';
export { userArchiveJobName, backgroundActor } from './user-archive';
export { createJobRunner, dailyPeriod } from './runner';
export type { JobContext, JobOutcome, JobRunner, JobRunnerDeps, ScheduledJob } from './runner';

/** Every job Convene has, by name. */
export const jobNames = [auditPurgeJobName, userArchiveJobName, botCardPurgeJobName] as const;
export type JobName = (typeof jobNames)[number];

/** Options of {@link createScheduledJobs}. */
export interface ScheduledJobsOptions extends Pick<JobRunnerDeps, 'instanceId' | 'intervalMs' | 'firstTickMs' | 'leaseMs'> {
  store: JobStore;
  /** The bot's cards, for `bot-card-purge`. */
  conversations: Pick<ConversationStore, 'purgeCards'>;
  provider: Pick<CalendarProvider, 'getUser'>;
  logger: Logger;
  now: () => number;
  /** Jobs to run (config `CONVENE_JOBS`); others are not scheduled. */
  enabled: readonly JobName[];
  /** Config `CONVENE_AUDIT_RETENTION_DAYS`. */
  auditRetentionDays: number;
}

/**
 * The runner with Convene's enabled jobs (not started).
 * @example const jobs = createScheduledJobs({ ... }); jobs.start(); ... await jobs.stop();
 */
export function createScheduledJobs(options: ScheduledJobsOptions): JobRunner {
  const all: Record<JobName, () => ScheduledJob> = {
    'audit-purge': () => createAuditPurgeJob({ store: options.store, retentionDays: options.auditRetentionDays }),
    'user-archive': () => createUserArchiveJob({ store: options.store, provider: options.provider }),
    'bot-card-purge': () => createBotCardPurgeJob({ store: options.conversations }),
  };
  const { store, logger, now, enabled, instanceId, intervalMs, firstTickMs, leaseMs } = options;
  return createJobRunner({
    store,
    logger,
    now,
    jobs: jobNames.filter((n) => enabled.includes(n)).map((n) => all[n]()),
    ...(instanceId ? { instanceId } : {}),
    ...(intervalMs ? { intervalMs } : {}),
    ...(firstTickMs !== undefined ? { firstTickMs } : {}),
    ...(leaseMs ? { leaseMs } : {}),
  });
}
