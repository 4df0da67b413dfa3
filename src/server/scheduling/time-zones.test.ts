import { DateTime, IANAZone } from 'luxon';
import { ConveneError } from '../../shared/errors';
import { CustomTimeZone } from './custom-time-zone';
import { isCustomTimeZone, resolveTimeZone, resolveZone, toIanaZone, tryResolveZone } from './time-zones';
import { WINDOWS_TO_IANA } from './windows-zones.generated';

const offsetOn = (iana: string, iso: string): number => IANAZone.create(iana).offset(Date.parse(iso));

describe('toIanaZone', () => {
  it.each([
    ['Pacific Standard Time', 'America/Los_Angeles'],
    ['India Standard Time', 'Asia/Calcutta'],
    ['Nepal Standard Time', 'Asia/Katmandu'],
    ['AUS Eastern Standard Time', 'Australia/Sydney'],
    ['Mountain Standard Time (Mexico)', 'America/Mazatlan'],
    ['W. Europe Standard Time', 'Europe/Berlin'],
    ['UTC', 'Etc/UTC'],
    ['tzone://Microsoft/Utc', 'Etc/UTC'],
    ['  Pacific Standard Time ', 'America/Los_Angeles'],
    ['pacific standard time', 'America/Los_Angeles'],
  ])('maps %j to %s', (name, iana) => {
    expect(toIanaZone(name)).toBe(iana);
  });

  it('gives the real offsets of the Windows names that are not whole hours', () => {
    expect(offsetOn(toIanaZone('India Standard Time'), '2026-11-23T12:00:00Z')).toBe(330);
    expect(offsetOn(toIanaZone('Nepal Standard Time'), '2026-11-23T12:00:00Z')).toBe(345);
    expect(offsetOn(toIanaZone('AUS Eastern Standard Time'), '2026-01-15T12:00:00Z')).toBe(660);
    expect(offsetOn(toIanaZone('AUS Eastern Standard Time'), '2026-07-15T12:00:00Z')).toBe(600);
  });

  it('accepts IANA names as given', () => {
    expect(toIanaZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(toIanaZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(toIanaZone('America/Argentina/Buenos_Aires')).toBe('America/Argentina/Buenos_Aires');
  });

  it.each(['Mars Standard Time', 'Customized Time Zone', 'Europe/Atlantis', 'tzone://Microsoft/Custom'])(
    'refuses %j with unprocessable, never falling back to UTC',
    (name) => {
      expect(() => toIanaZone(name)).toThrow(ConveneError);
      try {
        toIanaZone(name);
      } catch (e) {
        expect((e as ConveneError).code).toBe('unprocessable');
        expect((e as ConveneError).message).toBe(`Time zone '${name}' cannot be mapped to an IANA zone`);
      }
    },
  );

  it('refuses an empty name', () => {
    expect(() => toIanaZone('')).toThrow('Time zone is not set');
    expect(() => toIanaZone('   ')).toThrow('Time zone is not set');
  });

  it('maps every CLDR Windows name to a zone this runtime knows', () => {
    const unknown = Object.entries(WINDOWS_TO_IANA).filter(([w]) => !IANAZone.isValidZone(toIanaZone(w)));
    expect(unknown).toEqual([]);
  });

  it('resolveZone is the string alias of toIanaZone', () => {
    expect(resolveZone('Eastern Standard Time')).toBe('America/New_York');
    expect(() => resolveZone('Nowhere Standard Time')).toThrow("Time zone 'Nowhere Standard Time' cannot be mapped");
  });
});

describe('resolveTimeZone', () => {
  it('resolves names and timeZoneBase objects to IANA zones', () => {
    const r = resolveTimeZone({ name: 'Tokyo Standard Time' });
    expect(r.name).toBe('Asia/Tokyo');
    expect(r.zone.offset(Date.parse('2026-06-01T00:00:00Z'))).toBe(540);
    expect(resolveTimeZone('Europe/London').name).toBe('Europe/London');
  });

  it('resolves a customTimeZone to a CustomTimeZone labelled with its standard offset', () => {
    const r = resolveTimeZone({ '@odata.type': '#microsoft.graph.customTimeZone', bias: -330, name: 'Customized Time Zone' });
    expect(r.zone).toBeInstanceOf(CustomTimeZone);
    expect(r.name).toBe('UTC+05:30');
    expect(r.zone.offset(0)).toBe(330);
    // The label is a zone luxon understands, with the same standard offset.
    expect(DateTime.fromMillis(0, { zone: r.name }).offset).toBe(330);
  });

  it('tells custom zones from named ones', () => {
    expect(isCustomTimeZone({ '@odata.type': '#microsoft.graph.customTimeZone' })).toBe(true);
    expect(isCustomTimeZone({ bias: 0 })).toBe(true);
    expect(isCustomTimeZone({ name: 'UTC' })).toBe(false);
    expect(isCustomTimeZone({ '@odata.type': '#microsoft.graph.timeZoneBase', name: 'UTC' })).toBe(false);
  });

  it('refuses missing zones and reports reasons without throwing from tryResolveZone', () => {
    expect(() => resolveTimeZone(null)).toThrow('Time zone is not set');
    expect(() => resolveTimeZone({ name: null })).toThrow('Time zone is not set');
    expect(tryResolveZone('Moon Standard Time')).toEqual({
      ok: false,
      reason: "Time zone 'Moon Standard Time' cannot be mapped to an IANA zone",
    });
    expect(tryResolveZone({ '@odata.type': '#microsoft.graph.customTimeZone' })).toEqual({
      ok: false,
      reason: 'Custom time zone: bias (minutes) is missing or out of range',
    });
  });
});
