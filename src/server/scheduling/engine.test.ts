import { ConveneError } from '../../shared/errors';
import { findSlots, formatInstant, splitWindow } from './engine';
import type {
  AttendeeInput,
  BusyItem,
  DayOfWeek,
  FindSlotsInput,
  FreeBusyStatus,
  MailboxSettingsInput,
  ReadableAttendee,
  TimeZoneBaseInput,
} from './types';

const DAY = 86_400_000;
const at = (iso: string): number => Date.parse(iso);
const ALL_DAYS: DayOfWeek[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const WEEKDAYS: DayOfWeek[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];

function settings(
  timeZone: string | null,
  hours?: { days?: DayOfWeek[]; start?: string; end?: string; zone?: TimeZoneBaseInput | null },
): MailboxSettingsInput {
  if (!hours) return { timeZone };
  return {
    timeZone,
    workingHours: {
      daysOfWeek: hours.days ?? WEEKDAYS,
      startTime: hours.start ?? '09:00:00.0000000',
      endTime: hours.end ?? '17:00:00.0000000',
      timeZone: hours.zone === undefined ? (timeZone === null ? null : { name: timeZone }) : hours.zone,
    },
  };
}

const busy = (startIso: string, endIso: string, status: FreeBusyStatus = 'busy'): BusyItem => ({
  startMs: at(startIso),
  endMs: at(endIso),
  status,
});

function person(email: string, mailboxSettings: MailboxSettingsInput, items: BusyItem[] = []): ReadableAttendee {
  return { email, status: 'ok', mailboxSettings, busy: items };
}

const ORGANIZER = { email: 'olivia@contoso.example', mailboxSettings: settings('Pacific Standard Time') };

function request(attendees: AttendeeInput[], overrides: Partial<FindSlotsInput> = {}): FindSlotsInput {
  return {
    organizer: ORGANIZER,
    attendees,
    windowStartMs: at('2026-11-23T08:00:00Z'), // Monday 00:00 PST
    windowEndMs: at('2026-11-24T08:00:00Z'),
    durationMinutes: 60,
    stepMinutes: 15,
    bufferMinutes: 0,
    maxSlots: 500,
    tentativeBlocks: true,
    nowMs: at('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}

const starts = (input: FindSlotsInput): string[] => findSlots(input).slots.map((s) => s.start);
/** Every `stepMinutes` start from `fromIso` to `toIso` inclusive, as UTC ISO strings. */
function every(fromIso: string, toIso: string, stepMinutes: number): string[] {
  const out: string[] = [];
  for (let t = at(fromIso); t <= at(toIso); t += stepMinutes * 60_000) out.push(formatInstant(t, null));
  return out;
}

const bob = (items: BusyItem[] = [], hours = {}): ReadableAttendee =>
  person('bob@contoso.example', settings('Pacific Standard Time', hours), items);

describe('findSlots: shape and basics', () => {
  it('returns UTC starts/ends, local times with offsets and attendee zones', () => {
    const result = findSlots(request([bob([busy('2026-11-23T18:00:00Z', '2026-11-23T18:30:00Z')])]));
    expect(result.organizer).toEqual({ email: 'olivia@contoso.example', timeZone: 'America/Los_Angeles' });
    expect(result.attendees).toEqual([{ email: 'bob@contoso.example', timeZone: 'America/Los_Angeles', status: 'ok' }]);
    expect(result.complete).toBe(true);
    expect(result.truncated).toBe(false);
    expect(result.slots[0]).toEqual({
      start: '2026-11-23T17:00:00Z',
      end: '2026-11-23T18:00:00Z',
      local: { 'bob@contoso.example': '2026-11-23T09:00:00-08:00' },
    });
    // 09:00 fits before the 10:00-10:30 meeting; then every 15 minutes from 10:30 to 16:00.
    expect(result.slots.map((s) => s.start)).toEqual([
      '2026-11-23T17:00:00Z',
      ...every('2026-11-23T18:30:00Z', '2026-11-24T00:00:00Z', 15),
    ]);
  });

  it('blocks on busy, oof and unknown; not on free or workingElsewhere; tentative as configured', () => {
    const meeting = (status: FreeBusyStatus): BusyItem => busy('2026-11-23T17:00:00Z', '2026-11-24T00:00:00Z', status);
    const count = (status: FreeBusyStatus, tentativeBlocks = true): number =>
      findSlots(request([bob([meeting(status)])], { tentativeBlocks })).slots.length;
    const open = count('free');
    expect(open).toBe(29); // 09:00 .. 16:00 every 15 minutes
    expect(count('workingElsewhere')).toBe(open);
    expect(count('busy')).toBe(1); // only 16:00-17:00 is left
    expect(count('oof')).toBe(1);
    expect(count('unknown')).toBe(1);
    expect(count('tentative')).toBe(1);
    expect(count('tentative', false)).toBe(open);
  });

  it('keeps the buffer around every busy interval', () => {
    const result = starts(
      request([bob([busy('2026-11-23T20:00:00Z', '2026-11-23T21:00:00Z')])], {
        bufferMinutes: 15,
        windowStartMs: at('2026-11-23T18:00:00Z'),
        windowEndMs: at('2026-11-23T23:00:00Z'),
      }),
    );
    // Meeting 12:00-13:00 PST: slots must end by 11:45 and start from 13:15.
    expect(result).toEqual([
      ...every('2026-11-23T18:00:00Z', '2026-11-23T18:45:00Z', 15),
      ...every('2026-11-23T21:15:00Z', '2026-11-23T22:00:00Z', 15),
    ]);
  });

  it('stays inside the window and never starts before now', () => {
    const result = starts(
      request([bob()], {
        windowStartMs: at('2026-11-23T17:00:00Z'),
        windowEndMs: at('2026-11-23T20:00:00Z'),
        nowMs: at('2026-11-23T18:07:00Z'),
      }),
    );
    expect(result).toEqual(every('2026-11-23T18:15:00Z', '2026-11-23T19:00:00Z', 15));
  });

  it('truncates at maxSlots and says so', () => {
    const all = findSlots(request([bob()]));
    expect(all.slots).toHaveLength(29);
    const three = findSlots(request([bob()], { maxSlots: 3 }));
    expect(three.truncated).toBe(true);
    expect(three.slots).toEqual(all.slots.slice(0, 3));
    const exact = findSlots(request([bob()], { maxSlots: 29 }));
    expect(exact.truncated).toBe(false);
    expect(exact.slots).toHaveLength(29);
  });

  it('refuses nonsensical numbers with invalid_request', () => {
    for (const bad of [{ durationMinutes: 0 }, { stepMinutes: -15 }, { bufferMinutes: -1 }, { maxSlots: 1.5 }, { nowMs: NaN }]) {
      expect(() => findSlots(request([bob()], bad))).toThrow(ConveneError);
    }
  });
});

describe('findSlots: working hours', () => {
  it('uses Monday-Friday 08:00-17:00 in the mailbox zone when working hours are absent', () => {
    const noHours = person('bob@contoso.example', { timeZone: 'Eastern Standard Time' });
    const monday = starts(request([noHours], { stepMinutes: 60 }));
    expect(monday).toEqual(every('2026-11-23T13:00:00Z', '2026-11-23T21:00:00Z', 60)); // 08:00-16:00 EST
    const saturday = starts(request([noHours], { windowStartMs: at('2026-11-21T00:00:00Z'), windowEndMs: at('2026-11-22T00:00:00Z') }));
    expect(saturday).toEqual([]);
  });

  it('reads working hours in workingHours.timeZone when it differs from the mailbox zone', () => {
    // Mailbox in Pacific time, but works 09:00-17:00 New York time.
    const traveller = person('tina@contoso.example', settings('Pacific Standard Time', { zone: { name: 'Eastern Standard Time' } }));
    const result = findSlots(request([traveller], { stepMinutes: 60 }));
    expect(result.slots.map((s) => s.start)).toEqual(every('2026-11-23T14:00:00Z', '2026-11-23T21:00:00Z', 60));
    expect(result.slots[0]!.local['tina@contoso.example']).toBe('2026-11-23T06:00:00-08:00');
    expect(result.attendees[0]!.timeZone).toBe('America/Los_Angeles');
  });

  it('intersects attendees in different zones (India +05:30, Nepal +05:45, Sydney)', () => {
    const india = person('isha@contoso.example', settings('India Standard Time', { start: '09:00', end: '17:00' }));
    const nepal = person('nabin@contoso.example', settings('Nepal Standard Time', { start: '09:00', end: '17:00' }));
    const input = request([india, nepal], {
      organizer: { email: 'olivia@contoso.example', mailboxSettings: settings('UTC') },
      windowStartMs: at('2026-11-23T00:00:00Z'),
      windowEndMs: at('2026-11-24T00:00:00Z'),
      stepMinutes: 15,
    });
    const result = findSlots(input);
    // India 03:30-11:30Z, Nepal 03:15-11:15Z: common 03:30-11:15Z.
    expect(result.slots.map((s) => s.start)).toEqual(every('2026-11-23T03:30:00Z', '2026-11-23T10:15:00Z', 15));
    expect(result.slots[0]!.local).toEqual({
      'isha@contoso.example': '2026-11-23T09:00:00+05:30',
      'nabin@contoso.example': '2026-11-23T09:15:00+05:45',
    });
    expect(result.organizer.timeZone).toBe('Etc/UTC');

    const sydney = person('sam@contoso.example', settings('AUS Eastern Standard Time', { start: '08:00', end: '18:00' }));
    const withSydney = findSlots({ ...input, attendees: [india, sydney] });
    // Sydney (UTC+11 in November) works 21:00Z Sunday - 07:00Z Monday: common 03:30-07:00Z.
    expect(withSydney.slots.map((s) => s.start)).toEqual(every('2026-11-23T03:30:00Z', '2026-11-23T06:00:00Z', 15));
    expect(withSydney.attendees[1]!.timeZone).toBe('Australia/Sydney');
    expect(withSydney.slots[0]!.local['sam@contoso.example']).toBe('2026-11-23T14:30:00+11:00');
  });

  it('requires the slot to fit one working day (24-hour days do not join across midnight)', () => {
    const allDay = person('ana@contoso.example', settings('UTC', { days: ALL_DAYS, start: '00:00', end: '00:00' }));
    const result = starts(
      request([allDay], {
        organizer: { email: 'olivia@contoso.example', mailboxSettings: settings('UTC') },
        windowStartMs: at('2026-11-23T22:00:00Z'),
        windowEndMs: at('2026-11-24T02:00:00Z'),
        stepMinutes: 30,
      }),
    );
    expect(result).toEqual([
      '2026-11-23T22:00:00Z',
      '2026-11-23T22:30:00Z',
      '2026-11-23T23:00:00Z',
      ...every('2026-11-24T00:00:00Z', '2026-11-24T01:00:00Z', 30),
    ]);
  });

  it('runs overnight working hours (end <= start) into the next day', () => {
    // Works Monday 22:00 to Tuesday 06:00 Pacific time, only the shift that starts on Monday.
    const nightShift = person(
      'nick@contoso.example',
      settings('Pacific Standard Time', { days: ['monday'], start: '22:00', end: '06:00' }),
    );
    const result = starts(
      request([nightShift], {
        windowStartMs: at('2026-11-23T08:00:00Z'),
        windowEndMs: at('2026-11-26T08:00:00Z'),
        durationMinutes: 120,
        stepMinutes: 60,
      }),
    );
    // 22:00 .. 04:00 PST starts (ending by 06:00), i.e. 06:00Z .. 12:00Z on Tuesday.
    expect(result).toEqual(every('2026-11-24T06:00:00Z', '2026-11-24T12:00:00Z', 60));
  });

  it('applies a customTimeZone in working hours like the equivalent IANA zone', () => {
    const pacificRules: TimeZoneBaseInput = {
      '@odata.type': '#microsoft.graph.customTimeZone',
      name: 'Customized Time Zone',
      bias: 480,
      standardOffset: { time: '02:00:00.0000000', dayOccurrence: 1, dayOfWeek: 'sunday', month: 11, year: 0 },
      daylightOffset: { time: '02:00:00.0000000', dayOccurrence: 2, dayOfWeek: 'sunday', month: 3, year: 0, daylightBias: -60 },
    };
    const window = { windowStartMs: at('2026-03-01T00:00:00Z'), windowEndMs: at('2026-03-15T00:00:00Z') };
    const custom = person('cara@contoso.example', settings('Customized Time Zone', { days: ALL_DAYS, zone: pacificRules }));
    const named = person('cara@contoso.example', settings('Pacific Standard Time', { days: ALL_DAYS }));
    const a = findSlots(request([custom], window));
    const b = findSlots(request([named], window));
    expect(a.slots.map((s) => s.start)).toEqual(b.slots.map((s) => s.start));
    expect(a.slots.map((s) => s.local['cara@contoso.example'])).toEqual(b.slots.map((s) => s.local['cara@contoso.example']));
    expect(a.attendees).toEqual([{ email: 'cara@contoso.example', timeZone: 'UTC-08:00', status: 'ok' }]);
    expect(a.slots.length).toBeGreaterThan(0);
  });
});

describe('findSlots: DST days', () => {
  const sundayWorker = (zone: string, hours = {}): ReadableAttendee =>
    person('dee@contoso.example', settings(zone, { days: ALL_DAYS, ...hours }));

  it('US spring-forward day: 09:00-17:00 is read at -07:00', () => {
    const result = findSlots(
      request([sundayWorker('Pacific Standard Time')], {
        windowStartMs: at('2026-03-07T08:00:00Z'),
        windowEndMs: at('2026-03-09T07:00:00Z'),
        stepMinutes: 60,
      }),
    );
    const starts2 = result.slots.map((s) => s.start);
    expect(starts2).toEqual([
      ...every('2026-03-07T17:00:00Z', '2026-03-08T00:00:00Z', 60), // Saturday, PST
      ...every('2026-03-08T16:00:00Z', '2026-03-08T23:00:00Z', 60), // Sunday, PDT
    ]);
    expect(result.slots[8]!.local['dee@contoso.example']).toBe('2026-03-08T09:00:00-07:00');
  });

  it('US fall-back day: 09:00-17:00 is read at -08:00', () => {
    const result = starts(
      request([sundayWorker('Pacific Standard Time')], {
        windowStartMs: at('2026-10-31T07:00:00Z'),
        windowEndMs: at('2026-11-02T08:00:00Z'),
        stepMinutes: 60,
      }),
    );
    expect(result).toEqual([
      ...every('2026-10-31T16:00:00Z', '2026-10-31T23:00:00Z', 60), // Saturday, PDT
      ...every('2026-11-01T17:00:00Z', '2026-11-02T00:00:00Z', 60), // Sunday, PST
    ]);
  });

  it('southern-hemisphere change days (Sydney)', () => {
    const organizer = { email: 'olivia@contoso.example', mailboxSettings: settings('AUS Eastern Standard Time') };
    const spring = starts(
      request([sundayWorker('AUS Eastern Standard Time')], {
        organizer,
        windowStartMs: at('2026-10-03T14:00:00Z'), // Sunday 00:00 AEST
        windowEndMs: at('2026-10-04T13:00:00Z'), // Monday 00:00 AEDT
        stepMinutes: 60,
      }),
    );
    expect(spring).toEqual(every('2026-10-03T22:00:00Z', '2026-10-04T05:00:00Z', 60)); // 09:00-17:00 AEDT (+11)
    const autumn = starts(
      request([sundayWorker('AUS Eastern Standard Time')], {
        organizer,
        windowStartMs: at('2026-04-04T13:00:00Z'), // Sunday 00:00 AEDT
        windowEndMs: at('2026-04-05T14:00:00Z'), // Monday 00:00 AEST
        stepMinutes: 60,
      }),
    );
    expect(autumn).toEqual(every('2026-04-04T23:00:00Z', '2026-04-05T06:00:00Z', 60)); // 09:00-17:00 AEST (+10)
  });

  it("aligns to the organizer's wall clock across DST changes", () => {
    const anytime = person('ana@contoso.example', settings('UTC', { days: ALL_DAYS, start: '00:00', end: '00:00' }));
    // Fall back: 01:00 happens twice in Los Angeles; both are whole hours.
    expect(
      starts(
        request([anytime], {
          windowStartMs: at('2026-11-01T07:00:00Z'),
          windowEndMs: at('2026-11-01T11:00:00Z'),
          durationMinutes: 30,
          stepMinutes: 60,
        }),
      ),
    ).toEqual(['2026-11-01T07:00:00Z', '2026-11-01T08:00:00Z', '2026-11-01T09:00:00Z', '2026-11-01T10:00:00Z']);
    // Spring forward with 90-minute steps: 00:00, 01:30, (02:00-03:00 missing) 03:00, 04:30 local.
    const result = findSlots(
      request([anytime], {
        windowStartMs: at('2026-03-08T08:00:00Z'),
        windowEndMs: at('2026-03-08T12:30:00Z'),
        durationMinutes: 30,
        stepMinutes: 90,
      }),
    );
    expect(result.slots.map((s) => s.start)).toEqual([
      '2026-03-08T08:00:00Z',
      '2026-03-08T09:30:00Z',
      '2026-03-08T10:00:00Z',
      '2026-03-08T11:30:00Z',
    ]);
  });
});

describe('findSlots: panel, organizer and candidate', () => {
  it("aligns the step grid to the organizer's zone (India: whole local hours are :30 UTC)", () => {
    const anytime = person('ana@contoso.example', settings('UTC', { days: ALL_DAYS, start: '00:00', end: '00:00' }));
    const result = starts(
      request([anytime], {
        organizer: { email: 'olivia@contoso.example', mailboxSettings: settings('India Standard Time') },
        windowStartMs: at('2026-11-23T00:00:00Z'),
        windowEndMs: at('2026-11-23T04:00:00Z'),
        stepMinutes: 60,
      }),
    );
    expect(result).toEqual(['2026-11-23T00:30:00Z', '2026-11-23T01:30:00Z', '2026-11-23T02:30:00Z']);
    const nepal = starts(
      request([anytime], {
        organizer: { email: 'olivia@contoso.example', mailboxSettings: settings('Nepal Standard Time') },
        windowStartMs: at('2026-11-23T00:00:00Z'),
        windowEndMs: at('2026-11-23T02:00:00Z'),
        durationMinutes: 30,
        stepMinutes: 30,
      }),
    );
    expect(nepal).toEqual(['2026-11-23T00:15:00Z', '2026-11-23T00:45:00Z', '2026-11-23T01:15:00Z']);
  });

  it("counts the organizer's calendar only when the organizer is in the panel (case-insensitive)", () => {
    const organizerBusyAllMorning = person('Olivia@Contoso.example', settings('Pacific Standard Time', { start: '09:00', end: '17:00' }), [
      busy('2026-11-23T17:00:00Z', '2026-11-23T20:00:00Z'),
    ]);
    const organizer = {
      email: 'olivia@contoso.example',
      mailboxSettings: settings('Pacific Standard Time', { start: '12:00', end: '13:00' }),
    };
    const without = findSlots(request([bob()], { organizer }));
    expect(without.slots[0]!.start).toBe('2026-11-23T17:00:00Z'); // the organizer's own hours do not apply
    const withOrganizer = findSlots(request([bob(), organizerBusyAllMorning], { organizer }));
    expect(withOrganizer.slots[0]!.start).toBe('2026-11-23T20:00:00Z');
    expect(Object.keys(withOrganizer.slots[0]!.local)).toEqual(['bob@contoso.example', 'Olivia@Contoso.example']);
  });

  it('counts a repeated email once', () => {
    const result = findSlots(request([bob(), { ...bob(), email: 'BOB@contoso.example' }]));
    expect(result.attendees).toHaveLength(1);
  });

  it("restricts to the candidate's acceptable hours and shows the candidate's local time", () => {
    const result = findSlots(
      request([bob()], { candidate: { timeZone: 'Asia/Tokyo', acceptableHours: { start: '07:00', end: '09:00' } } }),
    );
    // Bob 09:00-17:00 PST = 17:00Z-01:00Z; Tokyo 07:00-09:00 JST (Tuesday) = 22:00Z-00:00Z.
    expect(result.slots.map((s) => s.start)).toEqual(every('2026-11-23T22:00:00Z', '2026-11-23T23:00:00Z', 15));
    expect(result.slots[0]!.local.candidate).toBe('2026-11-24T07:00:00+09:00');
    expect(() => findSlots(request([bob()], { candidate: { timeZone: 'Mars/Olympus_Mons' } }))).toThrow(
      "Time zone 'Mars/Olympus_Mons' cannot be mapped to an IANA zone",
    );
  });

  it('excludes unreadable attendees from the intersection but reports them and marks the result incomplete', () => {
    const blocked: AttendeeInput = {
      email: 'carl@fabrikam.example',
      status: 'blocked',
      reason: "Blocked by the tenant's application access policy",
    };
    const missing: AttendeeInput = {
      email: 'nobody@contoso.example',
      status: 'notFound',
      reason: 'No such mailbox',
      mailboxSettings: { timeZone: 'GMT Standard Time' },
    };
    const result = findSlots(request([bob(), blocked, missing]));
    expect(result.complete).toBe(false);
    expect(result.attendees).toEqual([
      { email: 'bob@contoso.example', timeZone: 'America/Los_Angeles', status: 'ok' },
      { email: 'carl@fabrikam.example', status: 'blocked', reason: "Blocked by the tenant's application access policy" },
      { email: 'nobody@contoso.example', status: 'notFound', reason: 'No such mailbox', timeZone: 'Europe/London' },
    ]);
    expect(result.slots).toHaveLength(29);
    expect(result.slots[0]!.local).toEqual({
      'bob@contoso.example': '2026-11-23T09:00:00-08:00',
      'nobody@contoso.example': '2026-11-23T17:00:00+00:00',
    });
  });

  it('reports an unmappable attendee zone as error, still blocks its busy time, and skips only its working hours', () => {
    const lost = person('lou@contoso.example', settings('Atlantis Standard Time', { days: ['tuesday'] }), [
      busy('2026-11-23T08:00:00Z', '2026-11-23T17:00:00Z'),
    ]);
    const result = findSlots(
      request([lost], { windowStartMs: at('2026-11-23T08:00:00Z'), windowEndMs: at('2026-11-23T20:00:00Z'), stepMinutes: 60 }),
    );
    expect(result.complete).toBe(false);
    expect(result.attendees).toEqual([
      { email: 'lou@contoso.example', status: 'error', reason: "Time zone 'Atlantis Standard Time' cannot be mapped to an IANA zone" },
    ]);
    // Monday (not a listed day) still offers time outside the busy block: its working hours are not applied.
    expect(result.slots.map((s) => s.start)).toEqual(every('2026-11-23T17:00:00Z', '2026-11-23T19:00:00Z', 60));
    expect(result.slots[0]!.local).toEqual({});

    const badWorkingZone = person('wes@contoso.example', settings('Pacific Standard Time', { zone: { name: 'Nowhere Time' } }));
    const r2 = findSlots(request([badWorkingZone]));
    expect(r2.attendees).toEqual([
      {
        email: 'wes@contoso.example',
        timeZone: 'America/Los_Angeles',
        status: 'error',
        reason: "Time zone 'Nowhere Time' cannot be mapped to an IANA zone",
      },
    ]);
    expect(r2.complete).toBe(false);
  });

  it('refuses an organizer whose zone cannot be mapped, with unprocessable', () => {
    const organizer = { email: 'olivia@contoso.example', mailboxSettings: settings('Atlantis Standard Time') };
    expect(() => findSlots(request([bob()], { organizer }))).toThrow(
      expect.objectContaining({
        code: 'unprocessable',
        message: expect.stringContaining("Time zone 'Atlantis Standard Time' cannot be mapped"),
      }),
    );
    const noZone = { email: 'olivia@contoso.example', mailboxSettings: {} };
    expect(() => findSlots(request([bob()], { organizer: noZone }))).toThrow(expect.objectContaining({ code: 'unprocessable' }));
  });
});

describe('splitWindow', () => {
  const start = at('2026-01-01T00:00:00Z');

  it('splits into consecutive chunks of at most 62 days', () => {
    const chunks = splitWindow(start, start + 100 * DAY);
    expect(chunks).toEqual([
      { startMs: start, endMs: start + 62 * DAY },
      { startMs: start + 62 * DAY, endMs: start + 100 * DAY },
    ]);
    expect(splitWindow(start, start + 62 * DAY)).toEqual([{ startMs: start, endMs: start + 62 * DAY }]);
    expect(splitWindow(start, start + 180 * DAY)).toHaveLength(3);
    expect(splitWindow(start, start + 10 * DAY, 3).map((c) => (c.endMs - c.startMs) / DAY)).toEqual([3, 3, 3, 1]);
  });

  it('gives nothing for an empty window and refuses bad arguments', () => {
    expect(splitWindow(start, start)).toEqual([]);
    expect(splitWindow(start, start - 1)).toEqual([]);
    expect(() => splitWindow(start, Infinity)).toThrow(RangeError);
    expect(() => splitWindow(start, start + DAY, 0)).toThrow(RangeError);
  });
});

describe('formatInstant', () => {
  it('formats UTC and local instants without milliseconds', () => {
    expect(formatInstant(at('2026-11-23T17:00:00.000Z'), null)).toBe('2026-11-23T17:00:00Z');
    expect(formatInstant(at('2026-11-23T17:00:00Z'), -480)).toBe('2026-11-23T09:00:00-08:00');
    expect(formatInstant(at('2028-02-29T23:30:00Z'), 345)).toBe('2028-03-01T05:15:00+05:45');
    expect(formatInstant(at('1999-12-31T23:59:59Z'), 0)).toBe('1999-12-31T23:59:59+00:00');
  });
});

describe('per-day interview limits (maxInterviewsPerDay)', () => {
  // Priya in Kolkata (UTC+05:30), working 09:00-18:00 local = 03:30-12:30 UTC, Monday to Friday.
  const kolkata = settings('India Standard Time', { start: '09:00:00', end: '18:00:00' });
  const week = { windowStartMs: at('2026-11-23T00:00:00Z'), windowEndMs: at('2026-11-25T00:00:00Z'), stepMinutes: 60 };
  const priya = (interviewStartsMs: number[]): ReadableAttendee => ({ ...person('priya@contoso.example', kolkata), interviewStartsMs });
  const days = (r: ReturnType<typeof findSlots>) => [...new Set(r.slots.map((s) => s.local['priya@contoso.example']!.slice(0, 10)))];

  it('a panelist at the limit on a local day offers no slot that day; the other days stay', () => {
    const twoMonday = [at('2026-11-23T04:30:00Z'), at('2026-11-23T06:30:00Z')];
    const r = findSlots(request([priya(twoMonday)], { ...week, maxInterviewsPerDay: 2 }));
    expect(days(r)).toEqual(['2026-11-24']);
    // Below the limit, or without one, Monday stays bookable.
    expect(days(findSlots(request([priya(twoMonday)], { ...week, maxInterviewsPerDay: 3 })))).toEqual(['2026-11-23', '2026-11-24']);
    expect(days(findSlots(request([priya(twoMonday)], week)))).toEqual(['2026-11-23', '2026-11-24']);
  });

  it("counts in the panelist's own zone: an interview late Monday UTC is Tuesday in Kolkata", () => {
    // 2026-11-23T20:00Z is Tuesday 01:30 in Kolkata.
    const r = findSlots(request([priya([at('2026-11-23T20:00:00Z')])], { ...week, maxInterviewsPerDay: 1 }));
    expect(days(r)).toEqual(['2026-11-23']);
    expect(r.complete).toBe(true);
  });

  it('applies per panelist: only the day of the one at the limit is removed for the whole panel', () => {
    const lukas = person('lukas@contoso.example', settings('W. Europe Standard Time', { start: '05:00:00', end: '14:00:00' }));
    const r = findSlots(request([priya([at('2026-11-24T05:00:00Z')]), lukas], { ...week, maxInterviewsPerDay: 1 }));
    expect(days(r)).toEqual(['2026-11-23']);
    expect(r.slots.length).toBeGreaterThan(0);
  });

  it('refuses a limit below 1 or not whole', () => {
    for (const bad of [0, 1.5, -1]) expect(() => findSlots(request([priya([])], { maxInterviewsPerDay: bad }))).toThrow(ConveneError);
  });
});
