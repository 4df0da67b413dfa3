/**
 * The booking lock across server instances: PostgreSQL transaction-scoped advisory locks.
 *
 * For each critical section the lock takes a connection from its own small pool (never the
 * store's: the section itself queries the store, and sharing one pool could leave every
 * connection held by a waiter), opens a transaction, takes `pg_advisory_xact_lock(k)` for every
 * key's 64-bit hash in ascending order (one global order, so no deadlock), each under a
 * transaction-local `lock_timeout` of what is left of `waitMs`, runs the section, and ends the transaction, which releases every lock
 * at once. If the instance dies, PostgreSQL ends the session and the locks go with it.
 *
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS
 * @see https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADVISORY-LOCKS
 * @see https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT
 */
import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { ConveneError } from '../../shared/errors';
import type { BookingLock } from './booking-lock';

/** Options of {@link createPostgresBookingLock}. */
export interface PostgresBookingLockOptions {
  /** The same PostgreSQL every instance uses (`DATABASE_URL`). */
  databaseUrl: string;
  /** Most bookings of this instance holding or waiting for locks at once. Default 10. */
  poolMax?: number;
  /** Longest wait for a connection plus the locks, ms. Default 15,000. */
  waitMs?: number;
  /** Told about failures of idle pooled connections (the pool replaces them). */
  onIdleError?: (err: Error) => void;
}

/** The `Retry-After` a caller gets when the wait ran out, ms. */
const RETRY_AFTER_MS = 2_000;
/** PostgreSQL's `lock_not_available` (lock_timeout expired). */
const LOCK_NOT_AVAILABLE = '55P03';
/** Key reserved by `store/migrate.ts` (ASCII `CONVENE1`); never produced here. */
const MIGRATION_LOCK_KEY = 4850181456138224945n;

/**
 * The advisory lock key of one lock key string: the first 8 bytes of SHA-256 of the lowercased
 * string, as a signed 64-bit integer (PostgreSQL `bigint`), in decimal.
 */
export function advisoryKey(key: string): bigint {
  const value = createHash('sha256').update(key.toLowerCase()).digest().readBigInt64BE(0);
  return value === MIGRATION_LOCK_KEY ? value - 1n : value;
}

/** A {@link BookingLock} over PostgreSQL advisory locks (N instances on one database). */
export async function createPostgresBookingLock(options: PostgresBookingLockOptions): Promise<BookingLock> {
  const waitMs = options.waitMs ?? 15_000;
  const { Pool: PoolClass } = await import('pg');
  const pool: Pool = new PoolClass({
    connectionString: options.databaseUrl,
    max: options.poolMax ?? 10,
    connectionTimeoutMillis: waitMs,
    // Connections are only held for the critical section; do not keep many idle ones.
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (err) => options.onIdleError?.(err));
  let closed: Promise<void> | undefined;

  function busy(cause: unknown): ConveneError {
    return new ConveneError('conflict', 'Another booking for the same people is still in progress. Try again in a moment.', {
      cause,
      retryAfterMs: RETRY_AFTER_MS,
    });
  }

  return {
    async runExclusive(keys, fn) {
      const deadline = Date.now() + waitMs;
      const sorted = [...new Set(keys.map(advisoryKey))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (cause) {
        // connectionTimeoutMillis ran out: every lock connection of this instance is busy.
        if (cause instanceof Error && /timeout/i.test(cause.message)) throw busy(cause);
        throw cause;
      }
      let broken = false;
      try {
        try {
          await client.query('BEGIN');
          // lock_timeout bounds each statement, not the transaction: give each key only what is
          // left of the wait, or k keys freed one after the other could take k times `waitMs`.
          for (const key of sorted) {
            const left = Math.max(1, deadline - Date.now());
            await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${left}ms`]);
            await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [key.toString()]);
          }
        } catch (cause) {
          await client.query('ROLLBACK').catch(() => (broken = true));
          if ((cause as { code?: string }).code === LOCK_NOT_AVAILABLE) throw busy(cause);
          throw cause;
        }
        try {
          return await fn();
        } finally {
          // Ending the transaction releases every advisory lock it took. A failure here means the
          // connection is gone, and PostgreSQL released the locks with the session.
          await client.query('COMMIT').catch(() => (broken = true));
        }
      } finally {
        client.release(broken);
      }
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  };
}
