import { expandOccurrences, type ExpandableEvent } from './recurrence';
import { formatWallTime, resolveZone, toDateTimeTimeZone, toEpochMs } from './time';

const Z = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const starts = (event: ExpandableEvent, from: string, to: string) => expandOccurrences(event, Z(from), Z(to)).map((o) => iso(o.startMs));

describe('time helpers', () => {
  test('Windows names resolve case-insensitively through the CLDR map; IANA names pass; unknown names do not', () => {
    expect(resolveZone('Pacific Standard Time')).toBe('America/Los_Angeles');
    expect(resolveZone('india standard time')).toBe('Asia/Calcutta');
    expect(resolveZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(resolveZone('UTC')).toBe('Etc/UTC');
    expect(resolveZone(null)).toBe('UTC');
    expect(resolveZone('Mars Standard Time')).toBeUndefined();
    expect(resolveZone('')).toBeUndefined();
  });

  test('wall times with 7-digit fractions parse in their zone and format back the Graph way', () => {
    const ms = toEpochMs({ dateTime: '2026-11-23T10:00:00.0000000', timeZone: 'Pacific Standard Time' });
    expect(iso(ms)).toBe('2026-11-23T18:00:00Z');
    expect(formatWallTime(ms, 'Asia/Calcutta')).toBe('2026-11-23T23:30:00.0000000');
    expect(toDateTimeTimeZone(ms, 'Tokyo Standard Time')).toEqual({
      dateTime: '2026-11-24T03:00:00.0000000',
      timeZone: 'Tokyo Standard Time',
    });
    expect(toEpochMs({ dateTime: '2026-02-30T10:00:00', timeZone: 'UTC' })).toBeNaN();
    expect(toEpochMs({ dateTime: '2026-11-23T10:00:00', timeZone: 'Nowhere' })).toBeNaN();
    expect(iso(toEpochMs({ dateTime: '2026-11-23T10:00:00Z', timeZone: 'Pacific Standard Time' }))).toBe('2026-11-23T10:00:00Z');
  });
});

describe('expandOccurrences', () => {
  test('a weekly Pacific stand-up keeps 09:00 local across the US DST end, so it moves an hour in UTC', () => {
    const standup: ExpandableEvent = {
      start: { dateTime: '2026-10-26T09:00:00', timeZone: 'Pacific Standard Time' },
      end: { dateTime: '2026-10-26T09:15:00', timeZone: 'Pacific Standard Time' },
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday', 'wednesday'] },
        range: { type: 'noEnd', startDate: '2026-10-26' },
      },
    };
    expect(starts(standup, '2026-10-26T00:00:00Z', '2026-11-05T00:00:00Z')).toEqual([
      '2026-10-26T16:00:00Z',
      '2026-10-28T16:00:00Z',
      '2026-11-02T17:00:00Z',
      '2026-11-04T17:00:00Z',
    ]);
    const occ = expandOccurrences(standup, Z('2026-11-02T00:00:00Z'), Z('2026-11-03T00:00:00Z'));
    expect(occ).toEqual([{ startMs: Z('2026-11-02T17:00:00Z'), endMs: Z('2026-11-02T17:15:00Z') }]);
  });

  test('a Sydney series keeps 10:00 local when Australian DST starts (first Sunday of October)', () => {
    const sync: ExpandableEvent = {
      start: { dateTime: '2026-09-23T10:00:00', timeZone: 'AUS Eastern Standard Time' },
      end: { dateTime: '2026-09-23T10:45:00', timeZone: 'AUS Eastern Standard Time' },
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['wednesday'] },
        range: { type: 'numbered', startDate: '2026-09-23', numberOfOccurrences: 3 },
      },
    };
    // +10:00 before 2026-10-04, +11:00 after; three occurrences only.
    expect(starts(sync, '2026-09-01T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual([
      '2026-09-23T00:00:00Z',
      '2026-09-30T00:00:00Z',
      '2026-10-06T23:00:00Z',
    ]);
  });

  test('numbered ranges count occurrences before the window; endDate is inclusive', () => {
    const daily: ExpandableEvent = {
      start: { dateTime: '2026-11-02T08:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-02T08:30:00', timeZone: 'UTC' },
      recurrence: { pattern: { type: 'daily', interval: 2 }, range: { type: 'numbered', startDate: '2026-11-02', numberOfOccurrences: 4 } },
    };
    expect(starts(daily, '2026-11-05T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual(['2026-11-06T08:00:00Z', '2026-11-08T08:00:00Z']);
    const until = {
      ...daily,
      recurrence: {
        pattern: { type: 'daily' as const, interval: 1 },
        range: { type: 'endDate' as const, startDate: '2026-11-02', endDate: '2026-11-04' },
      },
    };
    expect(starts(until, '2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual([
      '2026-11-02T08:00:00Z',
      '2026-11-03T08:00:00Z',
      '2026-11-04T08:00:00Z',
    ]);
  });

  test('weekly with interval 2 counts weeks from firstDayOfWeek and skips days before startDate', () => {
    const biweekly: ExpandableEvent = {
      start: { dateTime: '2026-11-04T14:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-04T14:30:00', timeZone: 'UTC' },
      recurrence: {
        pattern: { type: 'weekly', interval: 2, daysOfWeek: ['monday', 'wednesday'], firstDayOfWeek: 'monday' },
        range: { type: 'noEnd', startDate: '2026-11-04' },
      },
    };
    // Week of Mon 2026-11-02: Monday is before startDate; next active week starts 2026-11-16.
    expect(starts(biweekly, '2026-11-01T00:00:00Z', '2026-11-30T00:00:00Z')).toEqual([
      '2026-11-04T14:00:00Z',
      '2026-11-16T14:00:00Z',
      '2026-11-18T14:00:00Z',
    ]);
  });

  test('monthly and yearly patterns, absolute (clamped to the month end) and relative (first/last weekday)', () => {
    const base = { start: { dateTime: '2026-01-31T12:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-01-31T13:00:00', timeZone: 'UTC' } };
    const abs: ExpandableEvent = {
      ...base,
      recurrence: { pattern: { type: 'absoluteMonthly', interval: 1, dayOfMonth: 31 }, range: { type: 'noEnd', startDate: '2026-01-31' } },
    };
    expect(starts(abs, '2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z')).toEqual([
      '2026-01-31T12:00:00Z',
      '2026-02-28T12:00:00Z',
      '2026-03-31T12:00:00Z',
      '2026-04-30T12:00:00Z',
    ]);
    const firstThursday: ExpandableEvent = {
      ...base,
      recurrence: {
        pattern: { type: 'relativeMonthly', interval: 1, daysOfWeek: ['thursday'], index: 'first' },
        range: { type: 'noEnd', startDate: '2026-01-01' },
      },
    };
    expect(starts(firstThursday, '2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z')).toEqual([
      '2026-01-01T12:00:00Z',
      '2026-02-05T12:00:00Z',
      '2026-03-05T12:00:00Z',
    ]);
    const lastWeekday: ExpandableEvent = {
      ...base,
      recurrence: {
        pattern: {
          type: 'relativeMonthly',
          interval: 1,
          daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
          index: 'last',
        },
        range: { type: 'noEnd', startDate: '2026-01-01' },
      },
    };
    expect(starts(lastWeekday, '2026-05-01T00:00:00Z', '2026-06-01T00:00:00Z')).toEqual(['2026-05-29T12:00:00Z']);
    const birthday: ExpandableEvent = {
      ...base,
      recurrence: {
        pattern: { type: 'absoluteYearly', interval: 1, month: 2, dayOfMonth: 29 },
        range: { type: 'noEnd', startDate: '2026-01-01' },
      },
    };
    expect(starts(birthday, '2026-01-01T00:00:00Z', '2029-01-01T00:00:00Z')).toEqual([
      '2026-02-28T12:00:00Z',
      '2027-02-28T12:00:00Z',
      '2028-02-29T12:00:00Z',
    ]);
    const memorialDay: ExpandableEvent = {
      ...base,
      recurrence: {
        pattern: { type: 'relativeYearly', interval: 1, month: 5, daysOfWeek: ['monday'], index: 'last' },
        range: { type: 'endDate', startDate: '2026-01-01', endDate: '2027-12-31' },
      },
    };
    expect(starts(memorialDay, '2026-01-01T00:00:00Z', '2030-01-01T00:00:00Z')).toEqual(['2026-05-25T12:00:00Z', '2027-05-31T12:00:00Z']);
  });

  test('all-day events cover their local days, also when recurring', () => {
    const oof: ExpandableEvent = {
      start: { dateTime: '2026-11-24T00:00:00', timeZone: 'India Standard Time' },
      end: { dateTime: '2026-11-25T00:00:00', timeZone: 'India Standard Time' },
      isAllDay: true,
    };
    expect(expandOccurrences(oof, Z('2026-11-20T00:00:00Z'), Z('2026-12-01T00:00:00Z'))).toEqual([
      { startMs: Z('2026-11-23T18:30:00Z'), endMs: Z('2026-11-24T18:30:00Z') },
    ]);
    // A weekly all-day Sunday in New York spanning the DST end: each occurrence is a whole local day (25 h on 2026-11-01).
    const sundays: ExpandableEvent = {
      start: { dateTime: '2026-10-25T00:00:00', timeZone: 'Eastern Standard Time' },
      end: { dateTime: '2026-10-26T00:00:00', timeZone: 'Eastern Standard Time' },
      isAllDay: true,
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['sunday'] },
        range: { type: 'numbered', startDate: '2026-10-25', numberOfOccurrences: 2 },
      },
    };
    expect(expandOccurrences(sundays, Z('2026-10-01T00:00:00Z'), Z('2026-12-01T00:00:00Z'))).toEqual([
      { startMs: Z('2026-10-25T04:00:00Z'), endMs: Z('2026-10-26T04:00:00Z') },
      { startMs: Z('2026-11-01T04:00:00Z'), endMs: Z('2026-11-02T05:00:00Z') },
    ]);
  });

  test('only occurrences overlapping the window are returned, including one that started before it', () => {
    const meeting: ExpandableEvent = {
      start: { dateTime: '2026-11-23T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-23T11:00:00', timeZone: 'UTC' },
    };
    expect(expandOccurrences(meeting, Z('2026-11-23T10:00:00Z'), Z('2026-11-23T12:00:00Z'))).toHaveLength(1);
    expect(expandOccurrences(meeting, Z('2026-11-23T11:00:00Z'), Z('2026-11-23T12:00:00Z'))).toHaveLength(0);
    expect(expandOccurrences({ ...meeting, end: { dateTime: 'bad', timeZone: 'UTC' } }, 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });
});
