/**
 * Migration 5 (issue 3 review follow-ups): who started a consent, bounded pending consents, who
 * consented, and access warnings instead of revocation from Graph 403s.
 *
 * - `consent_states.admin_oid` / `admin_name`: set when the consent was started by a signed-in
 *   `Convene.Admin` of the tenant (`POST /api/admin/consent/start`). Only such a start may
 *   connect a tenant that an admin disconnected in Convene again, and it names the consenting admin.
 * - `consent_states.client_key`: who asked for the state (the client's address for the
 *   unauthenticated start, `oid:<oid>` for the signed-in one), and `seq`, the order states were
 *   created in (one database sequence for every instance): the oldest states beyond a per-client
 *   and a global bound are dropped, so the unauthenticated start cannot fill the database.
 * - `tenants.consented_by_oid` / `consented_by_name`: the admin who went through the signed-in
 *   consent start (null when consent was seen otherwise).
 * - `tenants.access_warning_at` / `access_warning_reason`: Microsoft Graph refused every mailbox of
 *   a request with a plain 403. Shown on the status page, cleared by a later successful call; the
 *   dual lock does not refuse the tenant on it (RBAC for Applications may answer a plain 403 for
 *   out-of-scope mailboxes). Tenants that migration 2's rules flipped to `revoked` for that reason
 *   are granted again, with the warning.
 */
import type { Migration } from './migration';

/** The warning text recorded for tenants revoked by the old rule. */
const WARNING = 'Microsoft Graph refused every mailbox in a request: consent may have been withdrawn or the scope is too narrow.';

export const consentHardening: Migration = {
  version: 5,
  name: 'consent-hardening',
  statements: [
    `ALTER TABLE consent_states ADD COLUMN admin_oid text`,
    `ALTER TABLE consent_states ADD COLUMN admin_name text`,
    `ALTER TABLE consent_states ADD COLUMN client_key text`,
    `ALTER TABLE consent_states ADD COLUMN seq bigserial`,
    `CREATE INDEX consent_states_client_idx ON consent_states (client_key, seq)`,
    `CREATE INDEX consent_states_seq_idx ON consent_states (seq)`,
    `ALTER TABLE tenants ADD COLUMN consented_by_oid text`,
    `ALTER TABLE tenants ADD COLUMN consented_by_name text`,
    `ALTER TABLE tenants ADD COLUMN access_warning_at timestamptz`,
    `ALTER TABLE tenants ADD COLUMN access_warning_reason text`,
    `UPDATE tenants SET consent_status = 'granted', access_warning_at = coalesce(revoked_at, now()),
       access_warning_reason = '${WARNING}', revoked_reason = NULL, revoked_at = NULL
     WHERE consent_status = 'revoked' AND revoked_reason = 'graph_forbidden'`,
  ],
};
