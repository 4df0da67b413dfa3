/**
 * Graph `customTimeZone` as a luxon {@link Zone}, so custom zones go through the same code path
 * as IANA zones (the engine only ever asks a zone for `offset(ts)`).
 *
 * Conventions (Windows `TIME_ZONE_INFORMATION`, which Exchange stores and Graph passes through):
 * - `bias` is in minutes with UTC = local + bias, so US Pacific has `bias: 480` and the UTC offset
 *   in standard time is `-bias`. (Graph's customTimeZone page words the sign the other way round;
 *   the Exchange `SerializableTimeZone` it is stored as, and the brief, use this one.)
 * - In daylight time UTC = local + bias + `daylightBias` (usually -60).
 * - `daylightOffset` says when daylight time starts; its `time` is a wall time in standard time.
 *   `standardOffset` says when standard time starts again; its `time` is a wall time in daylight
 *   time. So US rules are: daylight at 02:00 on the 2nd Sunday of March, standard at 02:00 on the
 *   1st Sunday of November, like America/Los_Angeles.
 * - `dayOccurrence` 1..5 picks the nth `dayOfWeek` of `month`; 5 (or an nth that does not exist
 *   that month) means the last one.
 * - `month` 0 (or a missing rule, or `daylightBias` 0) means no daylight saving: a fixed offset.
 * - `year` 0 means every year. A non-zero `year` is read as "every year" too: Graph documents it
 *   as a frequency, and Exchange does not produce anything else for mailbox working hours.
 *
 * @see https://learn.microsoft.com/graph/api/resources/customtimezone
 * @see https://learn.microsoft.com/graph/api/resources/standardtimezoneoffset
 * @see https://learn.microsoft.com/graph/api/resources/daylighttimezoneoffset
 * @see https://learn.microsoft.com/exchange/client-developer/web-service-reference/timezone-availability
 */
import { Zone } from 'luxon';
import type { ZoneOffsetFormat } from 'luxon';
import { ConveneError } from '../../shared/errors';
import type { DayOfWeek, TimeZoneBaseInput } from './types';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const WEEKDAY_INDEX: Readonly<Record<string, number>> = Object.freeze({
  sunday: 0,
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
});

/** Index 0 (Sunday) .. 6 of a Graph `dayOfWeek` (any case), or -1. */
export function weekdayIndex(day: DayOfWeek | string): number {
  return WEEKDAY_INDEX[String(day).toLowerCase()] ?? -1;
}

/**
 * Milliseconds since midnight of a Graph `Edm.TimeOfDay` wall time: `HH:mm`, `HH:mm:ss` or
 * `HH:mm:ss.fffffff` (7-digit ticks are rounded to the nearest ms, so `23:59:59.9999999` is
 * 24:00). `24:00` is accepted. Returns NaN when the text is not such a time.
 */
export function parseTimeOfDayMs(text: string): number {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(String(text).trim());
  if (!m) return NaN;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  const frac = m[4] === undefined ? 0 : Number(`0.${m[4]}`);
  if (min > 59 || s > 59 || h > 24 || (h === 24 && (min > 0 || s > 0 || frac > 0))) return NaN;
  return Math.round(((h * 60 + min) * 60 + s + frac) * 1000);
}

interface TransitionRule {
  month: number;
  dayOccurrence: number;
  weekday: number;
  timeMs: number;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
export function daysFromCivil(year: number, month: number, day: number): number {
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/** Local wall time (ms, as if UTC) at which `rule` fires in `year`. */
function ruleLocalMs(rule: TransitionRule, year: number): number {
  const first = daysFromCivil(year, rule.month, 1);
  const firstWeekday = (((first + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday (4)
  const daysInMonth = daysFromCivil(year, rule.month + 1, 1) - first;
  let day = 1 + ((rule.weekday - firstWeekday + 7) % 7) + 7 * (Math.min(Math.max(rule.dayOccurrence, 1), 5) - 1);
  while (day > daysInMonth) day -= 7; // occurrence 5, or 4th+ that month lacks: the last one
  return (first + day - 1) * DAY_MS + rule.timeMs;
}

/** Parsed rules of a custom zone: offsets in minutes east of UTC (luxon's sign). */
interface CustomRules {
  standardOffsetMinutes: number;
  daylightOffsetMinutes: number;
  toDaylight: TransitionRule | null;
  toStandard: TransitionRule | null;
}

function parseRule(offset: TimeZoneBaseInput['standardOffset'] | TimeZoneBaseInput['daylightOffset'], what: string): TransitionRule | null {
  if (!offset || !offset.month) return null;
  const month = Number(offset.month);
  const weekday = weekdayIndex(offset.dayOfWeek);
  const timeMs = parseTimeOfDayMs(offset.time ?? '00:00');
  const occurrence = Number(offset.dayOccurrence);
  if (!Number.isInteger(month) || month < 1 || month > 12 || weekday < 0 || !Number.isFinite(timeMs)) {
    throw new ConveneError('unprocessable', `Custom time zone: ${what} rule is not valid`);
  }
  if (!Number.isInteger(occurrence) || occurrence < 1 || occurrence > 5) {
    throw new ConveneError('unprocessable', `Custom time zone: ${what} dayOccurrence must be 1..5`);
  }
  return { month, dayOccurrence: occurrence, weekday, timeMs };
}

/** `+hh:mm` / `-hh:mm` for an offset in minutes. */
export function formatOffsetMinutes(offsetMinutes: number, format: ZoneOffsetFormat = 'short'): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(Math.round(offsetMinutes));
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  if (format === 'narrow') return abs % 60 === 0 ? `${sign}${Number(hh)}` : `${sign}${Number(hh)}:${mm}`;
  if (format === 'techie') return `${sign}${hh}${mm}`;
  return `${sign}${hh}:${mm}`;
}

/**
 * A Graph `customTimeZone` as a luxon zone. Use it with luxon (`DateTime.fromMillis(ts, { zone })`)
 * or call {@link CustomTimeZone.offset} directly.
 *
 * @example
 * const pacific = CustomTimeZone.fromGraph({ bias: 480, standardOffset: {...}, daylightOffset: {...} });
 * pacific.offset(Date.UTC(2026, 6, 1)); // -420
 */
export class CustomTimeZone extends Zone<true> {
  private readonly rules: CustomRules;
  private readonly label: string;

  private constructor(rules: CustomRules, label: string) {
    super();
    this.rules = rules;
    this.label = label;
  }

  /**
   * Builds the zone from Graph's `customTimeZone` shape.
   * @throws ConveneError `unprocessable` when `bias` is missing or a rule is malformed.
   */
  static fromGraph(input: TimeZoneBaseInput): CustomTimeZone {
    const bias = input.bias;
    if (typeof bias !== 'number' || !Number.isFinite(bias) || Math.abs(bias) > 24 * 60) {
      throw new ConveneError('unprocessable', 'Custom time zone: bias (minutes) is missing or out of range');
    }
    const daylightBias = Number(input.daylightOffset?.daylightBias ?? 0);
    if (!Number.isFinite(daylightBias) || Math.abs(daylightBias) > 24 * 60) {
      throw new ConveneError('unprocessable', 'Custom time zone: daylightBias (minutes) is out of range');
    }
    let toDaylight = parseRule(input.daylightOffset, 'daylight');
    let toStandard = parseRule(input.standardOffset, 'standard');
    // Windows: daylight saving applies only when both transitions are defined.
    if (!toDaylight || !toStandard || daylightBias === 0) toDaylight = toStandard = null;
    const standardOffsetMinutes = -bias;
    const rules: CustomRules = {
      standardOffsetMinutes,
      daylightOffsetMinutes: -(bias + daylightBias),
      toDaylight,
      toStandard,
    };
    return new CustomTimeZone(rules, `UTC${formatOffsetMinutes(standardOffsetMinutes)}`);
  }

  /** `custom`. */
  override get type(): string {
    return 'custom';
  }

  /**
   * A fixed-offset label of the zone's standard offset, `UTC-08:00` (luxon parses it as a
   * fixed-offset zone). It is what the engine reports as the attendee's `timeZone`; local times
   * still carry the actual offset of each instant.
   */
  override get name(): string {
    return this.label;
  }

  /** True when the zone has no daylight saving. */
  override get isUniversal(): boolean {
    return this.rules.toDaylight === null;
  }

  override get isValid(): true {
    return true;
  }

  override offsetName(): string {
    return this.label;
  }

  override formatOffset(ts: number, format: ZoneOffsetFormat): string {
    return formatOffsetMinutes(this.offset(ts), format);
  }

  /** UTC offset in minutes (east positive, luxon's convention) in effect at epoch ms `ts`. */
  override offset(ts: number): number {
    const { standardOffsetMinutes: std, daylightOffsetMinutes: dst, toDaylight, toStandard } = this.rules;
    if (!toDaylight || !toStandard) return std;
    const year = new Date(ts + std * MINUTE_MS).getUTCFullYear();
    // The transitions of the neighbouring years decide the offset around New Year (both hemispheres).
    let bestAt = -Infinity;
    let best = std;
    for (let y = year - 1; y <= year + 1; y++) {
      const dstAt = ruleLocalMs(toDaylight, y) - std * MINUTE_MS; // wall time read in standard time
      const stdAt = ruleLocalMs(toStandard, y) - dst * MINUTE_MS; // wall time read in daylight time
      if (dstAt <= ts && dstAt > bestAt) {
        bestAt = dstAt;
        best = dst;
      }
      if (stdAt <= ts && stdAt > bestAt) {
        bestAt = stdAt;
        best = std;
      }
    }
    return best;
  }

  override equals(other: Zone): boolean {
    return other instanceof CustomTimeZone && other.key === this.key;
  }

  /** A string that is equal for two zones exactly when their rules are (for caches). */
  get key(): string {
    return JSON.stringify(this.rules);
  }

  /**
   * The zone's offset changes in `(fromMs, toMs)`, as a flat `[atMs, offsetAfter, ...]` list in
   * ascending order (offsets in minutes east of UTC). Consistent with {@link offset}.
   */
  transitionsIn(fromMs: number, toMs: number): number[] {
    const { standardOffsetMinutes: std, daylightOffsetMinutes: dst, toDaylight, toStandard } = this.rules;
    const out: number[] = [];
    if (!toDaylight || !toStandard || !(toMs > fromMs)) return out;
    const events: Array<[number, number]> = [];
    const firstYear = new Date(fromMs + std * MINUTE_MS).getUTCFullYear() - 1;
    const lastYear = new Date(toMs + std * MINUTE_MS).getUTCFullYear() + 1;
    for (let y = firstYear; y <= lastYear; y++) {
      events.push([ruleLocalMs(toDaylight, y) - std * MINUTE_MS, dst]);
      events.push([ruleLocalMs(toStandard, y) - dst * MINUTE_MS, std]);
    }
    events.sort((a, b) => a[0] - b[0]);
    let current = this.offset(fromMs);
    for (const [at, offset] of events) {
      if (at <= fromMs || at >= toMs) continue;
      if (offset !== current) out.push(at, offset);
      current = offset;
    }
    return out;
  }
}
