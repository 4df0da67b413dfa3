/**
 * The `audit_log` table: one row per Graph call, append-only (DESIGN.md, "Data"). The database
 * refuses UPDATE, DELETE and TRUNCATE on it (trigger in migration 1); only a retention purge
 * that sets `SET LOCAL convene.audit_purge = 'on'` in its transaction may delete.
 */
import type { SqlClient } from './db';
import { isoFromDb } from './rows';
import type { AuditEntry, AuditQuery, AuditStore } from './types';

/** Rows {@link AuditStore.list} returns when no `limit` is given. */
export const defaultAuditListLimit = 100;
/** The most rows one {@link AuditStore.list} call returns, whatever `limit` asks. */
export const maxAuditListLimit = 1000;

interface AuditRow {
  tid: string;
  actor_oid: string;
  operation: string;
  target_mailbox: string | null;
  status: number;
  graph_request_id: string | null;
  request_id: string | null;
  at: unknown;
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    tid: r.tid,
    actorOid: r.actor_oid,
    operation: r.operation,
    targetMailbox: r.target_mailbox,
    status: Number(r.status),
    graphRequestId: r.graph_request_id,
    requestId: r.request_id,
    at: isoFromDb(r.at),
  };
}

/**
 * {@link AuditStore} over SQL.
 *
 * `append` is on the hot path (every Graph call): it writes all entries with ONE statement and
 * one round trip, `INSERT ... SELECT FROM unnest($1::text[], ...)`: one array parameter per
 * column, so the SQL text is the same for 1 or 5,000 entries and never meets PostgreSQL's
 * 65,535-parameter limit, unlike a `VALUES (...), (...)` list with one parameter per field.
 *
 * `list` returns the newest entries first (`at` descending, then insertion order descending).
 */
export function createAuditStore(db: SqlClient): AuditStore {
  return {
    async append(entries: AuditEntry[]) {
      if (entries.length === 0) return;
      await db.query(
        `INSERT INTO audit_log (tid, actor_oid, operation, target_mailbox, status, graph_request_id, request_id, at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::timestamptz[])`,
        [
          entries.map((e) => e.tid),
          entries.map((e) => e.actorOid),
          entries.map((e) => e.operation),
          entries.map((e) => e.targetMailbox),
          entries.map((e) => e.status),
          entries.map((e) => e.graphRequestId),
          entries.map((e) => e.requestId),
          entries.map((e) => e.at),
        ],
      );
    },

    async list(query: AuditQuery) {
      const asked = query.limit !== undefined && Number.isFinite(query.limit) ? Math.trunc(query.limit) : defaultAuditListLimit;
      const limit = Math.min(maxAuditListLimit, Math.max(1, asked));
      const { rows } = await db.query<AuditRow>(
        `SELECT tid, actor_oid, operation, target_mailbox, status, graph_request_id, request_id, at
         FROM audit_log
         WHERE tid = $1
           AND ($2::timestamptz IS NULL OR at >= $2::timestamptz)
           AND ($3::timestamptz IS NULL OR at < $3::timestamptz)
         ORDER BY at DESC, id DESC
         LIMIT $4`,
        [query.tid, query.from ?? null, query.to ?? null, limit],
      );
      return rows.map(toEntry);
    },
  };
}
