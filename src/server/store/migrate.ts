/**
 * Applies the schema migrations, once, even when several server instances start together on one
 * PostgreSQL.
 *
 * Everything runs in ONE transaction that first takes a transaction-scoped advisory lock: a
 * second instance blocks on the lock until the first commits, then (READ COMMITTED: each
 * statement sees what committed before it) finds the versions already recorded and applies
 * nothing. A failed migration rolls back entirely, recording included. PGlite (one connection)
 * supports the same lock, so the code path is the same on both engines.
 */
import { ConveneError, internal } from '../../shared/errors';
import type { SqlClient } from './db';
import { migrations as allMigrations, type Migration } from './migrations';

/**
 * The advisory lock key serializing migration runs: the bytes of ASCII `CONVENE1` as a bigint.
 * Other code taking advisory locks on the same database must not use it.
 * @see https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS
 */
export const migrationLockKey = '4850181456138224945';

/** What {@link migrate} did. */
export interface MigrationResult {
  /** Versions applied by this call, ascending (empty when the schema was up to date). */
  applied: number[];
  /** Highest version recorded in the database after the call. */
  current: number;
}

/**
 * Bring the schema up to date.
 *
 * Versions recorded in the database but unknown to this code are accepted (a newer instance
 * already migrated during a rolling deploy; migrations are written to be backward compatible).
 *
 * @param db The client to migrate (not a transaction: this opens its own).
 * @param list The migrations to apply; defaults to all of Convene's.
 * @throws ConveneError `internal` when the list is not 1..n in order, or when a recorded version
 *   has another name than the code's (history was edited); any SQL error of a migration
 *   propagates unchanged after the rollback.
 */
export async function migrate(db: SqlClient, list: readonly Migration[] = allMigrations): Promise<MigrationResult> {
  checkOrder(list);
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${migrationLockKey})`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
    const { rows } = await tx.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version');
    const recorded = new Map(rows.map((r) => [Number(r.version), r.name]));
    const applied: number[] = [];
    for (const m of list) {
      const name = recorded.get(m.version);
      if (name !== undefined) {
        if (name !== m.name) {
          throw new ConveneError(internal, `schema migration ${m.version} is recorded as "${name}" but the code calls it "${m.name}"`);
        }
        continue;
      }
      for (const statement of m.statements) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    const current = Math.max(0, ...recorded.keys(), ...applied);
    return { applied, current };
  });
}

function checkOrder(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new ConveneError(internal, `schema migrations must be numbered 1..n in order; position ${i + 1} holds version ${m.version}`);
    }
  });
}
