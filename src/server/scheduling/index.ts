/**
 * The scheduling engine's contract: pure functions over Graph-shaped inputs (DESIGN.md,
 * "Scheduling engine (pure)"). No I/O, no clock; callers pass `nowMs`.
 */
export { findSlots, splitWindow, formatInstant, GET_SCHEDULE_MAX_DAYS, DEFAULT_WORKING_HOURS, CANDIDATE_KEY } from './engine';
export { resolveZone, resolveTimeZone, toIanaZone, tryResolveZone, isCustomTimeZone, TIME_ZONE_ALIASES } from './time-zones';
export type { ResolvedZone } from './time-zones';
export { CustomTimeZone } from './custom-time-zone';
export { CLDR_VERSION, WINDOWS_TO_IANA } from './windows-zones.generated';
export type {
  AttendeeInput,
  BusyItem,
  DayOfWeek,
  DaylightTimeZoneOffset,
  FindSlotsInput,
  FindSlotsResult,
  FreeBusyStatus,
  MailboxSettingsInput,
  ReadableAttendee,
  StandardTimeZoneOffset,
  TimeZoneBaseInput,
  UnreadableAttendee,
  WorkingHoursInput,
} from './types';
