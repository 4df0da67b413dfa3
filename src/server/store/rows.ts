/**
 * Conversions between PostgreSQL rows and the store's records, shared by the table modules.
 */
import { ConveneError, internal } from '../../shared/errors';

/**
 * A `timestamptz` column as an ISO 8601 UTC string with milliseconds (`2026-11-23T17:00:00.000Z`).
 * Both drivers return `Date`; a string (a driver configured to skip parsing) is parsed too.
 * PostgreSQL keeps microseconds; Convene's instants are whole milliseconds, so nothing is lost.
 * @throws ConveneError `internal` for anything that is not a valid instant.
 */
export function isoFromDb(value: unknown): string {
  const d = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  if (d === null || Number.isNaN(d.getTime())) {
    throw new ConveneError(internal, `the database returned ${typeof value} where a timestamp was expected`);
  }
  return d.toISOString();
}

/** A nullable `timestamptz` column, see {@link isoFromDb}. */
export function isoOrNullFromDb(value: unknown): string | null {
  return value === null || value === undefined ? null : isoFromDb(value);
}

/** A `text[]` column (never null in Convene's schema; tolerated as empty). */
export function textArrayFromDb(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True when `id` has the shape of a UUID. Ids come from URLs: checking first lets a malformed
 * id read as "no such row" instead of a PostgreSQL `invalid input syntax for type uuid` error.
 */
export function isUuid(id: string): boolean {
  return uuidPattern.test(id);
}
