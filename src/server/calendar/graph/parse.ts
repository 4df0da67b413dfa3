/**
 * Graph JSON -> Convene's port types, strictly: what does not have the documented shape is a
 * per-mailbox `error` (or a whole-call `graph_error`), never silently read as "no busy times".
 *
 * @see https://learn.microsoft.com/graph/api/resources/scheduleinformation
 * @see https://learn.microsoft.com/graph/api/resources/mailboxsettings
 * @see https://learn.microsoft.com/graph/api/resources/user
 * @see https://learn.microsoft.com/graph/api/resources/event
 */
import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import type { BusyItem, DayOfWeek, FreeBusyStatus, MailboxSettingsInput } from '../../scheduling/types';
import { WINDOWS_TO_IANA } from '../../scheduling/windows-zones.generated';
import type { CreatedEvent, DirectoryUser, MailboxFailure } from '../provider';
import { mailboxError, toMailboxFailure } from './errors';

/** One schedule of a getSchedule answer: its busy items (UTC ms) or why it cannot be used. */
export type ParsedSchedule = { status: 'ok'; items: BusyItem[] } | MailboxFailure;

/** Graph `dateTimeTimeZone`, as read. */
interface DateTimeTimeZone {
  dateTime: string;
  timeZone?: string | null;
}

/** Graph `scheduleInformation`, the fields Convene reads. */
interface ScheduleInformation {
  scheduleId: string;
  scheduleItems?: Array<{ status?: string | null; start: DateTimeTimeZone; end: DateTimeTimeZone }> | null;
  error?: { message?: string | null; responseCode?: string | null } | null;
}

/**
 * `raw` as a {@link ScheduleInformation}, or null when it does not have that shape. Written out
 * by hand rather than as a zod schema: it runs for every schedule item of every availability
 * request (150 items for a panel of 5 over a week), where zod's generic parse cost ~3% of the
 * server's CPU. It accepts exactly what the schema `{scheduleId: string, scheduleItems?:
 * [{status?: string|null, start: {dateTime: string, timeZone?: string|null}, end: (same)}]|null,
 * error?: {message?: string|null, responseCode?: string|null}|null}` accepts (a test holds the two
 * together).
 */
export function readScheduleInformation(raw: unknown): ScheduleInformation | null {
  if (!isRecord(raw) || typeof raw.scheduleId !== 'string') return null;
  const { scheduleItems: items, error } = raw;
  if (error !== undefined && error !== null) {
    if (!isRecord(error) || !isNullishString(error.message) || !isNullishString(error.responseCode)) return null;
  }
  if (items !== undefined && items !== null) {
    if (!Array.isArray(items)) return null;
    for (const item of items as unknown[]) {
      if (!isRecord(item) || !isNullishString(item.status) || !isDateTimeTimeZone(item.start) || !isDateTimeTimeZone(item.end)) return null;
    }
  }
  return raw as unknown as ScheduleInformation;
}

function isDateTimeTimeZone(v: unknown): v is DateTimeTimeZone {
  return isRecord(v) && typeof v.dateTime === 'string' && isNullishString(v.timeZone);
}

function isNullishString(v: unknown): v is string | null | undefined {
  return v === undefined || v === null || typeof v === 'string';
}

/** The grid of a getSchedule call's `availabilityView`: where slot 0 starts and how long a slot is. */
export interface AvailabilityViewGrid {
  /** The call's `startTime`, epoch ms (UTC). */
  startMs: number;
  /** The call's `availabilityViewInterval`, minutes. */
  intervalMinutes: number;
}

/**
 * getSchedule's `value[]` by `scheduleId` (lower-cased). Entries without a `scheduleId` cannot be
 * attributed and are left out: their schedules then count as missing (an `error`), never as free.
 * With `grid`, each schedule's `availabilityView` is cross-checked against its `scheduleItems`
 * (see {@link checkAvailabilityView}).
 * @returns null when the body has no `value` array at all
 */
export function parseGetScheduleResponse(body: unknown, grid?: AvailabilityViewGrid): Map<string, ParsedSchedule> | null {
  if (!isRecord(body) || !Array.isArray(body.value)) return null;
  const out = new Map<string, ParsedSchedule>();
  for (const raw of body.value) {
    if (!isRecord(raw) || typeof raw.scheduleId !== 'string') continue;
    const key = raw.scheduleId.toLowerCase();
    out.set(key, mergeParsed(out.get(key), parseOneSchedule(raw, grid)));
  }
  return out;
}

/** availabilityView digits (scheduleInformation docs): 0 free, 1 tentative, 2 busy, 3 oof, 4 workingElsewhere. */
const viewCode: Readonly<Record<FreeBusyStatus, number>> = { free: 0, tentative: 1, busy: 2, oof: 3, workingElsewhere: 4, unknown: 2 };

/**
 * Completeness of one schedule: every slot `availabilityView` marks tentative, busy or out of
 * office (1, 2, 3) must be overlapped by a scheduleItem at least that strong, and every
 * workingElsewhere slot (4) by some item. A marked slot no item explains means Graph's
 * `scheduleItems` were cut short (large calendars, a partial answer): the schedule is an `error`,
 * never read as free there. A missing or empty view is not checked (nothing to compare); a view
 * with other characters is unreadable.
 * @returns null when consistent, else the failure
 * @see https://learn.microsoft.com/graph/api/resources/scheduleinformation
 */
export function checkAvailabilityView(
  view: string | null | undefined,
  items: readonly BusyItem[],
  grid: AvailabilityViewGrid,
): MailboxFailure | null {
  if (!view) return null;
  if (!/^[0-4]+$/.test(view)) return mailboxError('Microsoft Graph returned an availabilityView Convene cannot read.');
  const slotMs = grid.intervalMinutes * 60_000;
  const slots = view.length;
  // Strongest blocking code per slot (tentative 1, busy 2, oof 3) and whether any item touches it.
  const strongest = new Uint8Array(slots);
  const touched = new Uint8Array(slots);
  for (const item of items) {
    const code = viewCode[item.status];
    const first = Math.max(0, Math.floor((item.startMs - grid.startMs) / slotMs));
    for (let i = first; i < slots; i++) {
      const s = grid.startMs + i * slotMs;
      if (s >= item.endMs) break;
      if (item.endMs <= s || item.startMs >= s + slotMs) continue;
      touched[i] = 1;
      if (code >= 1 && code <= 3 && code > (strongest[i] as number)) strongest[i] = code;
    }
  }
  for (let i = 0; i < slots; i++) {
    const d = view.charCodeAt(i) - 48;
    if (d === 0) continue;
    const explained = d === 4 ? touched[i] === 1 : (strongest[i] as number) >= d;
    if (!explained) {
      const at = new Date(grid.startMs + i * slotMs).toISOString();
      return mailboxError(
        `Microsoft Graph's free/busy answer for this calendar is incomplete: it shows the calendar ${viewWord(d)} at ${at} but lists no item there. Convene does not read it as free.`,
      );
    }
  }
  return null;
}

function viewWord(d: number): string {
  switch (d) {
    case 1:
      return 'tentative';
    case 2:
      return 'busy';
    case 3:
      return 'out of office';
    default:
      return 'working elsewhere';
  }
}

function parseOneSchedule(raw: Record<string, unknown>, grid: AvailabilityViewGrid | undefined): ParsedSchedule {
  const info = readScheduleInformation(raw);
  if (!info) return mailboxError('Microsoft Graph returned free/busy data for this mailbox that Convene cannot read.');
  // Any error object fails the schedule, even an empty one: never read an error as free time.
  if (info.error) {
    return toMailboxFailure({ status: 0, code: info.error.responseCode, message: info.error.message });
  }
  const items: BusyItem[] = [];
  for (const item of info.scheduleItems ?? []) {
    const startMs = graphDateTimeToMs(item.start.dateTime, item.start.timeZone);
    const endMs = graphDateTimeToMs(item.end.dateTime, item.end.timeZone);
    if (startMs === null || endMs === null) {
      const zone = startMs === null ? item.start.timeZone : item.end.timeZone;
      return mailboxError(
        `Microsoft Graph returned free/busy times Convene cannot place in time (time zone ${JSON.stringify(zone ?? null)}).`,
      );
    }
    if (endMs < startMs) return mailboxError('Microsoft Graph returned a free/busy item that ends before it starts.');
    items.push({ startMs, endMs, status: freeBusyStatus(item.status) });
  }
  if (grid) {
    const view = typeof raw.availabilityView === 'string' ? raw.availabilityView : null;
    const incomplete = checkAvailabilityView(view, items, grid);
    if (incomplete) return incomplete;
  }
  return { status: 'ok', items };
}

/** Two answers for one schedule (e.g. two windows): a failure wins, else the busy items are merged. */
export function mergeParsed(a: ParsedSchedule | undefined, b: ParsedSchedule): ParsedSchedule {
  if (!a) return b;
  if (a.status !== 'ok') return a;
  if (b.status !== 'ok') return b;
  return { status: 'ok', items: normalizeItems([...a.items, ...b.items]) };
}

/** Sorted by start, then end; exact duplicates (an item spanning two windows) removed. */
export function normalizeItems(items: readonly BusyItem[]): BusyItem[] {
  const seen = new Set<string>();
  const out: BusyItem[] = [];
  for (const i of [...items].sort((x, y) => x.startMs - y.startMs || x.endMs - y.endMs)) {
    const key = `${i.startMs}/${i.endMs}/${i.status}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(i);
  }
  return out;
}

const freeBusyStatuses: Readonly<Record<string, FreeBusyStatus>> = {
  free: 'free',
  tentative: 'tentative',
  busy: 'busy',
  oof: 'oof',
  workingelsewhere: 'workingElsewhere',
  unknown: 'unknown',
};

/** Graph's `freeBusyStatus` in any case (the docs show both `busy` and `Busy`); anything else is `unknown`. */
export function freeBusyStatus(value: string | null | undefined): FreeBusyStatus {
  return freeBusyStatuses[(value ?? '').toLowerCase()] ?? 'unknown';
}

/** Names Graph and Windows use for UTC itself. */
const utcNames: ReadonlySet<string> = new Set([
  'utc',
  'etc/utc',
  'etc/gmt',
  'gmt',
  'z',
  'coordinated universal time',
  'tzone://microsoft/utc',
]);

const localDateTime = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/;

/**
 * A Graph `dateTimeTimeZone` as epoch ms. `dateTime` is a wall time without offset
 * (`2026-11-23T17:00:00.0000000`); `timeZone` is `UTC` when the request sent
 * `Prefer: outlook.timezone="UTC"`, but anything else that names a zone (IANA or Windows) is
 * converted properly. Null when the time or zone cannot be read.
 */
export function graphDateTimeToMs(dateTime: string, timeZone: string | null | undefined): number | null {
  // What Graph sends when asked for UTC (every free/busy item): read without regex, Date or luxon.
  if (timeZone === 'UTC') {
    const ms = plainUtcWallTimeToMs(dateTime);
    if (ms !== undefined) return ms;
  }
  const m = localDateTime.exec(dateTime.trim());
  if (!m || !timeZone) return null;
  const [, y, mo, d, h, mi, s, frac] = m;
  const parts = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s ?? '0'),
    millisecond: Number((frac ?? '').padEnd(3, '0').slice(0, 3)),
  };
  const zone = timeZone.trim();
  if (utcNames.has(zone.toLowerCase())) {
    const ms = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, parts.millisecond);
    // Date.UTC rolls 2026-02-30 over to March; Graph never sends such dates, so refuse them.
    const check = new Date(ms);
    return check.getUTCDate() === parts.day && check.getUTCMonth() === parts.month - 1 ? ms : null;
  }
  const iana = IANAZone.isValidZone(zone) ? zone : WINDOWS_TO_IANA[zone];
  if (!iana || !IANAZone.isValidZone(iana)) return null;
  const dt = DateTime.fromObject(parts, { zone: iana });
  return dt.isValid ? dt.toMillis() : null;
}

const DIGIT_0 = 48;
const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MS_PER_DAY = 86_400_000;

/**
 * Epoch ms of `YYYY-MM-DDTHH:mm:ss` with an optional `.f` to `.fffffff` (UTC wall time), or
 * undefined for anything else, including values the general path treats specially (years before
 * 100, which `Date.UTC` reads as 19xx; out-of-range fields, which it rolls over): those take the
 * general path, so both paths always agree (a property test holds them together). Runs for every
 * start and end of every free/busy item, so it avoids the regex, substrings and `Date`: about 8
 * times faster.
 */
function plainUtcWallTimeToMs(s: string): number | undefined {
  const n = s.length;
  if (n < 19 || n === 20 || n > 27) return undefined;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58)
    return undefined; // - - T : :
  const century = twoDigits(s, 0);
  const yy = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  // twoDigits() answers -1 for a non-digit, so the lower bounds also refuse those.
  if (
    century < 1 ||
    yy < 0 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  )
    return undefined;
  const year = century * 100 + yy;
  const leap = month === 2 && yy % 4 === 0 && (yy !== 0 || century % 4 === 0);
  if (day > (daysInMonth[month - 1] as number) + (leap ? 1 : 0)) return undefined;
  let millisecond = 0;
  if (n > 19) {
    if (s.charCodeAt(19) !== 46) return undefined; // .
    for (let i = 20; i < n; i++) {
      const d = s.charCodeAt(i) - DIGIT_0;
      if (d < 0 || d > 9) return undefined;
      // The first three fraction digits, as the general path reads them: ".5" is 500 ms, ".0000000" 0.
      if (i < 23) millisecond = millisecond * 10 + d;
    }
    if (n === 21) millisecond *= 100;
    else if (n === 22) millisecond *= 10;
  }
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + millisecond;
}

/** The number in `s[from, from + 2)`, or -1 when either character is not a digit. */
function twoDigits(s: string, from: number): number {
  const a = s.charCodeAt(from) - DIGIT_0;
  const b = s.charCodeAt(from + 1) - DIGIT_0;
  return a < 0 || a > 9 || b < 0 || b > 9 ? -1 : a * 10 + b;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (month 1..12), as `Date.UTC` counts them.
 * @see https://howardhinnant.github.io/date_algorithms.html#days_from_civil
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  return era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468;
}

const days = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const dayOfWeek = z.string().transform((s, ctx) => {
  const d = s.toLowerCase();
  if ((days as readonly string[]).includes(d)) return d as DayOfWeek;
  ctx.addIssue({ code: 'custom', message: `not a day of week: ${s}` });
  return z.NEVER;
});
const standardOffset = z.object({ time: z.string(), dayOccurrence: z.number(), dayOfWeek, month: z.number(), year: z.number() });
const timeZoneBase = z.object({
  '@odata.type': z.string().optional(),
  name: z.string().nullish(),
  bias: z.number().nullish(),
  standardOffset: standardOffset.nullish(),
  daylightOffset: standardOffset.extend({ daylightBias: z.number() }).nullish(),
});
const mailboxSettings = z.object({
  timeZone: z.string().nullish(),
  workingHours: z
    .object({ daysOfWeek: z.array(dayOfWeek), startTime: z.string(), endTime: z.string(), timeZone: timeZoneBase.nullish() })
    .nullish(),
});

/** The `timeZone` and `workingHours` of a `mailboxSettings` body; null when they do not have Graph's shape. */
export function parseMailboxSettings(body: unknown): MailboxSettingsInput | null {
  const parsed = mailboxSettings.safeParse(body);
  if (!parsed.success) return null;
  const out: MailboxSettingsInput = { timeZone: parsed.data.timeZone ?? null };
  out.workingHours = parsed.data.workingHours ?? null;
  return out;
}

const user = z.object({
  id: z.string().min(1),
  displayName: z.string().nullish(),
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
});

/** A `user` body as a {@link DirectoryUser} (`mail` falls back to `userPrincipalName`); null when it has no id. */
export function parseDirectoryUser(body: unknown): DirectoryUser | null {
  const parsed = user.safeParse(body);
  if (!parsed.success) return null;
  const u = parsed.data;
  const upn = u.userPrincipalName ?? '';
  const mail = u.mail || upn;
  if (!mail) return null;
  return { id: u.id, displayName: u.displayName || mail, mail, userPrincipalName: upn || mail };
}

/** A `GET /users` page's `value[]` as users (entries without an id or address are left out); null when there is no `value`. */
export function parseUserList(body: unknown): DirectoryUser[] | null {
  if (!isRecord(body) || !Array.isArray(body.value)) return null;
  return body.value.map(parseDirectoryUser).filter((u): u is DirectoryUser => u !== null);
}

const createdEvent = z.object({
  id: z.string().min(1),
  iCalUId: z.string().min(1),
  webLink: z.string().nullish(),
  onlineMeeting: z.object({ joinUrl: z.string().nullish() }).nullish(),
});

/** The answer to `POST /users/{id}/events`; null without `id` and `iCalUId`. */
export function parseCreatedEvent(body: unknown): CreatedEvent | null {
  const parsed = createdEvent.safeParse(body);
  if (!parsed.success) return null;
  const e = parsed.data;
  const out: CreatedEvent = { id: e.id, iCalUId: e.iCalUId };
  if (e.webLink) out.webLink = e.webLink;
  if (e.onlineMeeting?.joinUrl) out.joinUrl = e.onlineMeeting.joinUrl;
  return out;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
