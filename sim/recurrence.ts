/**
 * Expansion of Graph `patternedRecurrence` into occurrences, as Exchange does it: each occurrence
 * starts at the series' wall-clock start time in the event's own time zone (so a 09:00 Pacific
 * stand-up stays at 09:00 Pacific across DST, and moves in UTC), and lasts as long as the first
 * one (all-day events: as many local days).
 *
 * Semantics (Graph docs):
 * - `range.startDate` (default: the event's local start date) is the first day considered; the
 *   first occurrence is the first day on or after it that fits the pattern.
 * - `range.type`: `endDate` (last day considered, inclusive), `numbered` (`numberOfOccurrences`),
 *   `noEnd`.
 * - `pattern.type`: `daily` (every `interval` days), `weekly` (`daysOfWeek` every `interval` weeks,
 *   weeks starting on `firstDayOfWeek`, default Sunday), `absoluteMonthly` (`dayOfMonth`),
 *   `relativeMonthly` (`index` first..fourth|last of `daysOfWeek`), `absoluteYearly` (`month`,
 *   `dayOfMonth`), `relativeYearly` (`month`, `index`, `daysOfWeek`).
 * - A `dayOfMonth` past the end of a month (31 in April) falls on the month's last day, as Outlook
 *   shows it.
 *
 * @see https://learn.microsoft.com/graph/api/resources/patternedrecurrence
 * @see https://learn.microsoft.com/graph/api/resources/recurrencepattern
 * @see https://learn.microsoft.com/graph/api/resources/recurrencerange
 */
import {
  civilDate,
  dayIndex,
  dayNumber,
  daysInMonth,
  fromLocal,
  localParts,
  parseDate,
  resolveZone,
  toEpochMs,
  weekday,
  type DateTimeTimeZone,
} from './time';

/** Graph `recurrencePattern` (the fields the simulator reads). */
export interface RecurrencePattern {
  type: 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
  interval?: number;
  daysOfWeek?: string[];
  dayOfMonth?: number;
  month?: number;
  index?: 'first' | 'second' | 'third' | 'fourth' | 'last';
  firstDayOfWeek?: string;
}

/** Graph `recurrenceRange`. Dates are `YYYY-MM-DD`. */
export interface RecurrenceRange {
  type: 'endDate' | 'noEnd' | 'numbered';
  startDate?: string | null;
  endDate?: string | null;
  numberOfOccurrences?: number;
  recurrenceTimeZone?: string | null;
}

/** Graph `patternedRecurrence`. */
export interface PatternedRecurrence {
  pattern: RecurrencePattern;
  range: RecurrenceRange;
}

/** What expansion needs of an event. */
export interface ExpandableEvent {
  start: DateTimeTimeZone;
  end: DateTimeTimeZone;
  isAllDay?: boolean;
  recurrence?: PatternedRecurrence | null;
}

/** One occurrence, `[startMs, endMs)` in epoch ms. */
export interface Occurrence {
  startMs: number;
  endMs: number;
}

/** Upper bound on candidate days examined per series, so a malformed series cannot spin. */
const MAX_CANDIDATES = 200_000;

const INDEX: Readonly<Record<string, number>> = { first: 0, second: 1, third: 2, fourth: 3, last: -1 };

/**
 * The occurrences of `event` that overlap `[fromMs, toMs)`, in start order.
 * A non-recurring event yields itself when it overlaps. Invalid times yield nothing.
 */
export function expandOccurrences(event: ExpandableEvent, fromMs: number, toMs: number): Occurrence[] {
  const startMs = toEpochMs(event.start);
  const endMs = toEpochMs(event.end);
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || endMs < startMs) return [];
  if (!event.recurrence) return endMs > fromMs && startMs < toMs ? [{ startMs, endMs }] : [];

  const zone = resolveZone(event.start.timeZone) ?? 'UTC';
  const first = localParts(startMs, zone);
  const allDayDays = event.isAllDay ? Math.max(1, localParts(endMs, resolveZone(event.end.timeZone) ?? zone).dayNum - first.dayNum) : 0;
  const durationMs = endMs - startMs;
  const { pattern, range } = event.recurrence;

  const rangeStart = range.startDate ? parseDate(range.startDate) : first.dayNum;
  if (!Number.isFinite(rangeStart)) return [];
  const rangeEnd = range.type === 'endDate' && range.endDate ? parseDate(range.endDate) : Infinity;
  const maxCount = range.type === 'numbered' ? Math.max(0, range.numberOfOccurrences ?? 0) : Infinity;

  const out: Occurrence[] = [];
  let count = 0;
  let examined = 0;
  for (const day of candidateDays(pattern, rangeStart)) {
    if (++examined > MAX_CANDIDATES) break;
    if (day < rangeStart) continue;
    if (day > rangeEnd || count >= maxCount) break;
    const occStart = fromLocal(day, first, zone);
    const occEnd = event.isAllDay ? fromLocal(day + allDayDays, { hour: 0, minute: 0 }, zone) : occStart + durationMs;
    count += 1;
    if (occStart >= toMs) break;
    if (occEnd > fromMs) out.push({ startMs: occStart, endMs: occEnd });
  }
  return out;
}

/** Days that fit the pattern, ascending, from the period that contains `startDay`. */
function* candidateDays(pattern: RecurrencePattern, startDay: number): Generator<number> {
  const interval = Math.max(1, Math.floor(pattern.interval ?? 1));
  const days = new Set((pattern.daysOfWeek ?? []).map(dayIndex).filter((d) => d >= 0));
  // Without daysOfWeek, weekly and relative patterns fall back to the start day's weekday (Outlook's default).
  if (days.size === 0) days.add(weekday(startDay));
  const start = civilDate(startDay);
  switch (pattern.type) {
    case 'daily':
      for (let d = startDay; ; d += interval) yield d;
    case 'weekly': {
      const fdw = pattern.firstDayOfWeek ? Math.max(0, dayIndex(pattern.firstDayOfWeek)) : 0;
      const weekStart = startDay - ((weekday(startDay) - fdw + 7) % 7);
      for (let w = weekStart; ; w += 7 * interval) {
        for (let off = 0; off < 7; off++) if (days.has(weekday(w + off))) yield w + off;
      }
    }
    case 'absoluteMonthly':
      for (let k = 0; ; k += interval) {
        const { year, month } = addMonths(start.year, start.month, k);
        yield dayNumber(year, month, Math.min(pattern.dayOfMonth ?? start.day, daysInMonth(year, month)));
      }
    case 'relativeMonthly':
      for (let k = 0; ; k += interval) {
        const { year, month } = addMonths(start.year, start.month, k);
        const d = nthWeekdayOfMonth(year, month, days, pattern.index ?? 'first');
        if (d !== undefined) yield d;
      }
    case 'absoluteYearly':
      for (let k = 0; ; k += interval) {
        const year = start.year + k;
        const month = pattern.month ?? start.month;
        yield dayNumber(year, month, Math.min(pattern.dayOfMonth ?? start.day, daysInMonth(year, month)));
      }
    case 'relativeYearly':
      for (let k = 0; ; k += interval) {
        const d = nthWeekdayOfMonth(start.year + k, pattern.month ?? start.month, days, pattern.index ?? 'first');
        if (d !== undefined) yield d;
      }
    default:
      return;
  }
}

function addMonths(year: number, month: number, k: number): { year: number; month: number } {
  const zeroBased = month - 1 + k;
  return { year: year + Math.floor(zeroBased / 12), month: (zeroBased % 12) + 1 };
}

/** The `index`-th day of the month whose weekday is in `days` (e.g. "last weekday"). */
function nthWeekdayOfMonth(year: number, month: number, days: Set<number>, index: string): number | undefined {
  const first = dayNumber(year, month, 1);
  const matches: number[] = [];
  for (let d = first; d < first + daysInMonth(year, month); d++) if (days.has(weekday(d))) matches.push(d);
  const i = INDEX[index] ?? 0;
  return i < 0 ? matches[matches.length - 1] : matches[i];
}
