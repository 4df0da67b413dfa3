/**
 * The `tenants` table: one consent record per Entra ID tenant (DESIGN.md, "Data"); the list of
 * tenant-scoped tables that offboarding empties; the admin consent flow's one-time states.
 */
import { ConveneError, notFound } from '../../shared/errors';
import type { SqlClient } from './db';
import { isoFromDb, isoOrNullFromDb, textArrayFromDb } from './rows';
import type { ConsentStateStore, ConsentStateTake, RevocationReason, TenantConsentInput, TenantRecord, TenantStore } from './types';

interface TenantRow {
  tid: string;
  display_name: string | null;
  cloud: string;
  consent_status: TenantRecord['consentStatus'];
  granted_roles: unknown;
  consented_at: unknown;
  credential_mode: TenantRecord['credentialMode'];
  encrypted_credential: string | null;
  offboarded_at: unknown;
  updated_at: unknown;
  revoked_reason: RevocationReason | null;
  consented_by_oid: string | null;
  consented_by_name: string | null;
  access_warning_at: unknown;
  access_warning_reason: string | null;
}

const columns =
  'tid, display_name, cloud, consent_status, granted_roles, consented_at, credential_mode, encrypted_credential, offboarded_at, updated_at, revoked_reason, ' +
  'consented_by_oid, consented_by_name, access_warning_at, access_warning_reason';

/** A table holding rows of one tenant (and maybe of one user in it). */
export interface TenantScopedTable {
  /** Table name (a fixed identifier, never user input). */
  table: string;
  /** Column holding the tenant id. */
  tenantColumn: string;
  /** Column holding the user's object id, for "delete my data"; null when rows are not a user's. */
  userColumn: string | null;
}

/**
 * Every table whose rows belong to one tenant: offboarding (`DELETE /api/admin/tenants/{tid}`)
 * deletes them all, and "delete my data" (`DELETE /api/me/data`) a user's rows of those with a
 * user column. A table added by a later migration must be listed here (a test checks that every
 * table with a `tid` column is listed or is `tenants`/`audit_log`). Tables not created yet (an
 * area not merged) are skipped. `audit_log` is deliberately absent: it is kept for its retention.
 */
export const TENANT_SCOPED_TABLES: readonly TenantScopedTable[] = Object.freeze([
  { table: 'interviews', tenantColumn: 'tid', userColumn: 'organizer_oid' },
  { table: 'conversation_references', tenantColumn: 'tid', userColumn: 'user_oid' },
  { table: 'bot_cards', tenantColumn: 'tid', userColumn: 'user_oid' },
  { table: 'subscriptions', tenantColumn: 'tid', userColumn: null },
  { table: 'tenant_credentials', tenantColumn: 'tid', userColumn: null },
]);

/** Tables that carry a tenant id but are not emptied by offboarding. */
export const TENANT_TABLES_KEPT: readonly string[] = Object.freeze(['tenants', 'audit_log']);

const IDENT = /^[a-z_][a-z0-9_]*$/;

async function existingTables(db: SqlClient, names: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1::text[])`,
    [names],
  );
  return new Set(rows.map((r) => r.name));
}

async function deleteFrom(
  db: SqlClient,
  tables: readonly TenantScopedTable[],
  where: (t: TenantScopedTable) => { sql: string; params: unknown[] } | null,
): Promise<Record<string, number>> {
  const present = await existingTables(
    db,
    tables.map((t) => t.table),
  );
  const deleted: Record<string, number> = {};
  for (const t of tables) {
    if (!present.has(t.table)) continue;
    const clause = where(t);
    if (!clause) continue;
    if (![t.table, t.tenantColumn, t.userColumn ?? 'x'].every((n) => IDENT.test(n))) throw new Error(`bad table name ${t.table}`);
    const { rows } = await db.query<{ n: number }>(
      `WITH d AS (DELETE FROM ${t.table} WHERE ${clause.sql} RETURNING 1) SELECT count(*)::int AS n FROM d`,
      clause.params,
    );
    deleted[t.table] = Number(rows[0]?.n ?? 0);
  }
  return deleted;
}

function toRecord(r: TenantRow): TenantRecord {
  return {
    tid: r.tid,
    displayName: r.display_name,
    cloud: r.cloud,
    consentStatus: r.consent_status,
    grantedRoles: textArrayFromDb(r.granted_roles),
    consentedAt: isoFromDb(r.consented_at),
    credentialMode: r.credential_mode,
    encryptedCredential: r.encrypted_credential,
    offboardedAt: isoOrNullFromDb(r.offboarded_at),
    updatedAt: isoFromDb(r.updated_at),
    revokedReason: r.revoked_reason ?? null,
    // Absent rather than null when not known, so records read before migration 5 keep their shape.
    ...(r.consented_by_oid ? { consentedBy: { oid: r.consented_by_oid, name: r.consented_by_name } } : {}),
    ...(r.access_warning_at !== null && r.access_warning_at !== undefined
      ? { accessWarning: { at: isoFromDb(r.access_warning_at), reason: r.access_warning_reason ?? '' } }
      : {}),
  };
}

/**
 * {@link TenantStore} over SQL. Times (`consentedAt`, `updatedAt`, `offboardedAt`) come from the
 * database clock, so every server instance on one PostgreSQL agrees on them.
 */
export function createTenantStore(db: SqlClient): TenantStore {
  return {
    async get(tid) {
      const { rows } = await db.query<TenantRow>(`SELECT ${columns} FROM tenants WHERE tid = $1`, [tid]);
      return rows[0] ? toRecord(rows[0]) : null;
    },

    async recordConsent(input: TenantConsentInput) {
      // One statement: two instances handling the same admin's consent redirect cannot both
      // insert. A null display name keeps the one already known (the consent callback does not
      // always carry it); a null credential is written (switching to `multitenant` clears it),
      // except with `keepTenantApp`, where a stored tenant credential (mode `tenant`) stays with
      // its mode and roles, whatever was read before. The access warning stays (only a successful
      // Graph call clears it); `consented_by` names who proved consent this time (null: not known).
      const keep = `$9::boolean AND tenants.credential_mode = 'tenant' AND tenants.encrypted_credential IS NOT NULL`;
      const { rows } = await db.query<TenantRow>(
        `INSERT INTO tenants (tid, display_name, cloud, consent_status, granted_roles, consented_at,
                              credential_mode, encrypted_credential, offboarded_at, updated_at, consented_by_oid, consented_by_name)
         VALUES ($1, $2, $3, 'granted', $4::text[], now(), $5, $6, NULL, now(), $7, $8)
         ON CONFLICT (tid) DO UPDATE SET
           display_name = coalesce(EXCLUDED.display_name, tenants.display_name),
           cloud = EXCLUDED.cloud,
           consent_status = 'granted',
           granted_roles = CASE WHEN ${keep} THEN tenants.granted_roles ELSE EXCLUDED.granted_roles END,
           consented_at = EXCLUDED.consented_at,
           credential_mode = CASE WHEN ${keep} THEN tenants.credential_mode ELSE EXCLUDED.credential_mode END,
           encrypted_credential = CASE WHEN ${keep} THEN tenants.encrypted_credential ELSE EXCLUDED.encrypted_credential END,
           offboarded_at = NULL,
           updated_at = EXCLUDED.updated_at,
           revoked_reason = NULL,
           revoked_at = NULL,
           consented_by_oid = EXCLUDED.consented_by_oid,
           consented_by_name = EXCLUDED.consented_by_name
         RETURNING ${columns}`,
        [
          input.tid,
          input.displayName,
          input.cloud,
          input.grantedRoles,
          input.credentialMode,
          input.encryptedCredential,
          input.consentedBy?.oid ?? null,
          input.consentedBy?.name ?? null,
          input.keepTenantApp === true,
        ],
      );
      return toRecord(rows[0]!);
    },

    async recordAccessWarning(tid, reason) {
      const { rows } = await db.query<{ tid: string }>(
        `UPDATE tenants SET access_warning_at = now(), access_warning_reason = $2 WHERE tid = $1 AND consent_status = 'granted' RETURNING tid`,
        [tid, reason],
      );
      return rows.length > 0;
    },

    async clearAccessWarning(tid) {
      const { rows } = await db.query<{ tid: string }>(
        `UPDATE tenants SET access_warning_at = NULL, access_warning_reason = NULL
         WHERE tid = $1 AND access_warning_at IS NOT NULL RETURNING tid`,
        [tid],
      );
      return rows.length > 0;
    },

    async setStatus(tid, status) {
      // `disconnected` is offboarding: stamp it once (a repeated disconnect keeps the first time).
      // Any other status leaves `offboarded_at` unless it is `granted`, which undoes offboarding.
      const { rows } = await db.query<{ tid: string }>(
        `UPDATE tenants SET
           consent_status = $2::text,
           offboarded_at = CASE
             WHEN $2::text = 'disconnected' THEN coalesce(offboarded_at, now())
             WHEN $2::text = 'granted' THEN NULL
             ELSE offboarded_at END,
           updated_at = now()
         WHERE tid = $1
         RETURNING tid`,
        [tid, status],
      );
      if (rows.length === 0) throw new ConveneError(notFound, 'no such tenant');
    },

    async markRevoked(tid, reason, grantedRoles) {
      const { rows } = await db.query<{ tid: string }>(
        `UPDATE tenants SET consent_status = 'revoked', revoked_reason = $2, revoked_at = now(), updated_at = now(),
           granted_roles = coalesce($3::text[], granted_roles)
         WHERE tid = $1 AND consent_status = 'granted' RETURNING tid`,
        [tid, reason, grantedRoles ?? null],
      );
      return rows.length > 0;
    },

    disconnect(tid) {
      return db.transaction(async (tx) => {
        const deleted = await deleteFrom(tx, TENANT_SCOPED_TABLES, (t) => ({ sql: `${t.tenantColumn} = $1`, params: [tid] }));
        const { rows } = await tx.query<{ tid: string }>(
          `UPDATE tenants SET consent_status = 'disconnected', encrypted_credential = NULL, credential_mode = 'multitenant',
             granted_roles = '{}', offboarded_at = coalesce(offboarded_at, now()), revoked_reason = NULL, revoked_at = NULL,
             access_warning_at = NULL, access_warning_reason = NULL, updated_at = now()
           WHERE tid = $1 RETURNING tid`,
          [tid],
        );
        if (rows.length === 0)
          // Never consented through Convene (or seen): keep a record so the dual lock keeps refusing it.
          await tx.query(
            `INSERT INTO tenants (tid, cloud, consent_status, consented_at, credential_mode, offboarded_at, updated_at)
             VALUES ($1, 'unknown', 'disconnected', now(), 'multitenant', now(), now())`,
            [tid],
          );
        return deleted;
      });
    },

    deleteUserData(tid, oid) {
      return db.transaction((tx) =>
        deleteFrom(tx, TENANT_SCOPED_TABLES, (t) =>
          t.userColumn ? { sql: `${t.tenantColumn} = $1 AND ${t.userColumn} = $2`, params: [tid, oid] } : null,
        ),
      );
    },
  };
}

/**
 * {@link ConsentStateStore} over SQL. Expiry is judged with the caller's clock (`nowIso`), the
 * same clock that set `expiresAt`. Bounds: after each insert, the client's states beyond
 * `bounds.perClient` and all states beyond `bounds.total` are deleted, oldest first (by the
 * database sequence `seq`, so instances with skewed clocks agree); expired ones went first.
 * Concurrent starts may overshoot a bound by how many run at once, never more.
 */
export function createConsentStateStore(db: SqlClient): ConsentStateStore {
  return {
    async create(input, bounds) {
      await db.query(`DELETE FROM consent_states WHERE expires_at < $1::timestamptz`, [input.createdAt]);
      await db.query(
        `INSERT INTO consent_states (state_hash, binding_hash, tenant_hint, created_at, expires_at, admin_oid, admin_name, client_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          input.stateHash,
          input.bindingHash,
          input.tenantHint,
          input.createdAt,
          input.expiresAt,
          input.admin?.oid ?? null,
          input.admin?.name ?? null,
          input.clientKey ?? null,
        ],
      );
      if (!bounds) return;
      if (input.clientKey !== undefined)
        await db.query(
          `DELETE FROM consent_states WHERE state_hash IN (
             SELECT state_hash FROM consent_states WHERE client_key = $1 ORDER BY seq DESC OFFSET $2)`,
          [input.clientKey, bounds.perClient],
        );
      await db.query(`DELETE FROM consent_states WHERE state_hash IN (SELECT state_hash FROM consent_states ORDER BY seq DESC OFFSET $1)`, [
        bounds.total,
      ]);
    },

    async take(stateHash, bindingHash, nowIso): Promise<ConsentStateTake> {
      // One statement: two callbacks racing with the same state cannot both get it.
      const { rows } = await db.query<{
        tenant_hint: string | null;
        expired: boolean;
        admin_oid: string | null;
        admin_name: string | null;
      }>(
        `DELETE FROM consent_states WHERE state_hash = $1 AND binding_hash = $2
         RETURNING tenant_hint, (expires_at <= $3::timestamptz) AS expired, admin_oid, admin_name`,
        [stateHash, bindingHash, nowIso],
      );
      const row = rows[0];
      if (row)
        return row.expired
          ? { outcome: 'expired' }
          : {
              outcome: 'ok',
              tenantHint: row.tenant_hint,
              admin: row.admin_oid ? { oid: row.admin_oid, name: row.admin_name } : null,
            };
      const other = await db.query<{ one: number }>(`SELECT 1 AS one FROM consent_states WHERE state_hash = $1`, [stateHash]);
      return other.rows.length > 0 ? { outcome: 'otherBrowser' } : { outcome: 'unknown' };
    },
  };
}
