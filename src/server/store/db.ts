/**
 * The SQL port under the store: one PostgreSQL dialect over two engines.
 *
 * - PGlite (embedded PostgreSQL in WebAssembly, the default): one in-process connection,
 *   persisted in a directory (default `./.data/pglite`) or in memory (`memory://`, for tests).
 * - PostgreSQL through a `pg` Pool, when a `DATABASE_URL` is given (N server instances on one
 *   database).
 *
 * Only parameterized statements (`$1`, `$2`, ...): values never go into SQL text.
 */
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { PGlite, Transaction as PgliteTransaction } from '@electric-sql/pglite';
import type { Pool, PoolClient } from 'pg';
import { ConveneError, internal } from '../../shared/errors';

/** Which engine a {@link SqlClient} talks to. */
export type SqlEngine = 'pglite' | 'postgres';

/** A query result: only the rows (use `RETURNING` to learn what a write touched). */
export interface SqlResult<T> {
  rows: T[];
}

/**
 * The tiny SQL port the store is written against.
 *
 * One statement per {@link SqlClient.query} call (PGlite uses the extended protocol, which
 * refuses several statements in one string).
 */
export interface SqlClient {
  readonly kind: SqlEngine;
  /**
   * Run one parameterized statement.
   * @param sql PostgreSQL text with `$1`, `$2`, ... placeholders.
   * @param params Values for the placeholders; JS arrays bind to PostgreSQL arrays (`text[]`),
   *   ISO 8601 strings to `timestamptz`, `null` to NULL.
   */
  query<T extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<SqlResult<T>>;
  /**
   * Run `fn` inside one transaction (READ COMMITTED) on one connection; commit when it resolves,
   * roll back when it throws (and rethrow). Inside `fn` use only `tx`: on PGlite the outer
   * client waits for the transaction to end, so calling it from `fn` would never return.
   * Nested calls on `tx` use a savepoint.
   */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  /** Release the connection(s). Rejects on a transaction's client. */
  close(): Promise<void>;
}

/** Convene's local data directory (config `CONVENE_DATA_DIR`), when none is given. */
export const defaultDataDir = './.data';

/** The PGlite directory inside Convene's data directory. */
export const pgliteSubdir = 'pglite';

/** PGlite's in-memory data directory (nothing written to disk). */
export const memoryDataDir = 'memory://';

/** How to reach the database. */
export interface SqlClientOptions {
  /** `postgres://user:pass@host:5432/db`; when set, PostgreSQL is used and `dataDir` ignored. */
  databaseUrl?: string;
  /**
   * Convene's data directory (default {@link defaultDataDir}): PGlite keeps its files in the
   * `pglite` directory inside it (created if absent), so the default is `./.data/pglite` and other
   * local files can live next to it. `memory://` keeps the database in memory.
   */
  dataDir?: string;
  /** Max connections of the PostgreSQL pool. Default 10. */
  poolMax?: number;
  /**
   * Called when an idle pooled PostgreSQL connection fails (server restart, network). The pool
   * drops that connection and opens a new one on the next query; without a listener Node would
   * treat the `error` event as fatal and exit.
   */
  onIdleError?: (err: Error) => void;
}

/**
 * Open a {@link SqlClient}: PostgreSQL when `databaseUrl` is given, else PGlite in `dataDir`.
 *
 * @throws ConveneError `internal` when the database cannot be opened (cause attached).
 * @example
 * const db = await openSqlClient({ dataDir: 'memory://' });
 * const { rows } = await db.query<{ one: number }>('select $1::int as one', [1]);
 */
export async function openSqlClient(options: SqlClientOptions = {}): Promise<SqlClient> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  const dataDir = options.dataDir ?? defaultDataDir;
  return openPglite(isMemoryDir(dataDir) ? dataDir : path.join(dataDir, pgliteSubdir));
}

function isMemoryDir(dataDir: string): boolean {
  return dataDir.startsWith(memoryDataDir);
}

/**
 * Open PGlite persisted in exactly `dataDir` (created if absent) or in memory (`memory://`).
 *
 * PGlite is a single connection and must be opened by one process at a time: two servers on one
 * data directory would corrupt it (use PostgreSQL to run several instances).
 * PGlite itself serializes statements and transactions on its connection: a plain query issued
 * while a transaction runs waits for it to end.
 *
 * @throws ConveneError `internal` when PGlite cannot start (cause attached).
 * @see https://pglite.dev/docs/api
 */
export async function openPglite(dataDir: string): Promise<SqlClient> {
  const inMemory = isMemoryDir(dataDir);
  try {
    let location = dataDir;
    if (!inMemory) {
      location = path.resolve(dataDir);
      await mkdir(location, { recursive: true });
    }
    // Loaded lazily: PostgreSQL deployments never pay for the WebAssembly module.
    const { PGlite: PGliteClass } = await import('@electric-sql/pglite');
    const db = await PGliteClass.create(location);
    return pgliteClient(db);
  } catch (cause) {
    throw new ConveneError(internal, `cannot open the embedded database in ${dataDir}`, { cause });
  }
}

/**
 * The part of PGlite this module uses. Structural on purpose: the type import resolves to the
 * CommonJS declarations and the dynamic `import()` to the ESM ones, and TypeScript treats the two
 * `PGlite` classes (with `#private` members) as different types.
 */
type PgliteConnection = Pick<PGlite, 'query' | 'transaction' | 'close'>;

function pgliteClient(db: PgliteConnection): SqlClient {
  return {
    kind: 'pglite',
    async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<T>> {
      const r = await db.query<T>(sql, params as unknown[]);
      return { rows: r.rows };
    },
    transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      return db.transaction((tx) => fn(pgliteTxClient(tx, { depth: 0 })));
    },
    close: () => db.close(),
  };
}

interface SavepointState {
  depth: number;
}

function pgliteTxClient(tx: PgliteTransaction, sp: SavepointState): SqlClient {
  const self: SqlClient = {
    kind: 'pglite',
    async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<T>> {
      const r = await tx.query<T>(sql, params as unknown[]);
      return { rows: r.rows };
    },
    transaction: <T>(fn: (inner: SqlClient) => Promise<T>) => withSavepoint(self, sp, fn),
    close: rejectCloseInTransaction,
  };
  return self;
}

/**
 * Open a `pg` Pool on `databaseUrl` and check that it answers.
 *
 * @throws ConveneError `internal` when PostgreSQL does not answer (cause attached; the URL,
 *   which may hold a password, is not in the message).
 * @see https://node-postgres.com/apis/pool
 */
export async function openPostgres(
  databaseUrl: string,
  options: Pick<SqlClientOptions, 'poolMax' | 'onIdleError'> = {},
): Promise<SqlClient> {
  const { Pool: PoolClass } = await import('pg');
  const pool: Pool = new PoolClass({ connectionString: databaseUrl, max: options.poolMax ?? 10 });
  pool.on('error', (err) => options.onIdleError?.(err));
  try {
    await pool.query('select 1');
  } catch (cause) {
    await pool.end().catch(() => undefined);
    throw new ConveneError(internal, 'cannot connect to PostgreSQL (DATABASE_URL)', { cause });
  }
  return {
    kind: 'postgres',
    async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<T>> {
      const r = await pool.query(sql, params as unknown[]);
      return { rows: r.rows as T[] };
    },
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      // A transaction lives on one connection: every statement of it must use this client.
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        try {
          const result = await fn(pgTxClient(client, { depth: 0 }));
          // After an error inside the transaction (caught by `fn`), PostgreSQL answers COMMIT with
          // ROLLBACK and node-postgres does not throw: say so, as PGlite does.
          const commit = await client.query('COMMIT');
          if (commit.command === 'ROLLBACK') {
            throw new ConveneError(internal, 'the transaction was rolled back: a statement in it failed');
          }
          return result;
        } catch (err) {
          try {
            await client.query('ROLLBACK');
          } catch {
            // The connection is unusable (e.g. the server went away): do not return it to the pool.
            broken = true;
          }
          throw err;
        }
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

function pgTxClient(client: PoolClient, sp: SavepointState): SqlClient {
  const self: SqlClient = {
    kind: 'postgres',
    async query<T extends object>(sql: string, params: readonly unknown[] = []): Promise<SqlResult<T>> {
      const r = await client.query(sql, params as unknown[]);
      return { rows: r.rows as T[] };
    },
    transaction: <T>(fn: (inner: SqlClient) => Promise<T>) => withSavepoint(self, sp, fn),
    close: rejectCloseInTransaction,
  };
  return self;
}

/** A nested transaction: a savepoint inside the enclosing one, so an inner failure can be undone alone. */
async function withSavepoint<T>(tx: SqlClient, sp: SavepointState, fn: (inner: SqlClient) => Promise<T>): Promise<T> {
  sp.depth += 1;
  const name = `convene_sp_${sp.depth}`;
  try {
    await tx.query(`SAVEPOINT ${name}`);
    try {
      const result = await fn(tx);
      await tx.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await tx.query(`ROLLBACK TO SAVEPOINT ${name}`);
      throw err;
    }
  } finally {
    sp.depth -= 1;
  }
}

function rejectCloseInTransaction(): Promise<void> {
  return Promise.reject(new ConveneError(internal, 'close() called on a transaction; close the outer client instead'));
}
