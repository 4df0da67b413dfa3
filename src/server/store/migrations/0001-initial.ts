/**
 * Migration 1: tenants, interviews and the append-only audit log (DESIGN.md, "Data").
 *
 * Plain PostgreSQL that PGlite (PostgreSQL 18) and PostgreSQL 13+ both run. One statement per
 * string, because PGlite runs each through the extended protocol.
 */
import type { Migration } from './migration';

export const initial: Migration = {
  version: 1,
  name: 'initial',
  statements: [
    `CREATE TABLE tenants (
      tid                  text PRIMARY KEY,
      display_name         text,
      cloud                text NOT NULL,
      consent_status       text NOT NULL CHECK (consent_status IN ('granted', 'revoked', 'disconnected')),
      granted_roles        text[] NOT NULL DEFAULT '{}',
      consented_at         timestamptz NOT NULL,
      credential_mode      text NOT NULL CHECK (credential_mode IN ('multitenant', 'tenant')),
      encrypted_credential text,
      offboarded_at        timestamptz,
      updated_at           timestamptz NOT NULL DEFAULT now()
    )`,

    // No foreign key to tenants: an interview row outlives a tenant's offboarding (it is the
    // record of an event that exists in the tenant's calendars) until retention removes both.
    `CREATE TABLE interviews (
      id                  uuid PRIMARY KEY,
      tid                 text NOT NULL,
      organizer_oid       text NOT NULL,
      organizer_email     text NOT NULL,
      candidate_name      text NOT NULL,
      candidate_email     text NOT NULL,
      candidate_time_zone text,
      panel               text[] NOT NULL DEFAULT '{}',
      subject             text NOT NULL,
      start_at            timestamptz NOT NULL,
      end_at              timestamptz NOT NULL,
      time_zone           text NOT NULL,
      status              text NOT NULL CHECK (status IN ('pending', 'scheduled', 'cancelled', 'declined', 'moved', 'failed')),
      channel             text NOT NULL CHECK (channel IN ('addin', 'bot', 'api', 'cli')),
      transaction_id      text NOT NULL UNIQUE,
      idempotency_key     text,
      request_hash        text,
      graph_event_id      text,
      ical_uid            text,
      join_url            text,
      created_at          timestamptz NOT NULL DEFAULT now(),
      updated_at          timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT interviews_end_after_start CHECK (end_at > start_at),
      -- NULL keys never collide (NULLs are distinct), so requests without a key are never merged.
      CONSTRAINT interviews_idempotency_key_unique UNIQUE (tid, organizer_oid, idempotency_key)
    )`,

    `CREATE INDEX interviews_organizer_start_idx ON interviews (tid, organizer_oid, start_at)`,

    `CREATE TABLE audit_log (
      id               bigserial PRIMARY KEY,
      tid              text NOT NULL,
      actor_oid        text NOT NULL,
      operation        text NOT NULL,
      target_mailbox   text,
      status           integer NOT NULL,
      graph_request_id text,
      request_id       text,
      at               timestamptz NOT NULL
    )`,

    `CREATE INDEX audit_log_tid_at_idx ON audit_log (tid, at)`,

    // Append-only, enforced by the database and not only by the code: UPDATE is always refused;
    // DELETE and TRUNCATE only inside a transaction that opted in with
    //   SET LOCAL convene.audit_purge = 'on'
    // which is reserved for the retention purge (delete rows older than the retention period).
    // `current_setting(..., true)` returns NULL (or '' once the setting was ever used in the
    // session) when it is not set, so the default is "refuse".
    // One function for the row-level UPDATE/DELETE trigger and the statement-level TRUNCATE
    // trigger. A row-level BEFORE trigger that returns NULL skips the row, so an allowed DELETE
    // returns OLD (NULL, and ignored, in the statement-level case).
    `CREATE FUNCTION convene_audit_log_guard() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE')
           AND coalesce(current_setting('convene.audit_purge', true), '') = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'A retention purge runs DELETE after SET LOCAL convene.audit_purge = ''on''.';
      END
      $$`,

    `CREATE TRIGGER audit_log_append_only
      BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION convene_audit_log_guard()`,

    `CREATE TRIGGER audit_log_no_truncate
      BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION convene_audit_log_guard()`,
  ],
};
