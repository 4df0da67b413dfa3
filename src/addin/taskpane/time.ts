/**
 * Time zone arithmetic and wording for the taskpane, on the browser's Intl only (no date library:
 * the taskpane loads every time Outlook opens it). Zones are IANA names.
 */
import type { Slot } from '../../shared/api';

/** Every IANA zone the browser knows (`Intl.supportedValuesOf('timeZone')`), plus UTC. */
export function ianaZones(): string[] {
  const list = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return list.includes('UTC') ? list : [...list, 'UTC'];
}

/** Zones whose name contains every word of `query` (case- and `_`-insensitive), best first, at most `limit`. */
export function searchZones(query: string, zones: readonly string[], limit = 30): string[] {
  const words = query.toLowerCase().replace(/[_/]/g, ' ').split(/\s+/).filter(Boolean);
  if (words.length === 0) return zones.slice(0, limit);
  const hits = zones.filter((z) => {
    const name = z.toLowerCase().replace(/_/g, ' ');
    return words.every((w) => name.includes(w));
  });
  const q = words.join(' ');
  // City names first ("tokyo" -> Asia/Tokyo before anything merely containing it).
  hits.sort((a, b) => rank(a, q) - rank(b, q) || a.localeCompare(b));
  return hits.slice(0, limit);
}

function rank(zone: string, q: string): number {
  const city = (zone.split('/').pop() ?? '').toLowerCase().replace(/_/g, ' ');
  return city === q ? 0 : city.startsWith(q) ? 1 : 2;
}

/** Offset of `zone` from UTC at `ms`, in minutes (east positive). */
export function zoneOffsetMinutes(zone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return Math.round((asUtc - (ms - (ms % 1000))) / 60_000);
}

/** The instant of local midnight starting `date` (`YYYY-MM-DD`) in `zone`, epoch ms. */
export function zonedMidnight(date: string, zone: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d);
  let t = wall - zoneOffsetMinutes(zone, wall) * 60_000;
  // Once more at the guess: the offset may differ across a DST change near midnight.
  t = wall - zoneOffsetMinutes(zone, t) * 60_000;
  return t;
}

/** `YYYY-MM-DD` of instant `ms` in `zone`. */
export function localDate(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

/** `YYYY-MM-DD` plus `days`. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** "Tue 24 Nov" for instant `ms` in `zone`. */
export function dayLabel(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short' }).format(new Date(ms));
}

/** "09:30" for instant `ms` in `zone`. */
export function timeLabel(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}

/** A zone's short label: its city ("New York" for America/New_York). */
export function zoneCity(zone: string): string {
  return (zone.split('/').pop() ?? zone).replace(/_/g, ' ');
}

/**
 * The wall time of an ISO instant with offset (`2026-11-24T12:00:00-05:00` -> "12:00"), with the
 * weekday when that local day differs from `referenceDay` (`YYYY-MM-DD`).
 */
export function wallTime(iso: string, referenceDay?: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  if (!m) return iso;
  const [, day, hm] = m as unknown as [string, string, string];
  if (referenceDay && day !== referenceDay) {
    const [y, mo, d] = day.split('-').map(Number) as [number, number, number];
    const weekday = new Intl.DateTimeFormat('en-GB', { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(y, mo - 1, d)));
    return `${hm} (${weekday})`;
  }
  return hm;
}

/** Slots grouped by their local day in `zone`, in order. */
export function groupByDay(slots: readonly Slot[], zone: string): Array<{ day: string; label: string; slots: Slot[] }> {
  const groups: Array<{ day: string; label: string; slots: Slot[] }> = [];
  for (const slot of slots) {
    const ms = Date.parse(slot.start);
    const day = localDate(ms, zone);
    const last = groups[groups.length - 1];
    if (last && last.day === day) last.slots.push(slot);
    else groups.push({ day, label: dayLabel(ms, zone), slots: [slot] });
  }
  return groups;
}
