/**
 * The pure scheduling engine (DESIGN.md, "Scheduling engine (pure)"): busy intervals, working
 * hours and time zones in, the panel's common free slots out. No clock, no I/O.
 *
 * Method: an interval sweep, never a per-minute grid. Per readable attendee, free pieces =
 * working-hour windows (one piece per working day) minus busy intervals widened by the buffer;
 * the pieces of all attendees, the candidate's acceptable hours and the window are intersected;
 * then the organizer's step grid is enumerated inside each remaining piece.
 *
 * @see https://learn.microsoft.com/graph/api/calendar-getschedule
 * @see https://learn.microsoft.com/graph/api/resources/workinghours
 */
import type { AttendeeResult, Slot } from '../../shared/api';
import { ConveneError } from '../../shared/errors';
import { formatOffsetMinutes, parseTimeOfDayMs, weekdayIndex } from './custom-time-zone';
import { intersectIntervals, mergeIntervals, subtractIntervals } from './intervals';
import { isCustomTimeZone, resolveTimeZone, tryResolveZone } from './time-zones';
import type { ResolvedZone } from './time-zones';
import { CANDIDATE_PARTICIPANT, daysText, explainNoSlots, spanText } from './no-slots-reason';
import type { NoSlotsInput, ReasonParticipant } from './no-slots-reason';
import type {
  AttendeeInput,
  BusyItem,
  DayOfWeek,
  FindSlotsInput,
  FindSlotsResult,
  MailboxSettingsInput,
  ReadableAttendee,
  WorkingHoursInput,
} from './types';
import { ZoneTimeline } from './zone-timeline';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** getSchedule accepts at most 62 days per call. */
export const GET_SCHEDULE_MAX_DAYS = 62;

/** Graph's default when a mailbox has no working hours: Monday–Friday 08:00–17:00 in the mailbox zone. */
export const DEFAULT_WORKING_HOURS: Readonly<WorkingHoursInput> = Object.freeze({
  daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'] as DayOfWeek[],
  startTime: '08:00:00.0000000',
  endTime: '17:00:00.0000000',
});

/** Key of the candidate's local time in each slot's `local` (and of the candidate in `noSlotsReason.attendees`). */
export const CANDIDATE_KEY = CANDIDATE_PARTICIPANT;

/**
 * Splits `[startMs, endMs)` into consecutive chunks of at most `maxDays` days (getSchedule's
 * limit is 62), in order, covering the range exactly.
 *
 * @param startMs - epoch ms, inclusive.
 * @param endMs - epoch ms, exclusive. `endMs <= startMs` gives `[]`.
 * @param maxDays - longest chunk in days (24 h each), default {@link GET_SCHEDULE_MAX_DAYS}.
 * @throws RangeError when an argument is not finite or `maxDays` is not positive (a caller bug).
 * @see https://learn.microsoft.com/graph/api/calendar-getschedule
 * @example splitWindow(Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-04-01T00:00:00Z')); // 2 chunks: 62 + 28 days
 */
export function splitWindow(
  startMs: number,
  endMs: number,
  maxDays: number = GET_SCHEDULE_MAX_DAYS,
): Array<{ startMs: number; endMs: number }> {
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) throw new RangeError('splitWindow: bounds must be finite');
  if (!(maxDays > 0) || !Number.isFinite(maxDays)) throw new RangeError('splitWindow: maxDays must be > 0');
  const chunkMs = Math.floor(maxDays * DAY_MS);
  const out: Array<{ startMs: number; endMs: number }> = [];
  for (let s = startMs; s < endMs; s += chunkMs) out.push({ startMs: s, endMs: Math.min(s + chunkMs, endMs) });
  return out;
}

/** Zones of one mailbox: where its local times are shown and where its working hours are read. */
interface MailboxZones {
  /** Zone for `local` and `attendees[].timeZone`: the mailbox zone (or the working-hours zone when the mailbox has none). */
  display: ResolvedZone | null;
  /** Zone the working hours are read in: `workingHours.timeZone`, else the mailbox zone. */
  working: ResolvedZone | null;
  /** First problem found, admin-readable. */
  error: string | null;
}

function mailboxZones(settings: MailboxSettingsInput | null | undefined): MailboxZones {
  const mailboxName = typeof settings?.timeZone === 'string' ? settings.timeZone.trim() : '';
  const whZone = settings?.workingHours?.timeZone ?? null;
  const whGiven = whZone !== null && (isCustomTimeZone(whZone) || (typeof whZone.name === 'string' && whZone.name.trim() !== ''));
  let error: string | null = null;

  let working: ResolvedZone | null = null;
  if (whGiven) {
    const r = tryResolveZone(whZone);
    if (r.ok) working = r.zone;
    else error = r.reason;
  }

  let mailbox: ResolvedZone | null = null;
  if (mailboxName !== '') {
    const r = tryResolveZone(mailboxName);
    if (r.ok) mailbox = r.zone;
    // A mailbox set to a custom zone names it ("Customized Time Zone"); its rules are only in workingHours.
    else if (whGiven && working && isCustomTimeZone(whZone) && whZone.name?.trim() === mailboxName) mailbox = working;
    else error = r.reason;
  }
  if (!whGiven) working = mailbox;

  const display = mailbox ?? (mailboxName === '' ? working : null);
  if (!display && !working && error === null) error = 'Time zone is not set in mailboxSettings';
  return { display, working, error };
}

/** Working hours parsed for the sweep. */
interface ParsedWorkingHours {
  /** Indexed 0 (Sunday) .. 6. */
  days: boolean[];
  startMs: number;
  endMs: number;
}

function parseWorkingHours(wh: WorkingHoursInput | null | undefined): ParsedWorkingHours | string {
  const hours = wh ?? DEFAULT_WORKING_HOURS;
  const startMs = parseTimeOfDayMs(hours.startTime);
  const endMs = parseTimeOfDayMs(hours.endTime);
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || !Array.isArray(hours.daysOfWeek)) {
    return `Working hours '${String(hours.startTime)}'-'${String(hours.endTime)}' cannot be read`;
  }
  const days = [false, false, false, false, false, false, false];
  for (const d of hours.daysOfWeek) {
    const i = weekdayIndex(d);
    if (i >= 0) days[i] = true;
  }
  return { days, startMs, endMs };
}

/**
 * Working-hour pieces within `[lo, hi)`: one per local working day `d` of `tl`, from `d` +
 * start to `d` + end, or to `d + 1` + end when end <= start (an overnight shift belongs to the
 * day it starts; start == end is a 24-hour shift). Pieces stay separate even when they touch.
 */
function workingPieces(wh: ParsedWorkingHours, tl: ZoneTimeline, lo: number, hi: number): number[] {
  const out: number[] = [];
  const overnight = wh.endMs <= wh.startMs;
  const first = tl.localDay(lo) - 1;
  const last = tl.localDay(hi - 1);
  let prevEnd = -Infinity;
  for (let d = first; d <= last; d++) {
    if (!wh.days[(((d + 4) % 7) + 7) % 7]!) continue; // 1970-01-01 was a Thursday
    let s = tl.localToUtc(d * DAY_MS + wh.startMs);
    let e = tl.localToUtc((overnight ? d + 1 : d) * DAY_MS + wh.endMs);
    if (s < prevEnd) s = prevEnd;
    if (s < lo) s = lo;
    if (e > hi) e = hi;
    if (e > s) {
      out.push(s, e);
      prevEnd = e;
    }
  }
  return out;
}

/** Candidate's acceptable hours every local day, merged into one interval list within `[lo, hi)`. */
function acceptablePieces(startMs: number, endMs: number, tl: ZoneTimeline, lo: number, hi: number): number[] {
  const flat: number[] = [];
  const overnight = endMs <= startMs;
  for (let d = tl.localDay(lo) - 1, last = tl.localDay(hi - 1); d <= last; d++) {
    const s = Math.max(lo, tl.localToUtc(d * DAY_MS + startMs));
    const e = Math.min(hi, tl.localToUtc((overnight ? d + 1 : d) * DAY_MS + endMs));
    if (e > s) flat.push(s, e);
  }
  return mergeIntervals(flat);
}

/**
 * Busy intervals that block, widened by the buffer on both sides, sorted and merged. A
 * zero-length item still blocks any slot that strictly contains its instant (something happens
 * then); a reversed item (end < start) is read as the span between its two instants.
 */
function blockingIntervals(busy: readonly BusyItem[], bufferMs: number, tentativeBlocks: boolean): number[] {
  const flat: number[] = [];
  for (const item of busy) {
    const status = item.status;
    // Anything not known to be free blocks: `unknown` and any status Graph may add later.
    if (status === 'free' || status === 'workingElsewhere' || (status === 'tentative' && !tentativeBlocks)) continue;
    const lo = Math.min(item.startMs, item.endMs);
    const hi = Math.max(item.startMs, item.endMs);
    if (Number.isFinite(lo) && Number.isFinite(hi)) flat.push(lo - bufferMs, hi + bufferMs);
  }
  return mergeIntervals(flat);
}

/**
 * The local days (of `tl`) holding at least `limit` of `startsMs`, as merged UTC intervals
 * `[day start, next day start)`: no slot may touch them. (A slot starting late the day before and
 * running past midnight into a full day is refused too: conservative, and outside working hours
 * in practice.)
 */
function fullDays(startsMs: readonly number[], limit: number, tl: ZoneTimeline): number[] {
  const perDay = new Map<number, number>();
  for (const ms of startsMs) {
    if (!Number.isFinite(ms)) continue;
    const d = tl.localDay(ms);
    perDay.set(d, (perDay.get(d) ?? 0) + 1);
  }
  const flat: number[] = [];
  for (const [d, n] of perDay) if (n >= limit) flat.push(tl.localToUtc(d * DAY_MS), tl.localToUtc((d + 1) * DAY_MS));
  return mergeIntervals(flat);
}

/** Days since epoch -> [year, month 1..12, day] (proleptic Gregorian; H. Hinnant's civil_from_days). */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

// Formatting thousands of local times per request is the engine's largest cost after the sweep:
// these memo tables (bounded, deterministic) make each string one concatenation.
const dateTexts = new Map<number, string>();
const minuteTexts: string[] = [];
const offsetTexts = new Map<number, string>();

function dateText(days: number): string {
  let text = dateTexts.get(days);
  if (text === undefined) {
    const [y, mo, d] = civilFromDays(days);
    text = `${String(y).padStart(4, '0')}-${pad2(mo)}-${pad2(d)}T`;
    if (dateTexts.size >= 4096) dateTexts.clear();
    dateTexts.set(days, text);
  }
  return text;
}

function timeText(secondOfDay: number): string {
  if (secondOfDay % 60 === 0) {
    const minute = secondOfDay / 60;
    let text = minuteTexts[minute];
    if (text === undefined) {
      text = `${pad2(Math.floor(minute / 60))}:${pad2(minute % 60)}:00`;
      minuteTexts[minute] = text;
    }
    return text;
  }
  return `${pad2(Math.floor(secondOfDay / 3600))}:${pad2(Math.floor((secondOfDay % 3600) / 60))}:${pad2(secondOfDay % 60)}`;
}

function offsetText(offsetMinutes: number): string {
  let text = offsetTexts.get(offsetMinutes);
  if (text === undefined) {
    text = formatOffsetMinutes(offsetMinutes);
    if (offsetTexts.size >= 1024) offsetTexts.clear();
    offsetTexts.set(offsetMinutes, text);
  }
  return text;
}

/**
 * ISO 8601 without milliseconds: `2026-11-23T17:00:00Z` when `offsetMinutes` is null, else the
 * local time with its offset, `2026-11-23T09:00:00-08:00` (`+00:00` for a zero offset).
 */
export function formatInstant(ms: number, offsetMinutes: number | null): string {
  const local = ms + (offsetMinutes ?? 0) * MINUTE_MS;
  const days = Math.floor(local / DAY_MS);
  const secondOfDay = Math.floor((local - days * DAY_MS) / 1000);
  return dateText(days) + timeText(secondOfDay) + (offsetMinutes === null ? 'Z' : offsetText(offsetMinutes));
}

/**
 * Pushes into `out` the starts in `[from, to]` (epoch ms) whose wall time in `tl` is a whole
 * number of steps after that local midnight, ascending, until `out` holds `limit` starts.
 */
function alignedStarts(tl: ZoneTimeline, from: number, to: number, stepMs: number, out: number[], limit: number): void {
  let a = from;
  while (a <= to && out.length < limit) {
    const offsetMs = tl.offsetAt(a) * MINUTE_MS;
    const next = tl.nextTransitionAfter(a, to);
    const segEnd = next <= to ? next - 1 : to; // inclusive; the offset is constant on [a, segEnd]
    let local = a + offsetMs;
    const localEnd = segEnd + offsetMs;
    while (local <= localEnd) {
      const dayStart = Math.floor(local / DAY_MS) * DAY_MS;
      const dayEnd = dayStart + DAY_MS;
      let cand = dayStart + Math.ceil((local - dayStart) / stepMs) * stepMs;
      for (; cand < dayEnd && cand <= localEnd; cand += stepMs) {
        out.push(cand - offsetMs);
        if (out.length >= limit) return;
      }
      local = dayEnd;
    }
    a = segEnd + 1;
  }
}

function requireNumber(value: number, name: string, ok: (v: number) => boolean, rule: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new ConveneError('invalid_request', `${name} must be ${rule}`);
  }
}

/**
 * Finds the slots in which every readable attendee of the panel is free, inside their working
 * hours, in start order.
 *
 * Rules (DESIGN.md): `busy`, `oof` and `unknown` block, `tentative` blocks when
 * `tentativeBlocks`, `free` and `workingElsewhere` do not. A slot `[start, start + duration)`:
 * - lies inside every readable attendee's working hours on ONE local day whose weekday is in
 *   `daysOfWeek`, read in `workingHours.timeZone` (else the mailbox zone; it may be a
 *   `customTimeZone`) with that day's actual offsets; absent working hours mean Mon–Fri
 *   08:00–17:00 in the mailbox zone. Overnight hours (end <= start) run from the start on a
 *   listed day to the end on the next day; start == end is a 24-hour day. A wall time in a
 *   spring-forward gap means the end of the gap; an ambiguous one its earlier instant;
 * - does not overlap any blocking busy interval widened by `bufferMinutes` on both sides;
 * - lies inside `[windowStartMs, windowEndMs)` and starts at or after `nowMs`;
 * - starts at a wall time of the organizer's mailbox zone that is a whole number of
 *   `stepMinutes` after that local midnight (09:00, 09:15 ... for 15; on a fall-back day the
 *   repeated hour is offered twice);
 * - lies inside the candidate's `acceptableHours` (HH:mm in `candidate.timeZone`, every day).
 *
 * Attendees are matched case-insensitively by email; a repeated email counts once (the first
 * entry). The organizer's calendar counts only through its own entry in `attendees`.
 * Attendees with status other than `ok` are not checked: they make `complete` false and are
 * reported with their reason. A readable attendee whose mailbox or working-hours zone cannot be
 * mapped is reported as `error` ("Time zone 'X' cannot be mapped to an IANA zone"), makes
 * `complete` false, and still blocks with its busy items; only its working hours are not applied.
 *
 * Output: at most `maxSlots` slots (`truncated` when more existed); `start`/`end` as UTC ISO
 * without milliseconds; `local` maps each attendee email (as given) whose zone is known, and
 * `candidate`, to the local start with its offset. `attendees[].timeZone` and
 * `organizer.timeZone` are IANA names, or `UTC±hh:mm` (the standard offset) for a custom zone.
 * When no slot exists at all, `noSlotsReason` says why (window, an attendee's days off, working
 * hours that never overlap, per-day limits, or free/busy), naming attendees by email with their
 * local hours, never what they are busy with; see `explainNoSlots`. It costs nothing otherwise.
 *
 * @throws ConveneError `unprocessable` when the organizer's or the candidate's zone cannot be mapped.
 * @throws ConveneError `invalid_request` when a number is out of range (duration or step <= 0, ...).
 * @example
 * const result = findSlots({ organizer, attendees, windowStartMs, windowEndMs, durationMinutes: 60,
 *   stepMinutes: 15, bufferMinutes: 0, maxSlots: 500, tentativeBlocks: true, nowMs });
 */
export function findSlots(input: FindSlotsInput): FindSlotsResult {
  requireNumber(input.durationMinutes, 'durationMinutes', (v) => v > 0, 'a positive number of minutes');
  requireNumber(input.stepMinutes, 'stepMinutes', (v) => v > 0, 'a positive number of minutes');
  requireNumber(input.bufferMinutes, 'bufferMinutes', (v) => v >= 0, 'zero or more minutes');
  requireNumber(input.maxSlots, 'maxSlots', (v) => v >= 0 && Number.isInteger(v), 'a whole number >= 0');
  requireNumber(input.windowStartMs, 'windowStartMs', () => true, 'epoch milliseconds');
  requireNumber(input.windowEndMs, 'windowEndMs', () => true, 'epoch milliseconds');
  requireNumber(input.nowMs, 'nowMs', () => true, 'epoch milliseconds');
  if (input.maxInterviewsPerDay !== undefined)
    requireNumber(input.maxInterviewsPerDay, 'maxInterviewsPerDay', (v) => v >= 1 && Number.isInteger(v), 'a whole number >= 1');

  const durationMs = input.durationMinutes * MINUTE_MS;
  const stepMs = input.stepMinutes * MINUTE_MS;
  const bufferMs = input.bufferMinutes * MINUTE_MS;
  const lo = Math.max(input.windowStartMs, input.nowMs);
  const hi = input.windowEndMs;

  const organizerZones = mailboxZones(input.organizer.mailboxSettings);
  if (!organizerZones.display) {
    throw new ConveneError(
      'unprocessable',
      `The organizer's time zone cannot be used: ${organizerZones.error ?? 'Time zone is not set in mailboxSettings'}`,
    );
  }
  const organizerZone = organizerZones.display;
  const organizerTl = ZoneTimeline.of(organizerZone.zone);

  // Free time of the whole panel so far; one piece while nothing has cut it.
  let free: number[] = hi - lo >= durationMs ? [lo, hi] : [];
  let complete = true;
  const attendees: AttendeeResult[] = [];
  const localZones: Array<{ key: string; tl: ZoneTimeline }> = [];
  const seen = new Set<string>();
  // What the sweep used per readable attendee, kept (cheaply, no intervals) to explain an empty answer.
  const swept: SweptAttendee[] = [];

  for (const attendee of input.attendees as readonly AttendeeInput[]) {
    const emailKey = String(attendee.email).toLowerCase();
    if (seen.has(emailKey)) continue;
    seen.add(emailKey);

    if (attendee.status !== 'ok') {
      complete = false;
      const zones = attendee.mailboxSettings ? mailboxZones(attendee.mailboxSettings) : null;
      const result: AttendeeResult = { email: attendee.email, status: attendee.status, reason: attendee.reason };
      if (zones?.display) {
        result.timeZone = zones.display.name;
        localZones.push({ key: attendee.email, tl: ZoneTimeline.of(zones.display.zone) });
      }
      attendees.push(result);
      continue;
    }

    const zones = mailboxZones(attendee.mailboxSettings);
    const result: AttendeeResult = { email: attendee.email, status: 'ok' };
    if (zones.display) {
      result.timeZone = zones.display.name;
      localZones.push({ key: attendee.email, tl: ZoneTimeline.of(zones.display.zone) });
    }
    let hours: ParsedWorkingHours | null = null;
    let problem = zones.error;
    if (zones.working) {
      const parsed = parseWorkingHours(attendee.mailboxSettings?.workingHours);
      if (typeof parsed === 'string') problem ??= parsed;
      else hours = parsed;
    }
    if (problem !== null) {
      complete = false;
      result.status = 'error';
      result.reason = problem;
    }
    attendees.push(result);
    const dayZone = zones.display ?? zones.working;
    swept.push({ attendee, hours: zones.working ? hours : null, working: zones.working, dayZone });

    if (free.length === 0) continue; // nothing left to cut; the attendee is still reported
    const blocked = blockingIntervals(attendee.busy ?? [], bufferMs, input.tentativeBlocks);
    let pieces = hours && zones.working ? workingPieces(hours, ZoneTimeline.of(zones.working.zone), lo, hi) : [lo, hi];
    if (input.maxInterviewsPerDay !== undefined && dayZone && attendee.interviewStartsMs?.length) {
      pieces = subtractIntervals(pieces, fullDays(attendee.interviewStartsMs, input.maxInterviewsPerDay, ZoneTimeline.of(dayZone.zone)));
    }
    free = intersectIntervals(free, subtractIntervals(pieces, blocked), durationMs);
  }

  const candidate = input.candidate;
  if (candidate) {
    const zone = resolveTimeZone(candidate.timeZone);
    const tl = ZoneTimeline.of(zone.zone);
    localZones.push({ key: CANDIDATE_KEY, tl });
    const hours = candidate.acceptableHours;
    if (hours && free.length > 0) {
      const startMs = parseTimeOfDayMs(hours.start);
      const endMs = parseTimeOfDayMs(hours.end);
      if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) {
        throw new ConveneError('invalid_request', 'candidate.acceptableHours must be HH:mm times');
      }
      free = intersectIntervals(free, acceptablePieces(startMs, endMs, tl, lo, hi), durationMs);
    }
  }

  const starts: number[] = [];
  const limit = input.maxSlots + 1; // one more than asked tells whether the list was truncated
  for (let i = 0; i < free.length && starts.length < limit; i += 2) {
    alignedStarts(organizerTl, free[i]!, free[i + 1]! - durationMs, stepMs, starts, limit);
  }
  const truncated = starts.length > input.maxSlots;
  if (truncated) starts.length = input.maxSlots;
  // Only an empty answer is explained: the common case pays nothing for it.
  const noSlotsReason = starts.length === 0 && !truncated ? explainNoSlots(reasonInput(input, swept, organizerTl, lo, hi)) : undefined;

  // Panels share few zones: format each distinct zone's local time once per slot.
  const timelines = [...new Set(localZones.map((z) => z.tl))];
  const zoneIndex = localZones.map((z) => timelines.indexOf(z.tl));
  const texts: string[] = new Array<string>(timelines.length);
  const slots: Slot[] = starts.map((start) => {
    for (let i = 0; i < timelines.length; i++) texts[i] = formatInstant(start, timelines[i]!.offsetAt(start));
    const local: Record<string, string> = {};
    for (let i = 0; i < localZones.length; i++) local[localZones[i]!.key] = texts[zoneIndex[i]!]!;
    return { start: formatInstant(start, null), end: formatInstant(start + durationMs, null), local };
  });

  return {
    organizer: { email: input.organizer.email, timeZone: organizerZone.name },
    attendees,
    complete,
    slots,
    truncated,
    ...(noSlotsReason ? { noSlotsReason } : {}),
  };
}

/** A readable attendee as the sweep used it. */
interface SweptAttendee {
  attendee: ReadableAttendee;
  /** Null when no working hours apply (zone or hours unreadable). */
  hours: ParsedWorkingHours | null;
  working: ResolvedZone | null;
  /** Zone of the attendee's local days for the per-day interview limit. */
  dayZone: ResolvedZone | null;
}

/**
 * The interval lists behind an empty answer, rebuilt for every readable attendee (the sweep
 * stops cutting once nothing is left) and the candidate's acceptable hours.
 */
function reasonInput(input: FindSlotsInput, swept: SweptAttendee[], organizerTl: ZoneTimeline, lo: number, hi: number): NoSlotsInput {
  const durationMs = input.durationMinutes * MINUTE_MS;
  const stepMs = input.stepMinutes * MINUTE_MS;
  const bufferMs = input.bufferMinutes * MINUTE_MS;
  const participants: ReasonParticipant[] = [];
  const window = hi > lo;
  for (const s of swept) {
    const { attendee, hours, working } = s;
    let fullDayList: number[] = [];
    if (window && input.maxInterviewsPerDay !== undefined && s.dayZone && attendee.interviewStartsMs?.length) {
      fullDayList = fullDays(attendee.interviewStartsMs, input.maxInterviewsPerDay, ZoneTimeline.of(s.dayZone.zone));
    }
    const usesDefault = !attendee.mailboxSettings?.workingHours;
    participants.push({
      key: attendee.email,
      hoursText:
        hours && working
          ? `${daysText(hours.days)} ${spanText(hours.startMs, hours.endMs)} ${working.name}${usesDefault ? ', default: none set' : ''}`
          : 'unknown',
      dayLengthMs: hours ? (hours.endMs <= hours.startMs ? DAY_MS : 0) + hours.endMs - hours.startMs : DAY_MS,
      working: hours && working && window ? workingPieces(hours, ZoneTimeline.of(working.zone), lo, hi) : null,
      fullDays: fullDayList,
      blocked: blockingIntervals(attendee.busy ?? [], bufferMs, input.tentativeBlocks),
    });
  }
  const candidate = input.candidate;
  const hours = candidate?.acceptableHours;
  if (candidate && hours && window) {
    const startMs = parseTimeOfDayMs(hours.start);
    const endMs = parseTimeOfDayMs(hours.end);
    if (Number.isFinite(startMs) && Number.isFinite(endMs)) {
      const zone = resolveTimeZone(candidate.timeZone);
      participants.push({
        key: CANDIDATE_PARTICIPANT,
        hoursText: `${spanText(startMs, endMs)} ${zone.name}`,
        dayLengthMs: (endMs <= startMs ? DAY_MS : 0) + endMs - startMs,
        working: acceptablePieces(startMs, endMs, ZoneTimeline.of(zone.zone), lo, hi),
        fullDays: [],
        blocked: [],
      });
    }
  }
  const hasStart = (pieces: readonly number[]): boolean => {
    const found: number[] = [];
    for (let i = 0; i < pieces.length && found.length === 0; i += 2) {
      if (pieces[i + 1]! - pieces[i]! >= durationMs) alignedStarts(organizerTl, pieces[i]!, pieces[i + 1]! - durationMs, stepMs, found, 1);
    }
    return found.length > 0;
  };
  return {
    participants,
    windowStartMs: input.windowStartMs,
    windowEndMs: input.windowEndMs,
    nowMs: input.nowMs,
    durationMinutes: input.durationMinutes,
    stepMinutes: input.stepMinutes,
    bufferMinutes: input.bufferMinutes,
    maxInterviewsPerDay: input.maxInterviewsPerDay,
    hasStart,
  };
}
