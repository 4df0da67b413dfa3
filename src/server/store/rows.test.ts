import { isoFromDb, isoOrNullFromDb, isUuid, textArrayFromDb } from './rows';

describe('isoFromDb', () => {
  it('turns a driver Date into ISO 8601 UTC with milliseconds', () => {
    expect(isoFromDb(new Date(Date.UTC(2026, 10, 23, 17, 0, 0)))).toBe('2026-11-23T17:00:00.000Z');
  });

  it('parses a timestamptz string with an offset (a driver left unparsed)', () => {
    expect(isoFromDb('2026-11-23 09:00:00.123456-08')).toBe('2026-11-23T17:00:00.123Z');
  });

  it.each([[null], [42], ['not a time'], [new Date(Number.NaN)]])('refuses %p', (value) => {
    expect(() => isoFromDb(value)).toThrow(expect.objectContaining({ code: 'internal' }));
  });

  it('keeps null for nullable columns', () => {
    expect(isoOrNullFromDb(null)).toBeNull();
    expect(isoOrNullFromDb(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
  });
});

describe('textArrayFromDb', () => {
  it('returns arrays as strings and anything else as empty', () => {
    expect(textArrayFromDb(['a', 'b'])).toEqual(['a', 'b']);
    expect(textArrayFromDb(null)).toEqual([]);
  });
});

describe('isUuid', () => {
  it('accepts UUIDs in either case and refuses the rest', () => {
    expect(isUuid('0b7e3b1c-4a43-4c55-9a0e-3f1d2a6b8c9d')).toBe(true);
    expect(isUuid('0B7E3B1C-4A43-4C55-9A0E-3F1D2A6B8C9D')).toBe(true);
    expect(isUuid('0b7e3b1c4a434c559a0e3f1d2a6b8c9d')).toBe(false);
    expect(isUuid("x' OR '1'='1")).toBe(false);
  });
});
