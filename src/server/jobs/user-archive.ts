/**
 * The daily user-archive job: organizers who left their tenant get their upcoming interviews
 * marked `archived`.
 *
 * Their tokens already fail at verification (Entra stops issuing them, and every API call looks
 * the organizer up by `oid`); this job tidies what they left: for each organizer of a consented
 * tenant with a pending or scheduled interview ahead, Convene asks Graph `GET /users/{oid}` with
 * the tenant's app-only token (User.ReadBasic.All; audited like every Graph call, actor `app`).
 * Only a 404 counts as "left": a blocked or failed lookup proves nothing and changes nothing.
 *
 * @see https://learn.microsoft.com/graph/api/user-get
 */
import type { CalendarProvider } from '../calendar/provider';
import type { JobStore } from '../store/types';
import { dailyPeriod, type ScheduledJob } from './runner';

/** The job's name in `job_runs`. */
export const userArchiveJobName = 'user-archive';

/** The audit actor of Convene's own background work (see `AuditEntry.actorOid`). */
export const backgroundActor = 'app';

export function createUserArchiveJob(deps: {
  store: Pick<JobStore, 'organizersWithUpcomingInterviews' | 'archiveUpcomingInterviews'>;
  provider: Pick<CalendarProvider, 'getUser'>;
}): ScheduledJob {
  return {
    name: userArchiveJobName,
    period: dailyPeriod,
    async run({ nowMs, period, signal }) {
      const now = new Date(nowMs).toISOString();
      const organizers = await deps.store.organizersWithUpcomingInterviews(now);
      let left = 0;
      let archived = 0;
      let unknown = 0;
      for (const { tid, organizerOid } of organizers) {
        if (signal.aborted) throw signal.reason;
        const ctx = { tenantId: tid, actorOid: backgroundActor, requestId: `job-${userArchiveJobName}-${period}` };
        let status: 'ok' | 'notFound' | 'other';
        try {
          const found = await deps.provider.getUser(ctx, organizerOid);
          status = found.status === 'ok' ? 'ok' : found.status === 'notFound' ? 'notFound' : 'other';
        } catch {
          // Tenant-wide failures (consent revoked, Graph unavailable): audited by the provider;
          // tomorrow's run asks again.
          status = 'other';
        }
        if (status === 'notFound') {
          left += 1;
          archived += await deps.store.archiveUpcomingInterviews(tid, organizerOid, now);
        } else if (status === 'other') unknown += 1;
      }
      return { checked: organizers.length, left, archived, unknown };
    },
  };
}
