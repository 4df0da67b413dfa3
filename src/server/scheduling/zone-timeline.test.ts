import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { CustomTimeZone } from './custom-time-zone';
import type { TimeZoneBaseInput } from './types';
import { ZoneTimeline } from './zone-timeline';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const at = (iso: string): number => Date.parse(iso);
/** Wall time of a local date-time, as epoch-style ms ("local ms"). */
const wall = (iso: string): number => Date.parse(`${iso}Z`);

const ZONES = [
  'America/Los_Angeles',
  'America/New_York',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Pacific/Chatham',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'America/Santiago',
  'Africa/Casablanca',
  'Etc/UTC',
];

const PACIFIC_CUSTOM: TimeZoneBaseInput = {
  bias: 480,
  standardOffset: { time: '02:00:00', dayOccurrence: 1, dayOfWeek: 'sunday', month: 11, year: 0 },
  daylightOffset: { time: '02:00:00', dayOccurrence: 2, dayOfWeek: 'sunday', month: 3, year: 0, daylightBias: -60 },
};

describe('ZoneTimeline', () => {
  it('agrees with luxon on offsets for random instants in 2025-2029', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: at('2025-01-01T00:00:00Z'), max: at('2029-12-31T00:00:00Z') }),
        (name, ts) => {
          expect(ZoneTimeline.of(IANAZone.create(name)).offsetAt(ts)).toBe(IANAZone.create(name).offset(ts));
        },
      ),
      { seed: 20261123, numRuns: 400 },
    );
  });

  it('finds US transitions to the second', () => {
    const tl = ZoneTimeline.of(IANAZone.create('America/Los_Angeles'));
    expect(tl.transitionsIn(at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'))).toEqual([
      at('2026-03-08T10:00:00Z'),
      -420,
      at('2026-11-01T09:00:00Z'),
      -480,
    ]);
    expect(tl.offsetAt(at('2026-03-08T09:59:59.999Z'))).toBe(-480);
    expect(tl.offsetAt(at('2026-03-08T10:00:00Z'))).toBe(-420);
    expect(tl.nextTransitionAfter(at('2026-03-08T10:00:00Z'), at('2027-01-01T00:00:00Z'))).toBe(at('2026-11-01T09:00:00Z'));
    expect(tl.nextTransitionAfter(at('2026-03-09T00:00:00Z'), at('2026-04-01T00:00:00Z'))).toBe(Infinity);
  });

  it('collects transitions across year boundaries', () => {
    const tl = ZoneTimeline.of(IANAZone.create('Australia/Sydney'));
    const tr = tl.transitionsIn(at('2026-09-01T00:00:00Z'), at('2027-05-01T00:00:00Z'));
    expect(tr).toEqual([at('2026-10-03T16:00:00Z'), 660, at('2027-04-03T16:00:00Z'), 600]);
  });

  it('is shared per zone', () => {
    expect(ZoneTimeline.of(IANAZone.create('Europe/Paris'))).toBe(ZoneTimeline.of(IANAZone.create('Europe/Paris')));
    expect(ZoneTimeline.of(CustomTimeZone.fromGraph(PACIFIC_CUSTOM))).toBe(ZoneTimeline.of(CustomTimeZone.fromGraph(PACIFIC_CUSTOM)));
  });

  it('uses a custom zone exactly', () => {
    const tl = ZoneTimeline.of(CustomTimeZone.fromGraph(PACIFIC_CUSTOM));
    const la = ZoneTimeline.of(IANAZone.create('America/Los_Angeles'));
    const from = at('2026-01-01T00:00:00Z');
    const to = at('2029-01-01T00:00:00Z');
    expect(tl.transitionsIn(from, to)).toEqual(la.transitionsIn(from, to));
  });

  describe('localToUtc', () => {
    const la = ZoneTimeline.of(IANAZone.create('America/Los_Angeles'));
    const sydney = ZoneTimeline.of(IANAZone.create('Australia/Sydney'));

    it('converts ordinary wall times', () => {
      expect(la.localToUtc(wall('2026-11-23T09:00:00'))).toBe(at('2026-11-23T17:00:00Z'));
      expect(la.localToUtc(wall('2026-07-01T09:00:00'))).toBe(at('2026-07-01T16:00:00Z'));
      expect(sydney.localToUtc(wall('2026-10-04T09:00:00'))).toBe(at('2026-10-03T22:00:00Z'));
    });

    it('maps a wall time in a spring-forward gap to the end of the gap', () => {
      expect(la.localToUtc(wall('2026-03-08T02:30:00'))).toBe(at('2026-03-08T10:00:00Z')); // = 03:00 PDT
      expect(la.localToUtc(wall('2026-03-08T02:00:00'))).toBe(at('2026-03-08T10:00:00Z'));
      expect(la.localToUtc(wall('2026-03-08T01:59:00'))).toBe(at('2026-03-08T09:59:00Z'));
      expect(la.localToUtc(wall('2026-03-08T03:00:00'))).toBe(at('2026-03-08T10:00:00Z'));
      expect(sydney.localToUtc(wall('2026-10-04T02:30:00'))).toBe(at('2026-10-03T16:00:00Z')); // = 03:00 AEDT
    });

    it('maps an ambiguous (fall-back) wall time to its earlier instant', () => {
      expect(la.localToUtc(wall('2026-11-01T01:30:00'))).toBe(at('2026-11-01T08:30:00Z')); // PDT
      expect(la.localToUtc(wall('2026-11-01T02:00:00'))).toBe(at('2026-11-01T10:00:00Z')); // only PST
      expect(sydney.localToUtc(wall('2026-04-05T02:30:00'))).toBe(at('2026-04-04T15:30:00Z')); // AEDT
      expect(sydney.localToUtc(wall('2026-04-05T03:00:00'))).toBe(at('2026-04-04T17:00:00Z')); // only AEST
    });

    it('is monotonic and round-trips every existing wall time', () => {
      for (const tl of [la, sydney]) {
        let prev = -Infinity;
        for (let l = wall('2026-03-07T00:00:00'); l < wall('2026-03-09T00:00:00'); l += 15 * 60_000) {
          const t = tl.localToUtc(l);
          expect(t).toBeGreaterThanOrEqual(prev);
          prev = t;
        }
        for (let t = at('2026-04-03T00:00:00Z'); t < at('2026-04-06T00:00:00Z'); t += 15 * 60_000) {
          const local = t + tl.offsetAt(t) * 60_000;
          const back = tl.localToUtc(local);
          // Either the instant itself or, in a repeated hour, its earlier twin one hour before.
          expect([t, t - HOUR]).toContain(back);
          expect(back + tl.offsetAt(back) * 60_000).toBe(local);
        }
      }
    });
  });

  it('gives local day numbers', () => {
    const tokyo = ZoneTimeline.of(IANAZone.create('Asia/Tokyo'));
    expect(tokyo.localDay(at('2026-11-23T15:00:00Z'))).toBe(wall('2026-11-24T00:00:00') / DAY);
    expect(tokyo.localDay(at('2026-11-23T14:59:59Z'))).toBe(wall('2026-11-23T00:00:00') / DAY);
  });
});
