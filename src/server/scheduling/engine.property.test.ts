/**
 * Property tests of findSlots against a brute-force oracle that walks every minute of the
 * window and checks each rule directly (luxon and Intl for wall times, no interval sweep).
 * Seeded and bounded so the suite is deterministic and quick.
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import type { Zone } from 'luxon';
import { CustomTimeZone } from './custom-time-zone';
import { findSlots } from './engine';
import { resolveTimeZone } from './time-zones';
import { PACIFIC_CUSTOM, SYDNEY_CUSTOM } from '../../../test/fixtures/custom-zones';
import type {
  AttendeeInput,
  BusyItem,
  DayOfWeek,
  FindSlotsInput,
  FindSlotsResult,
  FreeBusyStatus,
  MailboxSettingsInput,
  TimeZoneBaseInput,
} from './types';

const MINUTE = 60_000;
const DAY = 86_400_000;
const DAYS: DayOfWeek[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** Windows names, IANA names, an alias; several with DST changes near the base dates below. */
const ZONE_NAMES = [
  'Pacific Standard Time',
  'Eastern Standard Time',
  'GMT Standard Time',
  'W. Europe Standard Time',
  'India Standard Time',
  'Nepal Standard Time',
  'AUS Eastern Standard Time',
  'Lord Howe Standard Time',
  'Newfoundland Standard Time',
  'Asia/Tokyo',
  'America/Sao_Paulo',
  'tzone://Microsoft/Utc',
];
const UNMAPPABLE = 'Atlantis Standard Time';

const FIXED_CUSTOM: TimeZoneBaseInput = { '@odata.type': '#microsoft.graph.customTimeZone', bias: -330 };

/**
 * Window starts: the Saturdays before the DST changes of 2026 (US, EU, Sydney and Lord Howe, all
 * on Sundays), so windows of up to 2 days cross them, plus ordinary weekdays.
 */
const BASE_DAYS = ['2026-03-07', '2026-03-28', '2026-04-04', '2026-10-03', '2026-10-24', '2026-10-31', '2026-11-23', '2026-11-25'];
/**
 * Working-hour boundaries. 01:00-03:59 is left out on purpose: those wall times are skipped or
 * repeated on some DST days, and luxon (the oracle) resolves them differently from the engine's
 * documented rule, which zone-timeline.test.ts checks separately.
 */
const TIMES = ['00:00', '04:00', '06:30', '08:00', '09:00', '09:30', '12:00', '13:15', '17:00', '18:00', '20:00', '22:00', '23:30'];
const STATUSES: FreeBusyStatus[] = ['busy', 'busy', 'oof', 'tentative', 'free', 'workingElsewhere', 'unknown'];

type ZoneSpec = { kind: 'name'; name: string } | { kind: 'custom'; zone: TimeZoneBaseInput };

/** Zone names drawn from the run's pool (1-2 zones, so panels often overlap), rarely one that cannot be mapped. */
const zoneName = (pool: string[]) =>
  fc.oneof({ weight: 20, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: fc.constant(UNMAPPABLE) });

const EARLY = TIMES.filter((t) => t <= '09:30');
const LATE = TIMES.filter((t) => t >= '12:00');
const workingHours = (pool: string[]) =>
  fc.option(
    fc.record({
      days: fc.oneof(
        { weight: 3, arbitrary: fc.constant(DAYS) },
        { weight: 2, arbitrary: fc.constant(DAYS.slice(1, 6)) },
        { weight: 1, arbitrary: fc.subarray(DAYS, { minLength: 1 }) },
      ),
      // Mostly ordinary days (early start, late end); sometimes any pair, including overnight and 24 h.
      startEnd: fc.oneof(
        { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...EARLY), fc.constantFrom(...LATE)) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...TIMES), fc.constantFrom(...TIMES)) },
      ),
      zone: fc.option(
        fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...pool).map((name): ZoneSpec => ({ kind: 'name', name })) },
          {
            weight: 1,
            arbitrary: fc.constantFrom(PACIFIC_CUSTOM, SYDNEY_CUSTOM, FIXED_CUSTOM).map((zone): ZoneSpec => ({ kind: 'custom', zone })),
          },
        ),
        { nil: undefined },
      ),
    }),
    { nil: undefined, freq: 4 },
  );

const busyItems = (windowStart: number) =>
  fc
    .array(
      fc.record({
        startMin: fc.noBias(fc.integer({ min: -12 * 60, max: 2 * 24 * 60 })),
        lengthMin: fc.integer({ min: 0, max: 180 }),
        status: fc.constantFrom(...STATUSES),
      }),
      { maxLength: 6 },
    )
    .map((items) =>
      items.map((b): BusyItem => ({
        startMs: windowStart + b.startMin * MINUTE,
        endMs: windowStart + (b.startMin + b.lengthMin) * MINUTE,
        status: b.status,
      })),
    );

const attendee = (windowStart: number, i: number, pool: string[]) =>
  fc
    .record({
      unreadable: fc.boolean(),
      mailboxZone: zoneName(pool),
      hours: workingHours(pool),
      busy: busyItems(windowStart),
      upper: fc.boolean(),
    })
    .map(({ unreadable, mailboxZone, hours, busy, upper }): AttendeeInput => {
      const email = upper ? `Person${i}@Contoso.example` : `person${i}@contoso.example`;
      const mailboxSettings: MailboxSettingsInput = { timeZone: mailboxZone };
      if (hours) {
        mailboxSettings.workingHours = {
          daysOfWeek: [...hours.days],
          startTime: `${hours.startEnd[0]}:00.0000000`,
          endTime: `${hours.startEnd[1]}:00.0000000`,
          timeZone: hours.zone === undefined ? null : hours.zone.kind === 'name' ? { name: hours.zone.name } : hours.zone.zone,
        };
      }
      if (unreadable && i % 2 === 1) return { email, status: 'blocked', reason: 'Blocked by policy', mailboxSettings };
      return { email, status: 'ok', mailboxSettings, busy };
    });

const findSlotsInput: fc.Arbitrary<FindSlotsInput> = fc
  .record({
    base: fc.constantFrom(...BASE_DAYS),
    startMin: fc.noBias(fc.integer({ min: 0, max: 24 * 60 - 1 })),
    startMs: fc.integer({ min: 0, max: 59_999 }),
    lengthMin: fc.oneof(
      { weight: 1, arbitrary: fc.integer({ min: 60, max: 6 * 60 }) },
      { weight: 4, arbitrary: fc.noBias(fc.integer({ min: 18 * 60, max: 2 * 24 * 60 })) },
    ),
    nowShiftMin: fc.noBias(fc.integer({ min: -24 * 60, max: 6 * 60 })),
    pool: fc.subarray(ZONE_NAMES, { minLength: 1, maxLength: 2 }),
  })
  .chain(({ base, startMin, startMs, lengthMin, nowShiftMin, pool }) => {
    const windowStartMs = Date.parse(`${base}T00:00:00Z`) + startMin * MINUTE + startMs;
    return fc.record({
      organizer: fc
        .constantFrom(...ZONE_NAMES, ...pool)
        .map((tz) => ({ email: 'person0@contoso.example', mailboxSettings: { timeZone: tz } })),
      attendees: fc
        .tuple(
          attendee(windowStartMs, 0, pool),
          ...[1, 2].map((i) => fc.option(attendee(windowStartMs, i, pool), { nil: undefined, freq: 2 })),
        )
        .map((list) => list.filter((a): a is AttendeeInput => a !== undefined)),
      windowStartMs: fc.constant(windowStartMs),
      windowEndMs: fc.constant(windowStartMs + lengthMin * MINUTE),
      durationMinutes: fc.constantFrom(15, 30, 45, 60, 90, 120),
      stepMinutes: fc.constantFrom(5, 7, 10, 15, 30, 45, 60),
      bufferMinutes: fc.constantFrom(0, 0, 5, 10, 15, 30),
      maxSlots: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constant(2000)),
      tentativeBlocks: fc.boolean(),
      candidate: fc.oneof(
        { weight: 2, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.record(
            {
              timeZone: fc.constantFrom('Asia/Tokyo', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney'),
              acceptableHours: fc
                .oneof(
                  fc.tuple(fc.constantFrom(...EARLY), fc.constantFrom(...LATE, '24:00')),
                  fc.tuple(fc.constantFrom(...TIMES), fc.constantFrom(...TIMES, '24:00')),
                )
                .map(([start, end]) => ({ start, end })),
            },
            { requiredKeys: ['timeZone'] },
          ),
        },
      ),
      nowMs: fc.constant(windowStartMs + nowShiftMin * MINUTE),
    });
  });

// ---------------------------------------------------------------------------------------------
// The oracle: every rule checked directly, minute by minute.

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** UTC offset (minutes) straight from Intl, or from the custom zone's own rule. */
function offsetOf(zone: Zone, ts: number): number {
  if (zone instanceof CustomTimeZone) return zone.offset(ts);
  let dtf = offsetFormats.get(zone.name);
  if (!dtf) {
    dtf = new Intl.DateTimeFormat('en-US', { timeZone: zone.name, timeZoneName: 'shortOffset' });
    offsetFormats.set(zone.name, dtf);
  }
  const m = /GMT(?:([+-])(\d+)(?::(\d+))?)?/.exec(dtf.format(ts))!;
  if (!m[1]) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

function tryZone(input: string | TimeZoneBaseInput | null | undefined): Zone | null {
  try {
    return resolveTimeZone(input).zone;
  } catch {
    return null;
  }
}

const hhmm = (text: string): [number, number] => {
  const [h, m] = text.split(':').map(Number);
  return [h!, m!];
};

const wallCache = new Map<string, number>();
/** Instant of wall time `time` on local date `day` (days since epoch) plus `plusDays`, via luxon (memoized). */
function wallToInstant(zone: Zone, day: number, time: string, plusDays: number): number {
  const key = `${zone instanceof CustomTimeZone ? zone.key : zone.name}|${day}|${time}|${plusDays}`;
  let t = wallCache.get(key);
  if (t === undefined) {
    t = wallToInstantUncached(zone, day, time, plusDays);
    wallCache.set(key, t);
  }
  return t;
}

function wallToInstantUncached(zone: Zone, day: number, time: string, plusDays: number): number {
  const d = new Date((day + plusDays) * DAY);
  const [h, m] = hhmm(time);
  return DateTime.fromObject(
    { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: h === 24 ? 0 : h, minute: m },
    { zone },
  )
    .plus({ days: h === 24 ? 1 : 0 })
    .toMillis();
}

interface OracleAttendee {
  blocking: Array<[number, number]>;
  hours: { zone: Zone; days: Set<number>; start: string; end: string } | null;
}

function oracle(input: FindSlotsInput): { starts: number[]; complete: boolean } {
  const durationMs = input.durationMinutes * MINUTE;
  const bufferMs = input.bufferMinutes * MINUTE;
  const organizerZone = tryZone(input.organizer.mailboxSettings.timeZone)!;
  let complete = true;
  const seen = new Set<string>();
  const panel: OracleAttendee[] = [];
  for (const a of input.attendees) {
    if (seen.has(a.email.toLowerCase())) continue;
    seen.add(a.email.toLowerCase());
    if (a.status !== 'ok') {
      complete = false;
      continue;
    }
    const blocking = a.busy
      .filter((b) => ['busy', 'oof', 'unknown'].includes(b.status) || (b.status === 'tentative' && input.tentativeBlocks))
      .map((b): [number, number] => [b.startMs - bufferMs, b.endMs + bufferMs]);
    const mailboxZone = tryZone(a.mailboxSettings.timeZone);
    const wh = a.mailboxSettings.workingHours;
    const whZoneInput = wh?.timeZone ?? null;
    const whZone = whZoneInput ? tryZone(whZoneInput) : mailboxZone;
    if (!mailboxZone || !whZone) complete = false;
    const hours = whZone
      ? {
          zone: whZone,
          days: new Set((wh?.daysOfWeek ?? ['monday', 'tuesday', 'wednesday', 'thursday', 'friday']).map((d) => DAYS.indexOf(d))),
          start: wh ? wh.startTime.slice(0, 5) : '08:00',
          end: wh ? wh.endTime.slice(0, 5) : '17:00',
        }
      : null;
    panel.push({ blocking, hours });
  }

  const localDayOf = (zone: Zone, t: number): number => Math.floor((t + offsetOf(zone, t) * MINUTE) / DAY);
  /** [t, t + duration) inside the working hours of one listed local day? */
  const insideHours = (h: NonNullable<OracleAttendee['hours']>, t: number): boolean => {
    const today = localDayOf(h.zone, t);
    for (const day of [today - 1, today]) {
      if (!h.days.has((((day + 4) % 7) + 7) % 7)) continue;
      const s = wallToInstant(h.zone, day, h.start, 0);
      const e = wallToInstant(h.zone, day, h.end, h.end <= h.start ? 1 : 0);
      if (s <= t && t + durationMs <= e) return true;
    }
    return false;
  };
  const candidate = input.candidate;
  const candidateZone = candidate ? tryZone(candidate.timeZone)! : null;
  /** [t, t + duration) inside the union of the candidate's acceptable hours? */
  const insideAcceptable = (t: number): boolean => {
    const hours = candidate?.acceptableHours;
    if (!hours || !candidateZone) return true;
    const today = localDayOf(candidateZone, t);
    const spans = [today - 2, today - 1, today, today + 1].map((day) => [
      wallToInstant(candidateZone, day, hours.start, 0),
      wallToInstant(candidateZone, day, hours.end, hours.end <= hours.start ? 1 : 0),
    ]);
    let reach = t;
    for (let changed = true; changed;) {
      changed = false;
      for (const [s, e] of spans) {
        if (s! <= reach && e! > reach) {
          reach = e!;
          changed = true;
        }
      }
    }
    return reach >= t + durationMs;
  };

  const starts: number[] = [];
  const from = Math.ceil(Math.max(input.windowStartMs, input.nowMs) / MINUTE) * MINUTE;
  for (let t = from; t + durationMs <= input.windowEndMs; t += MINUTE) {
    if (panel.some((p) => p.blocking.some(([s, e]) => t < e && t + durationMs > s))) continue;
    const local = t + offsetOf(organizerZone, t) * MINUTE;
    const minuteOfDay = Math.round((((local % DAY) + DAY) % DAY) / MINUTE);
    if (minuteOfDay % input.stepMinutes !== 0) continue;
    if (!panel.every((p) => p.hours === null || insideHours(p.hours, t))) continue;
    if (!insideAcceptable(t)) continue;
    starts.push(t);
  }
  return { starts, complete };
}

// ---------------------------------------------------------------------------------------------

const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');

function checkInvariants(input: FindSlotsInput, result: FindSlotsResult): void {
  const organizerZone = tryZone(input.organizer.mailboxSettings.timeZone)!;
  const starts = result.slots.map((s) => Date.parse(s.start));
  expect(result.slots.length).toBeLessThanOrEqual(input.maxSlots);
  const bad: string[] = [];
  starts.forEach((t, i) => {
    const slot = result.slots[i]!;
    if (slot.start !== iso(t) || slot.end !== iso(t + input.durationMinutes * MINUTE)) bad.push(`format ${slot.start}`);
    if (i > 0 && t <= starts[i - 1]!) bad.push(`order ${slot.start}`);
    if (t < input.windowStartMs || t + input.durationMinutes * MINUTE > input.windowEndMs) bad.push(`window ${slot.start}`);
    if (t < input.nowMs) bad.push(`now ${slot.start}`);
    const local = t + offsetOf(organizerZone, t) * MINUTE;
    const sinceMidnight = (((local % DAY) + DAY) % DAY) / MINUTE;
    if (!Number.isInteger(sinceMidnight) || sinceMidnight % input.stepMinutes !== 0) bad.push(`step ${slot.start}`);
  });
  expect(bad).toEqual([]);
}

describe('findSlots properties', () => {
  it('returns exactly the oracle slots (sound, complete, ordered, bounded by maxSlots)', () => {
    fc.assert(
      fc.property(findSlotsInput, (input) => {
        const result = findSlots(input);
        checkInvariants(input, result);
        const expected = oracle(input);
        expect(result.slots.map((s) => s.start)).toEqual(expected.starts.slice(0, input.maxSlots).map(iso));
        expect(result.truncated).toBe(expected.starts.length > input.maxSlots);
        expect(result.complete).toBe(expected.complete);
        // Local times: each attendee's and the candidate's wall clock at the start, with its offset.
        for (const slot of result.slots.slice(0, 3)) {
          const t = Date.parse(slot.start);
          for (const [key, text] of Object.entries(slot.local)) {
            const a = input.attendees.find((x) => x.email === key);
            const zone =
              key === 'candidate'
                ? tryZone(input.candidate!.timeZone)!
                : (tryZone(a!.mailboxSettings!.timeZone) ?? tryZone(a!.mailboxSettings!.workingHours?.timeZone))!;
            expect(text).toBe(DateTime.fromMillis(t, { zone }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ"));
          }
        }
      }),
      { seed: 1_123_2026, numRuns: 150 },
    );
  });

  it('never offers a slot that overlaps a blocking busy item widened by the buffer', () => {
    fc.assert(
      fc.property(findSlotsInput, (input) => {
        const result = findSlots({ ...input, maxSlots: 2000 });
        const clashes: string[] = [];
        for (const slot of result.slots) {
          const s = Date.parse(slot.start);
          const e = Date.parse(slot.end);
          for (const a of input.attendees) {
            if (a.status !== 'ok') continue;
            for (const b of a.busy) {
              const blocks = !['free', 'workingElsewhere'].includes(b.status) && (b.status !== 'tentative' || input.tentativeBlocks);
              const buffer = input.bufferMinutes * MINUTE;
              if (blocks && s < b.endMs + buffer && e > b.startMs - buffer) clashes.push(`${slot.start} ${a.email}`);
            }
          }
        }
        expect(clashes).toEqual([]);
      }),
      { seed: 77, numRuns: 100 },
    );
  });

  it('explains exactly the empty answers, and the reason holds: free/busy is (or is not) the cause', () => {
    const withoutBusy = (input: FindSlotsInput): FindSlotsInput => ({
      ...input,
      attendees: input.attendees.map((a) => (a.status === 'ok' ? { ...a, busy: [] } : a)),
    });
    const codes = new Set<string>();
    fc.assert(
      fc.property(findSlotsInput, (input) => {
        const result = findSlots(input);
        const reason = result.noSlotsReason;
        expect(reason !== undefined).toBe(result.slots.length === 0 && !result.truncated);
        if (!reason) return;
        codes.add(reason.code);
        const known = new Set([...input.attendees.map((a) => a.email), 'candidate']);
        expect(reason.attendees.filter((k) => !known.has(k))).toEqual([]);
        expect(reason.message.length).toBeGreaterThan(0);
        // `busy` blames free/busy: without any busy item there are slots. Every other code does not.
        const free = findSlots(withoutBusy(input));
        if (reason.code === 'busy') expect(free.slots.length).toBeGreaterThan(0);
        else expect(free.slots).toEqual([]);
      }),
      { seed: 4_2026, numRuns: 200 },
    );
    // The generator reaches the main causes (a guard against a property that checks nothing).
    expect([...codes].sort()).toEqual(expect.arrayContaining(['busy', 'no_working_hours_overlap', 'outside_working_days', 'window']));
  });
});
