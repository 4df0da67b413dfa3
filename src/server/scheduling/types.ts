/**
 * Inputs and outputs of the pure scheduling engine (DESIGN.md, "Scheduling engine (pure)").
 *
 * The mailbox shapes mirror Microsoft Graph's `mailboxSettings`, `workingHours`,
 * `timeZoneBase` / `customTimeZone` and `scheduleItem` resources, so the Graph adapter can pass
 * what Graph returns with only the instants converted to epoch milliseconds.
 *
 * @see https://learn.microsoft.com/graph/api/resources/mailboxsettings
 * @see https://learn.microsoft.com/graph/api/resources/workinghours
 * @see https://learn.microsoft.com/graph/api/resources/customtimezone
 * @see https://learn.microsoft.com/graph/api/resources/scheduleitem
 */
import type { AttendeeResult, NoSlotsReason, Slot } from '../../shared/api';

/** Graph `dayOfWeek` values. */
export type DayOfWeek = 'sunday' | 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday';

/** Graph `freeBusyStatus` values as they appear on schedule items. */
export type FreeBusyStatus = 'free' | 'tentative' | 'busy' | 'oof' | 'workingElsewhere' | 'unknown';

/** Graph `standardTimeZoneOffset`: when standard time starts each year. `time` is `HH:mm:ss(.fffffff)`. */
export interface StandardTimeZoneOffset {
  time: string;
  /** 1..5; 5 means the last such weekday of the month. */
  dayOccurrence: number;
  dayOfWeek: DayOfWeek;
  /** 1..12; 0 means no transition (no DST). */
  month: number;
  /** 0 for every year. */
  year: number;
}

/** Graph `daylightTimeZoneOffset`: a standard offset plus `daylightBias` (minutes, usually -60). */
export interface DaylightTimeZoneOffset extends StandardTimeZoneOffset {
  daylightBias: number;
}

/**
 * Graph `timeZoneBase` (just `name`: a Windows or IANA zone name) or `customTimeZone`
 * (`bias` in minutes, with UTC = local time + bias, plus optional DST rules).
 */
export interface TimeZoneBaseInput {
  '@odata.type'?: string;
  name?: string | null;
  bias?: number | null;
  standardOffset?: StandardTimeZoneOffset | null;
  daylightOffset?: DaylightTimeZoneOffset | null;
}

/** Graph `workingHours`. `startTime`/`endTime` are wall times `HH:mm:ss(.fffffff)` in `timeZone`. */
export interface WorkingHoursInput {
  daysOfWeek: DayOfWeek[];
  startTime: string;
  endTime: string;
  timeZone?: TimeZoneBaseInput | null;
}

/** The subset of Graph `mailboxSettings` the engine reads. `timeZone`: Windows or IANA name. */
export interface MailboxSettingsInput {
  timeZone?: string | null;
  workingHours?: WorkingHoursInput | null;
}

/** One busy interval from getSchedule `scheduleItems`, `[startMs, endMs)` in epoch ms (UTC). */
export interface BusyItem {
  startMs: number;
  endMs: number;
  status: FreeBusyStatus;
}

/** An attendee whose calendar and mailbox settings were read. */
export interface ReadableAttendee {
  email: string;
  status: 'ok';
  mailboxSettings: MailboxSettingsInput;
  busy: BusyItem[];
  /**
   * Start instants (epoch ms) of the interviews Convene itself booked with this attendee on the
   * panel (from its own store, never read from the calendar), for {@link FindSlotsInput.maxInterviewsPerDay}.
   */
  interviewStartsMs?: number[];
}

/**
 * An attendee whose calendar could not be read (application access policy, no such mailbox,
 * Graph error). Never treated as free: it makes the result `complete: false` and is reported.
 */
export interface UnreadableAttendee {
  email: string;
  status: 'blocked' | 'notFound' | 'error';
  /** Admin-readable reason, e.g. "Blocked by the tenant's application access policy". */
  reason: string;
  /** Present when mailboxSettings could be read although the calendar could not. */
  mailboxSettings?: MailboxSettingsInput;
}

export type AttendeeInput = ReadableAttendee | UnreadableAttendee;

/** Everything the engine needs; time is passed in (`nowMs`), the engine has no clock. */
export interface FindSlotsInput {
  /** The signed-in user. Its zone sets the step grid; its calendar counts only if it is in `attendees`. */
  organizer: { email: string; mailboxSettings: MailboxSettingsInput };
  /** The panel, in request order. */
  attendees: AttendeeInput[];
  /** Search window `[windowStartMs, windowEndMs)`, epoch ms. */
  windowStartMs: number;
  windowEndMs: number;
  durationMinutes: number;
  /** Slots start at local midnight of the organizer's zone + k * stepMinutes. */
  stepMinutes: number;
  /** Minutes that must be free before and after the slot, around every busy interval. */
  bufferMinutes: number;
  maxSlots: number;
  /** Whether `tentative` items block (DESIGN.md default: true). */
  tentativeBlocks: boolean;
  /** The candidate's zone (IANA) and, optionally, acceptable hours `HH:mm` there, every day. */
  candidate?: { timeZone: string; acceptableHours?: { start: string; end: string } };
  /** Slots never start before this instant (epoch ms). */
  nowMs: number;
  /**
   * At most this many interviews per panelist per local day (the panelist's mailbox zone): a day
   * on which a panelist already has this many of {@link ReadableAttendee.interviewStartsMs} offers
   * no slot. Absent: no limit.
   */
  maxInterviewsPerDay?: number;
}

/** The engine's answer: API-shaped, instants as ISO 8601 strings. */
export interface FindSlotsResult {
  organizer: { email: string; timeZone: string };
  attendees: AttendeeResult[];
  complete: boolean;
  /** In start order; `start`/`end` as UTC ISO (`2026-11-23T17:00:00Z`), `local` per attendee email and `candidate`. */
  slots: Slot[];
  truncated: boolean;
  /**
   * Present only when no slot exists at all (not when `maxSlots` cut the list): the first cause
   * that holds, from the engine's own intervals (see `explainNoSlots` in no-slots-reason.ts).
   */
  noSlotsReason?: NoSlotsReason;
}
