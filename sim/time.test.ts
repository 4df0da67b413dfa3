import { formatWallTime, resolveZone, toEpochMs } from './time';

describe('memoized time helpers', () => {
  it('tell a missing zone (UTC) from the text "null" (unknown), however often asked', () => {
    for (let i = 0; i < 3; i++) {
      expect(toEpochMs({ dateTime: '2026-11-23T10:00:00', timeZone: null })).toBe(Date.parse('2026-11-23T10:00:00Z'));
      expect(toEpochMs({ dateTime: '2026-11-23T10:00:00' })).toBe(Date.parse('2026-11-23T10:00:00Z'));
      expect(toEpochMs({ dateTime: '2026-11-23T10:00:00', timeZone: 'null' })).toBeNaN();
      expect(resolveZone('null')).toBeUndefined();
      expect(resolveZone(null)).toBe('UTC');
    }
  });

  it('keep one answer per (wall time, zone) and per (instant, zone)', () => {
    const wall = '2026-07-01T09:00:00.0000000';
    expect(toEpochMs({ dateTime: wall, timeZone: 'UTC' })).toBe(Date.parse('2026-07-01T09:00:00Z'));
    expect(toEpochMs({ dateTime: wall, timeZone: 'Pacific Standard Time' })).toBe(Date.parse('2026-07-01T16:00:00Z'));
    expect(toEpochMs({ dateTime: wall, timeZone: 'pacific standard time' })).toBe(Date.parse('2026-07-01T16:00:00Z'));
    const instant = Date.parse('2026-07-01T16:00:00Z');
    expect(formatWallTime(instant, 'UTC')).toBe('2026-07-01T16:00:00.0000000');
    expect(formatWallTime(instant, 'America/Los_Angeles')).toBe(wall);
    expect(formatWallTime(instant, 'UTC')).toBe('2026-07-01T16:00:00.0000000');
    expect(() => formatWallTime(NaN, 'UTC')).toThrow(RangeError);
  });
});

describe('toEpochMs on a value that changes', () => {
  it('answers for what the value says now, not what it said when first asked', () => {
    const value: { dateTime: string; timeZone?: string | null } = { dateTime: '2026-11-23T10:00:00', timeZone: 'UTC' };
    expect(toEpochMs(value)).toBe(Date.parse('2026-11-23T10:00:00Z'));
    value.dateTime = '2026-11-23T11:00:00';
    expect(toEpochMs(value)).toBe(Date.parse('2026-11-23T11:00:00Z'));
    value.timeZone = 'W. Europe Standard Time';
    expect(toEpochMs(value)).toBe(Date.parse('2026-11-23T10:00:00Z'));
    delete value.timeZone;
    expect(toEpochMs(value)).toBe(Date.parse('2026-11-23T11:00:00Z'));
  });
});
