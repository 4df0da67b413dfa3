/**
 * The daily audit-log retention purge: deletes audit entries older than the retention
 * (`CONVENE_AUDIT_RETENTION_DAYS`, default 90). The audit log is otherwise append-only: the
 * database refuses UPDATE, TRUNCATE and any DELETE outside the purge's transaction-local opt-in,
 * and never deletes an entry less than one day old (migrations 1 and 4).
 */
import type { JobStore } from '../store/types';
import { dailyPeriod, type ScheduledJob } from './runner';

/** The job's name in `job_runs`. */
export const auditPurgeJobName = 'audit-purge';

const DAY_MS = 86_400_000;

/**
 * @param retentionDays Whole days an audit entry is kept (>= 1).
 * @throws Error when `retentionDays` is not a whole number >= 1.
 */
export function createAuditPurgeJob(deps: { store: Pick<JobStore, 'purgeAuditBefore'>; retentionDays: number }): ScheduledJob {
  if (!Number.isInteger(deps.retentionDays) || deps.retentionDays < 1)
    throw new Error(`the audit retention must be a whole number of days >= 1, not ${deps.retentionDays}`);
  return {
    name: auditPurgeJobName,
    period: dailyPeriod,
    async run({ nowMs }) {
      const cutoff = new Date(nowMs - deps.retentionDays * DAY_MS).toISOString();
      const deleted = await deps.store.purgeAuditBefore(cutoff);
      return { cutoff, retentionDays: deps.retentionDays, deleted };
    },
  };
}
