/**
 * The booking lock port: bookings that share a panel member or the organizer run one after the
 * other, so the free/busy re-check of the second sees the first's event, and two requests with
 * one Idempotency-Key cannot both reach Graph.
 *
 * Two implementations:
 * - {@link createInProcessBookingLock}: a keyed mutex in this process. Enough for embedded PGlite,
 *   which only ever has one server process.
 * - `createPostgresBookingLock` (booking-lock-postgres.ts): PostgreSQL advisory locks, for N
 *   server instances on one PostgreSQL (`DATABASE_URL`).
 */
import { KeyedMutex } from './keyed-mutex';

/** Serializes critical sections per key, within one process or across server instances. */
export interface BookingLock {
  /**
   * Runs `fn` while holding every key of `keys` (taken in one fixed order, so two callers with
   * overlapping key sets cannot deadlock). Keys are compared case-insensitively.
   * @param keys e.g. `<tid>:<mailbox>`; duplicates are fine.
   * @throws ConveneError `conflict` (409, with `retryAfterMs`) when the keys could not be taken
   *   within the implementation's bounded wait; whatever `fn` throws, unchanged.
   */
  runExclusive<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T>;
  /** Releases connections (the PostgreSQL lock's pool). Idempotent. */
  close(): Promise<void>;
}

/** The lock keys of one booking: each panel member and the organizer, scoped by tenant. */
export function bookingLockKeys(tid: string, mailboxes: readonly string[]): string[] {
  return [...new Set(mailboxes.filter(Boolean).map((m) => `${tid}:${m}`.toLowerCase()))];
}

/**
 * The in-process lock (one server process, e.g. on embedded PGlite). Waits without a bound:
 * every holder is a request of this process that ends with its Graph calls' own timeouts.
 */
export function createInProcessBookingLock(): BookingLock {
  const mutex = new KeyedMutex();
  return {
    runExclusive: (keys, fn) =>
      mutex.runExclusive(
        keys.map((k) => k.toLowerCase()),
        fn,
      ),
    close: () => Promise.resolve(),
  };
}
