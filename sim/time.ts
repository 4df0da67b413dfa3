/**
 * Time zone and date helpers of the simulator: Graph `dateTimeTimeZone` values (Windows or IANA
 * zone names, `2026-11-23T10:00:00.0000000` wall times) to and from epoch ms, and civil-date
 * arithmetic for recurrence expansion.
 *
 * The simulator resolves Windows zone names with the CLDR map the product generates
 * (`WINDOWS_TO_IANA`, data only) and computes offsets with the platform's Intl time zone data,
 * independently of the product's scheduling engine (luxon), so it stays a separate oracle for it.
 *
 * @see https://learn.microsoft.com/graph/api/resources/datetimetimezone
 */
import { WINDOWS_TO_IANA } from '../src/server/scheduling/windows-zones.generated';

const WINDOWS_BY_LOWER = new Map<string, string>(Object.entries(WINDOWS_TO_IANA).map(([name, iana]) => [name.toLowerCase(), iana]));

/** Graph `dateTimeTimeZone`. */
export interface DateTimeTimeZone {
  /** Wall time `YYYY-MM-DDTHH:mm:ss(.fffffff)`, no offset (an offset or `Z`, if present, wins). */
  dateTime: string;
  /** Windows or IANA zone name; absent or null means UTC. */
  timeZone?: string | null;
}

/**
 * The IANA zone for a Windows or IANA zone name (case-insensitive for Windows names, as Exchange
 * is), or undefined when the name is unknown.
 */
export function resolveZone(name: string | null | undefined): string | undefined {
  if (name === null || name === undefined) return 'UTC';
  // Memoized: called for every time the simulator reads or writes (a few hundred per getSchedule).
  if (resolvedZones.has(name)) return resolvedZones.get(name);
  const resolved = resolveZoneUncached(name);
  if (resolvedZones.size >= MEMO_LIMIT) resolvedZones.clear();
  resolvedZones.set(name, resolved);
  return resolved;
}

/** Most entries a memo of this module holds before it starts over (bounds memory on odd input). */
const MEMO_LIMIT = 100_000;
const resolvedZones = new Map<string, string | undefined>();

function resolveZoneUncached(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return undefined;
  const windows = WINDOWS_BY_LOWER.get(trimmed.toLowerCase());
  if (windows) return windows;
  if (/^(utc|etc\/utc|gmt|z)$/i.test(trimmed)) return 'UTC';
  if (trimmed.includes('/') && isValidIanaZone(trimmed)) return trimmed;
  return undefined;
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Epoch ms of a Graph `dateTimeTimeZone`, or NaN when the wall time or the zone is invalid.
 * Wall times in a spring-forward gap move forward by the gap (as Exchange and luxon do).
 */
export function toEpochMs(value: DateTimeTimeZone): number {
  // Memoized per value object (getSchedule reads every stored event's start and end on every
  // call), and only while its dateTime and timeZone are still the ones the answer was for.
  const known = epochMsMemo.get(value);
  if (known && known.dateTime === value.dateTime && known.timeZone === value.timeZone) return known.ms;
  const ms = toEpochMsUncached(value);
  epochMsMemo.set(value, { dateTime: value.dateTime, timeZone: value.timeZone, ms });
  return ms;
}

const epochMsMemo = new WeakMap<DateTimeTimeZone, { dateTime: string; timeZone: string | null | undefined; ms: number }>();

function toEpochMsUncached(value: DateTimeTimeZone): number {
  const m = LOCAL_DATE_TIME.exec(String(value.dateTime ?? '').trim());
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return NaN;
  const wallMs = Date.UTC(y, mo - 1, d, h, mi, s) + (m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0);
  const offset = m[8];
  if (offset) {
    if (offset === 'Z') return wallMs;
    const sign = offset.startsWith('-') ? -1 : 1;
    return wallMs - sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000;
  }
  const zone = resolveZone(value.timeZone);
  return zone ? wallToEpochMs(wallMs, zone) : NaN;
}

/** Graph's wall-time text for an instant in a zone: `2026-11-23T10:00:00.0000000`. */
export function formatWallTime(epochMs: number, ianaZone: string): string {
  // Memoized per zone: getSchedule writes every busy item's start and end on every call.
  const memo = wallTimeMemo.get(ianaZone);
  const known = memo?.get(epochMs);
  if (known !== undefined) return known;
  const text = `${new Date(epochMs + offsetMinutes(ianaZone, epochMs) * 60_000).toISOString().slice(0, 23)}0000`;
  if (!memo) wallTimeMemo.set(ianaZone, new Map([[epochMs, text]]));
  else {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(epochMs, text);
  }
  return text;
}

const wallTimeMemo = new Map<string, Map<number, string>>();

// Zone offsets come from Intl (the platform's tz database) with a cache per zone and 15-minute
// UTC bucket: every zone's transitions fall on such boundaries, and Intl is slow per call.
const BUCKET_MS = 15 * 60_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, Map<number, number>>();
const validity = new Map<string, boolean>();

function isValidIanaZone(zone: string): boolean {
  let ok = validity.get(zone);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      ok = true;
    } catch {
      ok = false;
    }
    validity.set(zone, ok);
  }
  return ok;
}

/** UTC offset (minutes, east positive) of an IANA zone at an instant. */
export function offsetMinutes(ianaZone: string, epochMs: number): number {
  if (ianaZone === 'UTC' || ianaZone === 'Etc/UTC') return 0;
  const bucket = Math.floor(epochMs / BUCKET_MS);
  let cache = offsets.get(ianaZone);
  if (!cache) {
    cache = new Map();
    offsets.set(ianaZone, cache);
  }
  const hit = cache.get(bucket);
  if (hit !== undefined) return hit;
  let dtf = formatters.get(ianaZone);
  if (!dtf) {
    dtf = new Intl.DateTimeFormat('en-US', {
      timeZone: ianaZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(ianaZone, dtf);
  }
  const at = bucket * BUCKET_MS;
  const f: Record<string, number> = {};
  for (const p of dtf.formatToParts(at)) if (p.type !== 'literal') f[p.type] = Number(p.value);
  const local = Date.UTC(
    f.year as number,
    (f.month as number) - 1,
    f.day as number,
    (f.hour as number) % 24,
    f.minute as number,
    f.second as number,
  );
  const minutes = Math.round((local - at) / 60_000);
  if (cache.size > 200_000) cache.clear();
  cache.set(bucket, minutes);
  return minutes;
}

/** Epoch ms of a wall time (given as if it were UTC ms) in a zone; gap times move forward, overlaps take the earlier instant. */
export function wallToEpochMs(wallMs: number, ianaZone: string): number {
  const o1 = offsetMinutes(ianaZone, wallMs);
  const guess = wallMs - o1 * 60_000;
  const o2 = offsetMinutes(ianaZone, guess);
  if (o1 === o2) return guess;
  const second = wallMs - o2 * 60_000;
  const o3 = offsetMinutes(ianaZone, second);
  if (o2 === o3) return second;
  return wallMs - Math.min(o2, o3) * 60_000;
}

/** A `dateTimeTimeZone` for an instant, labelled with `zoneName` (Windows or IANA, as the client asked). */
export function toDateTimeTimeZone(epochMs: number, zoneName: string): { dateTime: string; timeZone: string } {
  const iana = resolveZone(zoneName) ?? 'UTC';
  return { dateTime: formatWallTime(epochMs, iana), timeZone: zoneName };
}

/** ISO 8601 instant with ms and `Z` (`createdDateTime` style). */
export function isoInstant(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

// ---------------------------------------------------------------------------------------------
// Civil dates as day numbers (days since 1970-01-01), zone-free.

const DAY_MS = 86_400_000;

/** Civil date fields. `month` is 1..12. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Day number of a civil date (proleptic Gregorian). */
export function dayNumber(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** Civil date of a day number. */
export function civilDate(dayNum: number): CivilDate {
  const d = new Date(dayNum * DAY_MS);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Weekday of a day number: 0 = Sunday .. 6 = Saturday. */
export function weekday(dayNum: number): number {
  return (((dayNum + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Days in a month (month 1..12). */
export function daysInMonth(year: number, month: number): number {
  return dayNumber(year, month + 1, 1) - dayNumber(year, month, 1);
}

/** Day number of a `YYYY-MM-DD` text, or NaN. */
export function parseDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (!m) return NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return NaN;
  return dayNumber(y, mo, d);
}

/** `YYYY-MM-DD` of a day number. */
export function formatDate(dayNum: number): string {
  const { year, month, day } = civilDate(dayNum);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Local wall-clock parts of an instant in a zone. */
export function localParts(
  epochMs: number,
  ianaZone: string,
): { dayNum: number; hour: number; minute: number; second: number; millisecond: number } {
  const wall = epochMs + offsetMinutes(ianaZone, epochMs) * 60_000;
  const dayNum = Math.floor(wall / DAY_MS);
  let rest = wall - dayNum * DAY_MS;
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  return { dayNum, hour, minute, second, millisecond: rest - second * 1000 };
}

/** Epoch ms of a local wall time on a civil day in a zone (gap times move forward). */
export function fromLocal(
  dayNum: number,
  time: { hour: number; minute: number; second?: number; millisecond?: number },
  ianaZone: string,
): number {
  return wallToEpochMs(
    dayNum * DAY_MS + time.hour * 3_600_000 + time.minute * 60_000 + (time.second ?? 0) * 1000 + (time.millisecond ?? 0),
    ianaZone,
  );
}

/** Graph `dayOfWeek` names by weekday index (0 = Sunday). */
export const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/** Graph `dayOfWeek`. */
export type DayName = (typeof DAY_NAMES)[number];

/** Weekday index of a Graph `dayOfWeek` (any case), or -1. */
export function dayIndex(name: string): number {
  return (DAY_NAMES as readonly string[]).indexOf(String(name).toLowerCase());
}
