import { findSlots } from './engine';
import { daysText, spanText } from './no-slots-reason';
import type { BusyItem, DayOfWeek, FindSlotsInput, MailboxSettingsInput, ReadableAttendee } from './types';

const at = (iso: string): number => Date.parse(iso);
const WEEKDAYS: DayOfWeek[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];

function person(
  email: string,
  zone: string,
  hours: { days?: DayOfWeek[]; start?: string; end?: string } | null = {},
  busy: BusyItem[] = [],
  interviewStartsMs?: number[],
): ReadableAttendee {
  const mailboxSettings: MailboxSettingsInput = { timeZone: zone };
  if (hours) {
    mailboxSettings.workingHours = {
      daysOfWeek: hours.days ?? WEEKDAYS,
      startTime: `${hours.start ?? '09:00'}:00.0000000`,
      endTime: `${hours.end ?? '17:00'}:00.0000000`,
      timeZone: { name: zone },
    };
  }
  return { email, status: 'ok', mailboxSettings, busy, ...(interviewStartsMs ? { interviewStartsMs } : {}) };
}

const busy = (startIso: string, endIso: string): BusyItem => ({ startMs: at(startIso), endMs: at(endIso), status: 'busy' });

const bob = (b: BusyItem[] = []) => person('bob@contoso.example', 'Pacific Standard Time', {}, b); // 17:00-01:00 UTC
const carol = (b: BusyItem[] = []) => person('carol@contoso.example', 'Pacific Standard Time', {}, b);

function request(attendees: ReadableAttendee[], overrides: Partial<FindSlotsInput> = {}): FindSlotsInput {
  return {
    organizer: { email: 'olivia@contoso.example', mailboxSettings: { timeZone: 'Pacific Standard Time' } },
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

function reason(input: FindSlotsInput) {
  const result = findSlots(input);
  expect(result.slots).toEqual([]);
  return result.noSlotsReason!;
}

describe('findSlots: noSlotsReason', () => {
  it('is absent when there are slots, and when maxSlots cut a non-empty list', () => {
    expect(findSlots(request([bob()])).noSlotsReason).toBeUndefined();
    const cut = findSlots(request([bob()], { maxSlots: 0 }));
    expect(cut).toMatchObject({ slots: [], truncated: true });
    expect(cut.noSlotsReason).toBeUndefined();
  });

  it('window: over, or shorter than the interview', () => {
    expect(reason(request([bob()], { nowMs: at('2026-11-25T00:00:00Z') }))).toEqual({
      code: 'window',
      message: 'This date range is already over. Pick dates from today on.',
      attendees: [],
    });
    const short = reason(request([bob()], { windowStartMs: at('2026-11-23T18:00:00Z'), windowEndMs: at('2026-11-23T18:30:00Z') }));
    expect(short.code).toBe('window');
    expect(short.message).toMatch(/shorter than the 60-minute interview/);
    const left = reason(request([bob()], { nowMs: at('2026-11-24T07:30:00Z') }));
    expect(left.code).toBe('window');
    expect(left.message).toMatch(/left of this date range from now on/);
  });

  it('outside_working_days: the window falls on an attendee’s days off', () => {
    const saturday = { windowStartMs: at('2026-11-28T08:00:00Z'), windowEndMs: at('2026-11-29T08:00:00Z') };
    const weekend = person('wes@contoso.example', 'Pacific Standard Time', { days: ['saturday', 'sunday'] });
    // Wes works on Saturday; Bob does not, and is named (Wes is fine).
    expect(reason(request([weekend, bob()], saturday))).toEqual({
      code: 'outside_working_days',
      message:
        'bob@contoso.example does not work in this date range for 60 minutes (working hours Mon–Fri 09:00–17:00 America/Los_Angeles). Pick other dates or leave them out of the panel.',
      attendees: ['bob@contoso.example'],
    });
    // Default working hours (none set) are named as such.
    const noHours = person('nina@contoso.example', 'Eastern Standard Time', null);
    expect(reason(request([noHours], saturday)).message).toContain('Mon–Fri 08:00–17:00 America/New_York, default: none set');
  });

  it('no_working_hours_overlap: a working day shorter than the interview', () => {
    const brief = person('bri@contoso.example', 'Pacific Standard Time', { start: '09:00', end: '09:30' });
    expect(reason(request([bob(), brief]))).toEqual({
      code: 'no_working_hours_overlap',
      message:
        "bri@contoso.example's working hours (Mon–Fri 09:00–09:30 America/Los_Angeles) are shorter than the 60-minute interview. Shorten the interview.",
      attendees: ['bri@contoso.example'],
    });
  });

  it('no_working_hours_overlap: names the first pair whose hours never share the duration, with local hours', () => {
    const berlin = person('carl@contoso.example', 'W. Europe Standard Time'); // 08:00-16:00 UTC
    const york = person('dan@contoso.example', 'Eastern Standard Time', { start: '09:00', end: '12:30' }); // 14:00-17:30 UTC: 30 min with Bob
    expect(reason(request([bob(), york, berlin]))).toEqual({
      code: 'no_working_hours_overlap',
      message:
        "bob@contoso.example's working hours (Mon–Fri 09:00–17:00 America/Los_Angeles) and dan@contoso.example's (Mon–Fri 09:00–12:30 America/New_York) do not overlap by 60 minutes on any day of this date range. Split the panel or shorten the interview.",
      attendees: ['bob@contoso.example', 'dan@contoso.example'],
    });
    // With 30 minutes Bob and Dan fit; Bob and Carl (Berlin) never do.
    expect(reason(request([bob(), york, berlin], { durationMinutes: 30 })).attendees).toEqual([
      'bob@contoso.example',
      'carl@contoso.example',
    ]);
  });

  it("no_working_hours_overlap: an attendee and the candidate's acceptable hours", () => {
    const r = reason(request([bob()], { candidate: { timeZone: 'Asia/Tokyo', acceptableHours: { start: '10:00', end: '18:00' } } }));
    expect(r.code).toBe('no_working_hours_overlap');
    expect(r.attendees).toEqual(['bob@contoso.example', 'candidate']);
    expect(r.message).toBe(
      "bob@contoso.example's working hours (Mon–Fri 09:00–17:00 America/Los_Angeles) do not overlap the candidate's acceptable hours (10:00–18:00 Asia/Tokyo) by 60 minutes on any day of this date range. Widen the candidate's hours or shorten the interview.",
    );
    // 09:00-18:00 in Tokyo meets Bob's 16:00-17:00: slots, no reason.
    const fits = findSlots(request([bob()], { candidate: { timeZone: 'Asia/Tokyo', acceptableHours: { start: '09:00', end: '18:00' } } }));
    expect(fits.slots.length).toBeGreaterThan(0);
    expect(fits.noSlotsReason).toBeUndefined();
  });

  it('no_working_hours_overlap: every pair meets on some day, the whole panel on none', () => {
    const utc = (email: string, days: DayOfWeek[]) => person(email, 'UTC', { days });
    const r = reason(
      request(
        [
          utc('a@x.example', ['monday', 'tuesday']),
          utc('b@x.example', ['tuesday', 'wednesday']),
          utc('c@x.example', ['monday', 'wednesday']),
        ],
        {
          windowEndMs: at('2026-11-27T08:00:00Z'),
        },
      ),
    );
    expect(r).toEqual({
      code: 'no_working_hours_overlap',
      message:
        'The working hours of a@x.example, b@x.example and c@x.example never overlap all at once by 60 minutes in this date range. Split the panel or shorten the interview.',
      attendees: ['a@x.example', 'b@x.example', 'c@x.example'],
    });
  });

  it('daily_limit: the per-day interview limit fills every shared day', () => {
    const booked = person('bob@contoso.example', 'Pacific Standard Time', {}, [], [at('2026-11-23T19:00:00Z')]);
    const input = request([booked, carol()], { maxInterviewsPerDay: 1 });
    expect(reason(input)).toEqual({
      code: 'daily_limit',
      message:
        "bob@contoso.example already has 1 interview (the daily limit) on every day the panel's working hours overlap in this date range. Pick other dates or raise the limit.",
      attendees: ['bob@contoso.example'],
    });
    expect(findSlots({ ...input, maxInterviewsPerDay: 2 }).noSlotsReason).toBeUndefined();
  });

  it('busy: the hours overlap but free/busy fills them; names who is busy most (never with what)', () => {
    const input = request([
      bob([busy('2026-11-23T17:00:00Z', '2026-11-23T21:00:00Z')]), // 09:00-13:00 PST
      carol([busy('2026-11-23T20:30:00Z', '2026-11-24T01:00:00Z')]), // 12:30-17:00 PST
    ]);
    expect(reason(input)).toEqual({
      code: 'busy',
      message:
        'The panel is busy whenever their working hours overlap in this date range; carol@contoso.example is busy for most of that time (56% of 8 h). Try a later or longer date range or a shorter interview.',
      attendees: ['carol@contoso.example'],
    });
    // Buffers are part of the story when set.
    const buffered = reason(
      request(
        [bob([busy('2026-11-23T17:00:00Z', '2026-11-23T20:00:00Z')]), carol([busy('2026-11-23T21:00:00Z', '2026-11-24T01:00:00Z')])],
        {
          bufferMinutes: 15,
        },
      ),
    );
    expect(buffered.code).toBe('busy');
    expect(buffered.message).toContain('15-minute buffers included');
    expect(buffered.message).toContain('smaller buffers');
  });

  it('leaves out unreadable attendees (not checked, never free) and attendees whose zone cannot be read', () => {
    const blocked = { email: 'gwen@contoso.example', status: 'blocked' as const, reason: 'Blocked by policy' };
    const lost = person('lou@contoso.example', 'Atlantis Standard Time');
    const saturday = { windowStartMs: at('2026-11-28T08:00:00Z'), windowEndMs: at('2026-11-29T08:00:00Z') };
    const result = findSlots({ ...request([bob()], saturday), attendees: [blocked, lost, bob()] });
    expect(result.noSlotsReason?.attendees).toEqual(['bob@contoso.example']);
  });
});

describe('daysText and spanText', () => {
  const days = (...on: number[]) => [0, 1, 2, 3, 4, 5, 6].map((d) => on.includes(d));
  it('writes working days Monday first, wrapping over the week end', () => {
    expect(daysText(days(1, 2, 3, 4, 5))).toBe('Mon–Fri');
    expect(daysText(days(0, 1, 2, 3, 4))).toBe('Sun–Thu');
    expect(daysText(days(5, 6, 0, 1))).toBe('Fri–Mon');
    expect(daysText(days(1, 3, 5))).toBe('Mon, Wed, Fri');
    expect(daysText(days(6, 0))).toBe('Sat, Sun');
    expect(daysText(days(0, 1, 2, 3, 4, 5, 6))).toBe('every day');
  });
  it('writes spans as HH:mm, overnight as given, 24 hours as all day', () => {
    expect(spanText(9 * 3_600_000, 17 * 3_600_000)).toBe('09:00–17:00');
    expect(spanText(22 * 3_600_000, 6 * 3_600_000)).toBe('22:00–06:00');
    expect(spanText(0, 0)).toBe('all day');
  });
});
