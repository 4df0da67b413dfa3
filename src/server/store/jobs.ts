/**
 * What the scheduled jobs need from the database (src/server/jobs): claiming a (job, period) run
 * once across instances, the audit-log retention purge, and archiving the interviews of
 * organizers who left their tenant. Migration 4 made the tables and the purge exception.
 */
import type { SqlClient } from './db';
import { isoFromDb, isoOrNullFromDb } from './rows';
import type { JobRunRecord, JobStore } from './types';

/** Rows one purge statement deletes at most; the purge loops until none are left. */
const PURGE_BATCH = 5_000;

interface JobRunRow {
  job: string;
  period: string;
  instance_id: string;
  status: JobRunRecord['status'];
  attempts: number;
  started_at: unknown;
  finished_at: unknown;
  result: unknown;
  error: string | null;
}

function toRun(r: JobRunRow): JobRunRecord {
  return {
    job: r.job,
    period: r.period,
    instanceId: r.instance_id,
    status: r.status,
    attempts: Number(r.attempts),
    startedAt: isoFromDb(r.started_at),
    finishedAt: isoOrNullFromDb(r.finished_at),
    result: (typeof r.result === 'string' ? JSON.parse(r.result) : (r.result ?? null)) as Record<string, unknown> | null,
    error: r.error,
  };
}

/** {@link JobStore} over SQL (PGlite or PostgreSQL). */
export function createJobStore(db: SqlClient): JobStore {
  return {
    async claimRun({ job, period, instanceId, leaseMs, maxAttempts }) {
      // Of concurrent claims for one (job, period) PostgreSQL lets one INSERT through; the others
      // wait for it to commit, then take the conflict branch, whose WHERE sees the winner's fresh
      // `running` row and updates nothing: no row comes back, so they skip.
      const { rows } = await db.query<{ attempts: number }>(
        `INSERT INTO job_runs (job, period, instance_id, status)
         VALUES ($1, $2, $3, 'running')
         ON CONFLICT (job, period) DO UPDATE
           SET instance_id = EXCLUDED.instance_id, status = 'running', attempts = job_runs.attempts + 1,
               started_at = now(), finished_at = NULL, result = NULL, error = NULL
           WHERE job_runs.attempts < $5
             AND (job_runs.status = 'failed'
                  OR (job_runs.status = 'running' AND job_runs.started_at < now() - make_interval(secs => $4::double precision / 1000)))
         RETURNING attempts`,
        [job, period, instanceId, leaseMs, maxAttempts],
      );
      const row = rows[0];
      return row ? { attempt: Number(row.attempts) } : null;
    },

    async finishRun({ job, period, instanceId, attempt, status, result, error }) {
      await db.query(
        `UPDATE job_runs SET status = $5, finished_at = now(), result = $6::jsonb, error = $7
         WHERE job = $1 AND period = $2 AND instance_id = $3 AND attempts = $4`,
        [job, period, instanceId, attempt, status, result === null ? null : JSON.stringify(result), error],
      );
    },

    async listRuns(job) {
      const { rows } = await db.query<JobRunRow>(
        `SELECT job, period, instance_id, status, attempts, started_at, finished_at, result, error
         FROM job_runs WHERE ($1::text IS NULL OR job = $1) ORDER BY started_at DESC, job, period LIMIT 500`,
        [job ?? null],
      );
      return rows.map(toRun);
    },

    async purgeAuditBefore(cutoff) {
      let deleted = 0;
      for (;;) {
        // The guard (migration 4) allows DELETE only with the transaction-local opt-in, and only
        // of entries older than one day: least(...) keeps a skewed application clock from asking
        // for more, which would abort the whole batch.
        const n = await db.transaction(async (tx) => {
          await tx.query(`SELECT set_config('convene.audit_purge', 'on', true)`);
          const { rows } = await tx.query<{ n: number }>(
            `WITH gone AS (
               DELETE FROM audit_log WHERE id IN (
                 SELECT id FROM audit_log WHERE at < least($1::timestamptz, now() - interval '1 day') LIMIT $2)
               RETURNING 1)
             SELECT count(*)::int AS n FROM gone`,
            [cutoff, PURGE_BATCH],
          );
          return Number(rows[0]?.n ?? 0);
        });
        deleted += n;
        if (n < PURGE_BATCH) return deleted;
      }
    },

    async organizersWithUpcomingInterviews(after) {
      const { rows } = await db.query<{ tid: string; organizer_oid: string }>(
        `SELECT DISTINCT i.tid, i.organizer_oid
         FROM interviews i JOIN tenants t ON t.tid = i.tid AND t.consent_status = 'granted'
         WHERE i.status IN ('pending', 'scheduled') AND i.start_at > $1::timestamptz
         ORDER BY i.tid, i.organizer_oid`,
        [after],
      );
      return rows.map((r) => ({ tid: r.tid, organizerOid: r.organizer_oid }));
    },

    async archiveUpcomingInterviews(tid, organizerOid, after) {
      const { rows } = await db.query<{ n: number }>(
        `WITH done AS (
           UPDATE interviews SET status = 'archived', updated_at = now()
           WHERE tid = $1 AND organizer_oid = $2 AND status IN ('pending', 'scheduled') AND start_at > $3::timestamptz
           RETURNING 1)
         SELECT count(*)::int AS n FROM done`,
        [tid, organizerOid, after],
      );
      return Number(rows[0]?.n ?? 0);
    },
  };
}
