/**
 * Turns a {@link DateSpec} into a search window in the coordinator's time zone (luxon). Local
 * days run from midnight to midnight of that zone on the day's own offset (DST).
 */
import { DateTime } from 'luxon';
import type { DateSpec, LocalDate } from './parser';

/** A search window, epoch ms, `[startMs, endMs)`. */
export interface Window {
  startMs: number;
  endMs: number;
}

/** The zones furthest west and east: every zone's local day lies inside their union. */
const WEST = 'Etc/GMT+12';
const EAST = 'Etc/GMT-14';

/** How far ahead the default search looks, days. */
export const DEFAULT_DAYS = 7;

/**
 * The window `spec` means in `zone` at `nowMs` (not clipped to now).
 * @throws RangeError when `zone` is not an IANA zone luxon knows
 */
export function resolveWindow(spec: DateSpec, nowMs: number, zone: string): Window {
  const now = DateTime.fromMillis(nowMs, { zone });
  if (!now.isValid) throw new RangeError(`unknown time zone ${zone}`);
  const today = now.startOf('day');
  const days = (start: DateTime, n: number): Window => ({ startMs: start.toMillis(), endMs: start.plus({ days: n }).toMillis() });
  switch (spec.kind) {
    case 'default':
      return { startMs: nowMs, endMs: now.plus({ days: DEFAULT_DAYS }).toMillis() };
    case 'today':
      return days(today, 1);
    case 'tomorrow':
      return days(today.plus({ days: 1 }), 1);
    case 'thisWeek':
      return { startMs: today.toMillis(), endMs: today.startOf('week').plus({ weeks: 1 }).toMillis() };
    case 'nextWeek':
      // Monday to Friday of next week.
      return days(today.startOf('week').plus({ weeks: 1 }), 5);
    case 'weekday': {
      const ahead = (spec.weekday - today.weekday + 7) % 7;
      return days(today.plus({ days: ahead }), 1);
    }
    case 'dates': {
      const from = localDay(spec.from, today, zone);
      const to = spec.to ? localDay(spec.to, from, zone) : from;
      return { startMs: from.toMillis(), endMs: (to < from ? from : to).plus({ days: 1 }).toMillis() };
    }
  }
}

/**
 * The window `spec` can mean in any zone: the union over the furthest zones. Searching it and
 * then keeping the slots inside {@link resolveWindow} for the coordinator's zone gives the same
 * slots as searching that window directly, without first asking Graph for the zone.
 */
export function widestWindow(spec: DateSpec, nowMs: number): Window {
  const a = resolveWindow(spec, nowMs, WEST);
  const b = resolveWindow(spec, nowMs, EAST);
  return { startMs: Math.min(a.startMs, b.startMs), endMs: Math.max(a.endMs, b.endMs) };
}

/** The local midnight of `d`; without a year, the next such date on or after `onOrAfter`. */
function localDay(d: LocalDate, onOrAfter: DateTime, zone: string): DateTime {
  const at = (year: number) => DateTime.fromObject({ year, month: d.month, day: d.day }, { zone });
  if (d.year !== undefined) return at(d.year);
  const same = at(onOrAfter.year);
  return same < onOrAfter.startOf('day') ? at(onOrAfter.year + 1) : same;
}

/** `Tue 24 Nov, 09:00` for an instant in `zone`. */
export function formatSlot(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('ccc d LLL, HH:mm');
}

/** `09:00` (or `Tue 09:00` when the local day differs from `refDay`'s). */
export function formatLocalTime(iso: string, refMs: number, refZone: string): string {
  const t = DateTime.fromISO(iso, { setZone: true });
  const ref = DateTime.fromMillis(refMs, { zone: refZone });
  const sameDay = t.toFormat('yyyy-LL-dd') === ref.toFormat('yyyy-LL-dd');
  return sameDay ? t.toFormat('HH:mm') : t.toFormat('ccc HH:mm');
}
