/**
 * Migration 2 (issue 3, admin consent): the one-time `state` values of the admin consent flow,
 * and why a tenant's consent was seen revoked.
 *
 * `consent_states` lives in the database, not in one server's memory, so the callback may land
 * on another instance behind the load balancer than the start did. Only SHA-256 hashes of the
 * state and of the browser-binding cookie are stored: a database reader cannot complete anyone's
 * consent. A row is deleted when used (single use) and is worthless after `expires_at`.
 */
import type { Migration } from './migration';

export const adminConsent: Migration = {
  version: 2,
  name: 'admin-consent',
  statements: [
    `CREATE TABLE consent_states (
      state_hash   text PRIMARY KEY,
      binding_hash text NOT NULL,
      tenant_hint  text,
      created_at   timestamptz NOT NULL,
      expires_at   timestamptz NOT NULL
    )`,
    `CREATE INDEX consent_states_expires_idx ON consent_states (expires_at)`,
    // 'token': Entra ID refused app tokens (AADSTS700016, 7000112); 'graph_forbidden': Graph
    // refused every mailbox of a request without naming an access policy.
    `ALTER TABLE tenants ADD COLUMN revoked_reason text CHECK (revoked_reason IN ('token', 'graph_forbidden'))`,
    `ALTER TABLE tenants ADD COLUMN revoked_at timestamptz`,
  ],
};
