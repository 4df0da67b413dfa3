/**
 * Migration 4: scheduled jobs that run once across N server instances, the `archived` interview
 * status (the user-archive job), and a narrower audit-log purge exception.
 *
 * - `job_runs`: one row per (job, period). An instance runs a job for a period only if its
 *   `INSERT ... ON CONFLICT` claims the row; the others skip. A failed run, or a run whose
 *   instance died (still `running` after its lease), may be claimed again, a bounded number of
 *   times.
 * - `interviews.status` may be `archived`: the organizer left the tenant (Graph `GET /users/{oid}`
 *   answered 404); the invite still exists in Exchange, Convene no longer acts on it.
 * - The audit-log guard of migration 1 allowed any DELETE in a transaction that set
 *   `convene.audit_purge = 'on'`. It now also requires each deleted row to be at least one day
 *   old: even code that opts in cannot erase the recent trail (retention is at least one day).
 *   UPDATE and TRUNCATE stay refused, and DELETE without the setting too.
 */
import type { Migration } from './migration';

export const scheduledJobs: Migration = {
  version: 4,
  name: 'scheduled-jobs',
  statements: [
    `CREATE TABLE job_runs (
      job          text NOT NULL,
      period       text NOT NULL,
      instance_id  text NOT NULL,
      status       text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
      attempts     integer NOT NULL DEFAULT 1,
      started_at   timestamptz NOT NULL DEFAULT now(),
      finished_at  timestamptz,
      result       jsonb,
      error        text,
      PRIMARY KEY (job, period)
    )`,

    `ALTER TABLE interviews DROP CONSTRAINT IF EXISTS interviews_status_check`,

    `ALTER TABLE interviews ADD CONSTRAINT interviews_status_check
      CHECK (status IN ('pending', 'scheduled', 'cancelled', 'declined', 'moved', 'failed', 'archived'))`,

    // Organizers with interviews still ahead, for the daily user-archive job.
    `CREATE INDEX interviews_active_start_idx ON interviews (start_at) WHERE status IN ('pending', 'scheduled')`,

    `CREATE OR REPLACE FUNCTION convene_audit_log_guard() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE'
           AND coalesce(current_setting('convene.audit_purge', true), '') = 'on'
           AND OLD.at < now() - interval '1 day' THEN
          RETURN OLD;
        END IF;
        IF TG_OP = 'DELETE' AND coalesce(current_setting('convene.audit_purge', true), '') = 'on' THEN
          RAISE EXCEPTION 'audit_log is append-only: DELETE refused for an entry less than one day old'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'Only the retention purge deletes, after SET LOCAL convene.audit_purge = ''on'', entries older than one day.';
      END
      $$`,
  ],
};
