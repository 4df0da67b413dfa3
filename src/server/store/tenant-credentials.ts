/**
 * Tenant-provided app registrations in the `tenants` table (columns `credential_mode`,
 * `encrypted_credential`; DESIGN.md "Data"): going back to Convene's multi-tenant app, and the
 * bulk reads and compare-and-swap writes `convene keys rotate` needs. Storing a registration is
 * `TenantStore.recordConsent` with `credentialMode: 'tenant'` (it proves consent too).
 */
import type { SqlClient } from './db';
import type { SealedTenantCredential, TenantCredentialStore } from './types';

/** {@link TenantCredentialStore} over SQL. Only envelopes are read or written, never plaintext. */
export function createTenantCredentialStore(db: SqlClient): TenantCredentialStore {
  return {
    async clear(tid) {
      // Back to the multi-tenant app: its consent is not known, so the status becomes `revoked`
      // and the tenant registry proves it again (app-only token) on next use.
      const { rows } = await db.query<{ tid: string }>(
        `UPDATE tenants SET credential_mode = 'multitenant', encrypted_credential = NULL,
           consent_status = CASE WHEN consent_status = 'disconnected' THEN consent_status ELSE 'revoked' END,
           updated_at = now()
         WHERE tid = $1 AND credential_mode = 'tenant'
         RETURNING tid`,
        [tid],
      );
      return rows.length > 0;
    },

    async listSealed() {
      const { rows } = await db.query<{ tid: string; encrypted_credential: string }>(
        `SELECT tid, encrypted_credential FROM tenants WHERE encrypted_credential IS NOT NULL ORDER BY tid`,
      );
      return rows.map((r): SealedTenantCredential => ({ tid: r.tid, encryptedCredential: r.encrypted_credential }));
    },

    async replaceSealed(tid, expected, next) {
      // Compare-and-swap: a credential changed meanwhile (an admin replaced it) is left alone.
      const { rows } = await db.query<{ tid: string }>(
        `UPDATE tenants SET encrypted_credential = $3, updated_at = now()
         WHERE tid = $1 AND encrypted_credential = $2
         RETURNING tid`,
        [tid, expected, next],
      );
      return rows.length > 0;
    },
  };
}
