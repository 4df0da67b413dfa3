/**
 * The `tenants` table: one consent record per Entra ID tenant (DESIGN.md, "Data").
 */
import { ConveneError, notFound } from '../../shared/errors';
import type { SqlClient } from './db';
import { isoFromDb, isoOrNullFromDb, textArrayFromDb } from './rows';
import type { TenantConsentInput, TenantRecord, TenantStore } from './types';

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
}

const columns =
  'tid, display_name, cloud, consent_status, granted_roles, consented_at, credential_mode, encrypted_credential, offboarded_at, updated_at';

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
      // always carry it); a null credential is written (switching to `multitenant` clears it).
      const { rows } = await db.query<TenantRow>(
        `INSERT INTO tenants (tid, display_name, cloud, consent_status, granted_roles, consented_at,
                              credential_mode, encrypted_credential, offboarded_at, updated_at)
         VALUES ($1, $2, $3, 'granted', $4::text[], now(), $5, $6, NULL, now())
         ON CONFLICT (tid) DO UPDATE SET
           display_name = coalesce(EXCLUDED.display_name, tenants.display_name),
           cloud = EXCLUDED.cloud,
           consent_status = 'granted',
           granted_roles = EXCLUDED.granted_roles,
           consented_at = EXCLUDED.consented_at,
           credential_mode = EXCLUDED.credential_mode,
           encrypted_credential = EXCLUDED.encrypted_credential,
           offboarded_at = NULL,
           updated_at = EXCLUDED.updated_at
         RETURNING ${columns}`,
        [input.tid, input.displayName, input.cloud, input.grantedRoles, input.credentialMode, input.encryptedCredential],
      );
      return toRecord(rows[0]!);
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
  };
}
