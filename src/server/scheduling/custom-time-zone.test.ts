import { DateTime, IANAZone } from 'luxon';
import { ConveneError } from '../../shared/errors';
import { CustomTimeZone, formatOffsetMinutes, parseTimeOfDayMs, weekdayIndex } from './custom-time-zone';
import type { DayOfWeek, TimeZoneBaseInput } from './types';
import { PACIFIC_CUSTOM, SYDNEY_CUSTOM } from '../../../test/fixtures/custom-zones';

const HOUR = 3_600_000;

/** EU rules for London: last Sunday of March 01:00 GMT to last Sunday of October 02:00 BST (dayOccurrence 5 = last). */
const LONDON_CUSTOM: TimeZoneBaseInput = {
  '@odata.type': '#microsoft.graph.customTimeZone',
  bias: 0,
  standardOffset: { time: '02:00:00', dayOccurrence: 5, dayOfWeek: 'Sunday' as DayOfWeek, month: 10, year: 0 },
  daylightOffset: { time: '01:00:00', dayOccurrence: 5, dayOfWeek: 'Sunday' as DayOfWeek, month: 3, year: 0, daylightBias: -60 },
};

/** Compares offsets every 3 h over [fromIso, toIso) and minute by minute within 4 h of every IANA transition. */
function expectSameOffsets(custom: CustomTimeZone, iana: string, fromIso: string, toIso: string): number {
  const ref = IANAZone.create(iana);
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  const mismatches: string[] = [];
  let transitions = 0;
  const step = 3 * HOUR;
  for (let t = from; t < to; t += step) {
    if (custom.offset(t) !== ref.offset(t)) mismatches.push(new Date(t).toISOString());
    if (ref.offset(t) !== ref.offset(t + step)) {
      transitions++;
      for (let m = t - HOUR; m < t + step + HOUR; m += 60_000) {
        if (custom.offset(m) !== ref.offset(m)) mismatches.push(new Date(m).toISOString());
      }
    }
  }
  expect(mismatches).toEqual([]);
  return transitions;
}

describe('CustomTimeZone', () => {
  it('gives the same offsets as America/Los_Angeles over 2026-2028 for US Pacific rules', () => {
    const zone = CustomTimeZone.fromGraph(PACIFIC_CUSTOM);
    expect(expectSameOffsets(zone, 'America/Los_Angeles', '2026-01-01T00:00:00Z', '2029-01-01T00:00:00Z')).toBe(6);
    expect(zone.offset(Date.parse('2026-03-08T09:59:59Z'))).toBe(-480);
    expect(zone.offset(Date.parse('2026-03-08T10:00:00Z'))).toBe(-420);
    expect(zone.offset(Date.parse('2026-11-01T08:59:59Z'))).toBe(-420);
    expect(zone.offset(Date.parse('2026-11-01T09:00:00Z'))).toBe(-480);
  });

  it('handles the southern hemisphere (daylight starts in a later month than standard)', () => {
    const zone = CustomTimeZone.fromGraph(SYDNEY_CUSTOM);
    expect(expectSameOffsets(zone, 'Australia/Sydney', '2026-01-01T00:00:00Z', '2029-01-01T00:00:00Z')).toBe(6);
    expect(zone.offset(Date.parse('2026-01-15T00:00:00Z'))).toBe(660);
    expect(zone.offset(Date.parse('2026-07-15T00:00:00Z'))).toBe(600);
  });

  it('reads dayOccurrence 5 as the last weekday of the month (EU rules = Europe/London)', () => {
    const zone = CustomTimeZone.fromGraph(LONDON_CUSTOM);
    expect(expectSameOffsets(zone, 'Europe/London', '2026-01-01T00:00:00Z', '2029-01-01T00:00:00Z')).toBe(6);
  });

  it('is a fixed offset when there is no DST (month 0, or no rules)', () => {
    const monthZero = CustomTimeZone.fromGraph({
      ...PACIFIC_CUSTOM,
      bias: -345,
      standardOffset: { time: '00:00:00', dayOccurrence: 0, dayOfWeek: 'sunday', month: 0, year: 0 },
      daylightOffset: { time: '00:00:00', dayOccurrence: 0, dayOfWeek: 'sunday', month: 0, year: 0, daylightBias: 0 },
    });
    const noRules = CustomTimeZone.fromGraph({ bias: 300 });
    for (let t = Date.parse('2026-01-01T00:00:00Z'); t < Date.parse('2027-01-01T00:00:00Z'); t += 7 * HOUR) {
      expect(monthZero.offset(t)).toBe(345);
      expect(noRules.offset(t)).toBe(-300);
    }
    expect(monthZero.isUniversal).toBe(true);
    expect(monthZero.name).toBe('UTC+05:45');
    expect(noRules.name).toBe('UTC-05:00');
    expect(monthZero.transitionsIn(0, Date.parse('2030-01-01T00:00:00Z'))).toEqual([]);
  });

  it('works as a luxon zone', () => {
    const zone = CustomTimeZone.fromGraph(PACIFIC_CUSTOM);
    const dt = DateTime.fromObject({ year: 2026, month: 7, day: 1, hour: 9 }, { zone });
    expect(dt.toUTC().toISO({ suppressMilliseconds: true })).toBe('2026-07-01T16:00:00Z');
    expect(dt.toISO({ suppressMilliseconds: true })).toBe('2026-07-01T09:00:00-07:00');
    expect(zone.formatOffset(Date.parse('2026-12-01T00:00:00Z'), 'techie')).toBe('-0800');
    expect(zone.equals(CustomTimeZone.fromGraph(PACIFIC_CUSTOM))).toBe(true);
    expect(zone.equals(CustomTimeZone.fromGraph(SYDNEY_CUSTOM))).toBe(false);
    expect(zone.type).toBe('custom');
    expect(zone.isValid).toBe(true);
    expect(zone.isUniversal).toBe(false);
  });

  it('lists transitions consistent with offset()', () => {
    const zone = CustomTimeZone.fromGraph(SYDNEY_CUSTOM);
    const from = Date.parse('2026-01-01T00:00:00Z');
    const to = Date.parse('2028-01-01T00:00:00Z');
    const tr = zone.transitionsIn(from, to);
    expect(tr).toEqual([
      Date.parse('2026-04-04T16:00:00Z'),
      600,
      Date.parse('2026-10-03T16:00:00Z'),
      660,
      Date.parse('2027-04-03T16:00:00Z'),
      600,
      Date.parse('2027-10-02T16:00:00Z'),
      660,
    ]);
    for (let i = 0; i < tr.length; i += 2) {
      expect(zone.offset(tr[i]! - 1)).not.toBe(tr[i + 1]);
      expect(zone.offset(tr[i]!)).toBe(tr[i + 1]);
    }
  });

  it('refuses malformed rules with unprocessable', () => {
    const bad = (input: TimeZoneBaseInput): unknown => {
      try {
        return CustomTimeZone.fromGraph(input);
      } catch (e) {
        return e instanceof ConveneError ? e.code : e;
      }
    };
    expect(bad({})).toBe('unprocessable');
    expect(bad({ bias: 100_000 })).toBe('unprocessable');
    expect(bad({ ...PACIFIC_CUSTOM, standardOffset: { ...PACIFIC_CUSTOM.standardOffset!, month: 13 } })).toBe('unprocessable');
    expect(bad({ ...PACIFIC_CUSTOM, standardOffset: { ...PACIFIC_CUSTOM.standardOffset!, dayOccurrence: 6 } })).toBe('unprocessable');
    expect(bad({ ...PACIFIC_CUSTOM, standardOffset: { ...PACIFIC_CUSTOM.standardOffset!, time: 'noon' } })).toBe('unprocessable');
  });
});

describe('helpers', () => {
  it('parses Graph times of day', () => {
    expect(parseTimeOfDayMs('08:00:00.0000000')).toBe(8 * HOUR);
    expect(parseTimeOfDayMs('17:30')).toBe(17.5 * HOUR);
    expect(parseTimeOfDayMs('23:59:59.9999999')).toBe(24 * HOUR);
    expect(parseTimeOfDayMs('24:00')).toBe(24 * HOUR);
    expect(parseTimeOfDayMs('00:00:01.5')).toBe(1500);
    expect(parseTimeOfDayMs('24:30')).toBeNaN();
    expect(parseTimeOfDayMs('9am')).toBeNaN();
    expect(parseTimeOfDayMs('12:60')).toBeNaN();
  });

  it('formats offsets and reads weekdays', () => {
    expect(formatOffsetMinutes(-480)).toBe('-08:00');
    expect(formatOffsetMinutes(345)).toBe('+05:45');
    expect(formatOffsetMinutes(0)).toBe('+00:00');
    expect(formatOffsetMinutes(330, 'narrow')).toBe('+5:30');
    expect(formatOffsetMinutes(-60, 'narrow')).toBe('-1');
    expect(weekdayIndex('Sunday')).toBe(0);
    expect(weekdayIndex('saturday')).toBe(6);
    expect(weekdayIndex('someday')).toBe(-1);
  });
});
