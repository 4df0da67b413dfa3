/**
 * Convene's store: tenants, interviews and the audit log, in embedded PGlite (default) or
 * PostgreSQL (`DATABASE_URL`). Only the interfaces and the factory are public.
 */
import { ConveneError, internal, isConveneError } from '../../shared/errors';
import { openSqlClient } from './db';
import { migrate } from './migrate';
import { createSqlStore } from './sql-store';
import type { Store } from './types';

export type {
  AuditEntry,
  AuditQuery,
  AuditStore,
  InterviewRecord,
  InterviewStore,
  JobRunRecord,
  JobStore,
  NewInterview,
  SealedTenantCredential,
  Store,
  TenantConsentInput,
  TenantCredentialStore,
  TenantRecord,
  TenantStore,
} from './types';
export type { SqlClient, SqlEngine, SqlResult } from './db';
export type { BotCardRecord, ConversationStore, StoredConversationReference } from './conversations';
export { defaultDataDir, memoryDataDir } from './db';

/** Where {@link openStore} keeps data. */
export interface OpenStoreOptions {
  /** `postgres://...`: use PostgreSQL (several server instances may share it). */
  databaseUrl?: string;
  /**
   * Convene's data directory when no `databaseUrl` is given (config `CONVENE_DATA_DIR`); PGlite
   * lives in its `pglite` subdirectory, created if absent. Default `./.data`, so `./.data/pglite`
   * (relative to the working directory). `memory://` keeps everything in memory. One process at
   * a time per directory.
   */
  dataDir?: string;
  /** Max PostgreSQL connections per instance. Default 10. */
  poolMax?: number;
  /** Told about failures of idle PostgreSQL connections (the pool replaces them); for logging. */
  onIdleError?: (err: Error) => void;
}

/**
 * Open the database, apply pending migrations (safe when several instances start at once) and
 * return the {@link Store}.
 *
 * @throws ConveneError `internal` when the database cannot be opened or migrated (cause attached).
 * @example
 * const store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
 * await store.ping();
 */
export async function openStore(options: OpenStoreOptions = {}): Promise<Store> {
  const db = await openSqlClient(options);
  try {
    await migrate(db);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw isConveneError(err) ? err : new ConveneError(internal, 'cannot migrate the database schema', { cause: err });
  }
  return createSqlStore(db);
}
