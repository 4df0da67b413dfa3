/**
 * The {@link Store} over a {@link SqlClient}: the same code for PGlite and PostgreSQL.
 */
import { createAuditStore } from './audit';
import { createConversationStore } from './conversations';
import { withGroupCommit } from './group-commit';
import type { SqlClient } from './db';
import { createInterviewStore } from './interviews';
import { createJobStore } from './jobs';
import { createTenantCredentialStore } from './tenant-credentials';
import { createConsentStateStore, createTenantStore } from './tenants';
import type { Store } from './types';

/**
 * Build the store on an already migrated client (see `migrate`). The store owns the client:
 * `close()` closes it.
 */
export function createSqlStore(db: SqlClient): Store {
  return {
    kind: db.kind,
    tenants: createTenantStore(db),
    tenantCredentials: createTenantCredentialStore(db),
    interviews: createInterviewStore(db),
    // Group commit: one INSERT per burst of requests, each request still waits for its own entries.
    audit: withGroupCommit(createAuditStore(db)),
    consentStates: createConsentStateStore(db),
    jobs: createJobStore(db),
    conversations: createConversationStore(db),
    async ping() {
      await db.query('SELECT 1');
    },
    close: () => db.close(),
  };
}
