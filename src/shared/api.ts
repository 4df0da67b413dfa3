/**
 * The HTTP API v1 contract (DESIGN.md, "HTTP API v1"): zod schemas and the types inferred from
 * them. Imported by the server (validation, OpenAPI), the bot and the add-in, so the API's types
 * and its validation cannot drift apart. Browser-safe: no Node imports.
 *
 * Units: instants are ISO 8601 strings with an offset (`2026-11-23T17:00:00Z`,
 * `2026-11-23T09:00:00-08:00`); durations are whole minutes; time zones are IANA names.
 */
import { z } from 'zod';

/** Most attendees in one panel. */
export const MAX_PANEL = 40;
/** Longest interview, in minutes (8 h). */
export const MAX_DURATION_MINUTES = 480;
/** Longest availability window, in days. Windows over 62 days are split for getSchedule. */
export const MAX_WINDOW_DAYS = 180;
/** Default and largest `maxSlots`. */
export const DEFAULT_MAX_SLOTS = 500;
export const MAX_MAX_SLOTS = 2000;

const DAY_MS = 86_400_000;

/** True when `name` is an IANA time zone name this runtime knows (`Asia/Kolkata`, `UTC`). */
export function isIanaZone(name: string): boolean {
  if (!name.includes('/') && name !== 'UTC' && name !== 'Etc/UTC') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** An email address (SMTP address or UPN), 3..254 characters. */
export const Email = z.email({ message: 'must be an email address' }).max(254);
/** An ISO 8601 instant with `Z` or a numeric offset. */
export const IsoInstant = z.iso.datetime({
  offset: true,
  message: 'must be an ISO 8601 date-time with an offset, e.g. 2026-11-23T09:00:00Z',
});
/** An IANA time zone name. */
export const IanaZone = z.string().max(64).refine(isIanaZone, { message: 'must be an IANA time zone name, e.g. Europe/Berlin' });
/** A wall-clock time `HH:mm` (24 h). `24:00` is allowed as an end. */
export const WallTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:mm (24 h)');

function windowRule(w: { start: string; end: string }, ctx: z.RefinementCtx, maxDays: number): void {
  const start = Date.parse(w.start);
  const end = Date.parse(w.end);
  if (!(end > start)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
  else if (end - start > maxDays * DAY_MS)
    ctx.addIssue({ code: 'custom', path: ['end'], message: `window must be at most ${maxDays} days` });
}

/** The time range to search, `[start, end)`. */
export const TimeWindow = z
  .strictObject({ start: IsoInstant, end: IsoInstant })
  .superRefine((w, ctx) => windowRule(w, ctx, MAX_WINDOW_DAYS));
export type TimeWindow = z.infer<typeof TimeWindow>;

/** The candidate's side of an availability search. */
export const CandidatePreferences = z
  .strictObject({
    timeZone: IanaZone,
    /** Acceptable hours in the candidate's zone, every day; default: any time. */
    acceptableHours: z.strictObject({ start: WallTime, end: WallTime }).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.acceptableHours && c.acceptableHours.end <= c.acceptableHours.start)
      ctx.addIssue({ code: 'custom', path: ['acceptableHours', 'end'], message: 'must be after start' });
  });
export type CandidatePreferences = z.infer<typeof CandidatePreferences>;

/** `POST /api/availability` body. */
export const AvailabilityRequest = z.strictObject({
  panel: z.array(Email).min(1, 'the panel needs at least one attendee').max(MAX_PANEL, `a panel has at most ${MAX_PANEL} attendees`),
  durationMinutes: z.int().min(1, 'must be > 0').max(MAX_DURATION_MINUTES, `must be at most ${MAX_DURATION_MINUTES} minutes`),
  window: TimeWindow,
  stepMinutes: z.int().min(5).max(1440).default(15),
  bufferMinutes: z.int().min(0).max(240).default(0),
  maxSlots: z.int().min(1).max(MAX_MAX_SLOTS).default(DEFAULT_MAX_SLOTS),
  /** Whether tentative events block a slot (default true, as DESIGN.md says). */
  tentativeBlocks: z.boolean().default(true),
  candidate: CandidatePreferences.optional(),
  /**
   * At most this many interviews per panelist per local day (the panelist's mailbox zone),
   * counting the interviews Convene itself booked with them (any organizer of the tenant).
   */
  maxInterviewsPerDay: z.int().min(1).max(24).optional(),
});
export type AvailabilityRequest = z.infer<typeof AvailabilityRequest>;
export type AvailabilityRequestInput = z.input<typeof AvailabilityRequest>;

/** Why an attendee's calendar could not be read. `ok`: read. */
export const AttendeeStatus = z.enum(['ok', 'blocked', 'notFound', 'error']);
export type AttendeeStatus = z.infer<typeof AttendeeStatus>;

export const AttendeeResult = z.object({
  email: z.string(),
  /** IANA zone the attendee's local times are shown in; absent when it could not be read. */
  timeZone: z.string().optional(),
  status: AttendeeStatus,
  /** Admin-readable reason when status is not `ok`. */
  reason: z.string().optional(),
});
export type AttendeeResult = z.infer<typeof AttendeeResult>;

export const Slot = z.object({
  start: z.string(),
  end: z.string(),
  /** Local start time per attendee email (and `candidate`), ISO 8601 with offset. */
  local: z.record(z.string(), z.string()),
});
export type Slot = z.infer<typeof Slot>;

/**
 * Why a search found no slot at all, the first cause that holds in this order:
 * `window` (the range, after now, is shorter than the interview or in the past),
 * `outside_working_days` (someone's working hours never fall inside the range),
 * `no_working_hours_overlap` (two people's hours, or the whole panel's, never share the duration on
 * one day), `daily_limit` (per-day interview limits fill every shared day), `busy` (the hours
 * overlap but the panel's free/busy fills all of it). `attendees`: the emails it names, and
 * `candidate` for the candidate's acceptable hours. Free/busy and working hours only, never what
 * anyone is busy with.
 */
const NoSlotsReasonSchema = z.object({
  code: z.enum(['window', 'outside_working_days', 'no_working_hours_overlap', 'daily_limit', 'busy']),
  /** One or two plain sentences for the organizer, naming people by email and hours in their own zones. */
  message: z.string(),
  attendees: z.array(z.string()),
});
export type NoSlotsReason = z.infer<typeof NoSlotsReasonSchema>;
export type NoSlotsReasonCode = NoSlotsReason['code'];

/** `POST /api/availability` 200 body. */
export const AvailabilityResponse = z.object({
  organizer: z.object({ email: z.string(), timeZone: z.string() }),
  attendees: z.array(AttendeeResult),
  /** False when any attendee's calendar could not be read: those attendees were not checked. */
  complete: z.boolean(),
  slots: z.array(Slot),
  /** True when more slots existed than `maxSlots`. */
  truncated: z.boolean(),
  /** Present only when `slots` is empty: why (see {@link NoSlotsReason}). */
  noSlotsReason: NoSlotsReasonSchema.optional().describe(
    'Present only when no slot exists: the first cause that holds (window, outside_working_days, no_working_hours_overlap, daily_limit, busy), the people it names (emails, "candidate"), and a message.',
  ),
});
export type AvailabilityResponse = z.infer<typeof AvailabilityResponse>;

/** `POST /api/interviews` body. Header `Idempotency-Key` (1..255 visible ASCII) is required. */
export const CreateInterviewRequest = z
  .strictObject({
    candidate: z.strictObject({ name: z.string().trim().min(1).max(200), email: Email, timeZone: IanaZone.optional() }),
    panel: z.array(Email).min(1, 'the panel needs at least one attendee').max(MAX_PANEL, `a panel has at most ${MAX_PANEL} attendees`),
    start: IsoInstant,
    end: IsoInstant,
    subject: z.string().trim().min(1).max(255).optional(),
    teamsMeeting: z.boolean().default(true),
    /** Minutes around the interview that must also be free when re-checking (default 0). */
    bufferMinutes: z.int().min(0).max(240).default(0),
    tentativeBlocks: z.boolean().default(true),
  })
  .superRefine((b, ctx) => {
    const start = Date.parse(b.start);
    const end = Date.parse(b.end);
    if (!(end > start)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
    else if (end - start > MAX_DURATION_MINUTES * 60_000)
      ctx.addIssue({ code: 'custom', path: ['end'], message: `an interview lasts at most ${MAX_DURATION_MINUTES} minutes` });
  });
export type CreateInterviewRequest = z.infer<typeof CreateInterviewRequest>;
export type CreateInterviewRequestInput = z.input<typeof CreateInterviewRequest>;

/** The `Idempotency-Key` header value. */
export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1..255 visible ASCII characters');

/** `archived`: the organizer left the tenant; Convene no longer acts on the interview (daily user-archive job). */
export const InterviewStatus = z.enum(['pending', 'scheduled', 'cancelled', 'declined', 'moved', 'failed', 'archived']);
export type InterviewStatus = z.infer<typeof InterviewStatus>;

export const Channel = z.enum(['addin', 'bot', 'api', 'cli']);
export type Channel = z.infer<typeof Channel>;

/** An interview Convene created. */
export const Interview = z.object({
  id: z.string(),
  status: InterviewStatus,
  organizer: z.object({ oid: z.string(), email: z.string() }),
  candidate: z.object({ name: z.string(), email: z.string(), timeZone: z.string().optional() }),
  panel: z.array(z.string()),
  subject: z.string(),
  start: z.string(),
  end: z.string(),
  /** The organizer's IANA zone when booked. */
  timeZone: z.string(),
  graphEventId: z.string().optional(),
  iCalUId: z.string().optional(),
  joinUrl: z.string().optional(),
  channel: Channel,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Interview = z.infer<typeof Interview>;

/**
 * `POST /api/interviews` 201 body: the interview, plus `warnings` naming panel members whose
 * calendars could not be checked at booking time (never assumed free; the organizer decides).
 */
export const BookedInterview = Interview.extend({ warnings: z.array(AttendeeResult).optional() });
export type BookedInterview = z.infer<typeof BookedInterview>;

/** `GET /api/interviews` query. */
export const ListInterviewsQuery = z.strictObject({ from: IsoInstant.optional(), to: IsoInstant.optional() });
export type ListInterviewsQuery = z.infer<typeof ListInterviewsQuery>;

/** `POST /api/interviews/{id}/cancel` body. */
export const CancelInterviewRequest = z.strictObject({ comment: z.string().max(2000).optional() });
export type CancelInterviewRequest = z.infer<typeof CancelInterviewRequest>;

/** `GET /api/people?q=` query. */
export const PeopleQuery = z.strictObject({ q: z.string().trim().min(1).max(100) });
export const Person = z.object({ email: z.string(), displayName: z.string() });
export type Person = z.infer<typeof Person>;

/** Every error response: `{"error":{code,message,requestId}}`. */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
